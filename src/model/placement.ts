import * as t from 'io-ts';
import { HourKey, IsoTime, RegionCode, WorkflowId } from './primitives';

/** Where one instance runs: the region, its topic and physical function there. */
export const Placement = t.strict({ region: RegionCode, topic: t.string, function_name: t.string });
export type Placement = t.TypeOf<typeof Placement>;

export const PlacementMap = t.record(t.string, Placement);
export type PlacementMap = t.TypeOf<typeof PlacementMap>;

/** The solver's hourly plans once migrated: valid until `expiry_time`. */
export const CurrentDeployment = t.strict({
  expiry_time: IsoTime,
  time_keys: t.array(HourKey),
  instances: t.record(HourKey, PlacementMap),
});
export type CurrentDeployment = t.TypeOf<typeof CurrentDeployment>;

/** The workflow placement decision (WPD), one per workflow. */
export const WorkflowPlacementDecision = t.intersection([
  t.strict({
    workflow_id: WorkflowId,
    entry_instance: t.string,
    home_deployment: PlacementMap,
  }),
  t.exact(t.partial({ current_deployment: t.union([CurrentDeployment, t.null]), updated_at: IsoTime })),
]);
export type WorkflowPlacementDecision = t.TypeOf<typeof WorkflowPlacementDecision>;

/** The largest time key whose hour ≤ `hour`, compared as numbers (Caribou compared strings). */
export function timeKeyFor(hour: number, keys: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const k of keys) {
    const h = Number(k);
    if (h <= hour && (best === undefined || h > Number(best))) best = k;
  }
  if (best !== undefined) return best;
  // before the first key of the day: the plan of the latest key (it wraps from yesterday)
  for (const k of keys) if (best === undefined || Number(k) > Number(best)) best = k;
  return best;
}

/** The routing a run uses for every hop: chosen once at the entry, so all hops agree. */
export interface RunRoute {
  time_key: string | 'home';
  placements: PlacementMap;
  reason: 'plan' | 'no-plan' | 'expired';
}

/** Chooses the placements for a run starting at `now`: the current plan's hour, or home if none or expired. */
export function routeForRun(wpd: WorkflowPlacementDecision, now: Date): RunRoute {
  const cd = wpd.current_deployment;
  if (!cd) return { time_key: 'home', placements: wpd.home_deployment, reason: 'no-plan' };
  if (Date.parse(cd.expiry_time) <= now.getTime()) return { time_key: 'home', placements: wpd.home_deployment, reason: 'expired' };
  const key = timeKeyFor(now.getUTCHours(), cd.time_keys);
  const plan = key === undefined ? undefined : cd.instances[key];
  if (!plan || key === undefined) return { time_key: 'home', placements: wpd.home_deployment, reason: 'no-plan' };
  // an instance missing from the plan runs at home
  return { time_key: key, placements: { ...wpd.home_deployment, ...plan }, reason: 'plan' };
}
