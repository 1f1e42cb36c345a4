/**
 * Prices one observed run with exactly the terms the solver's Monte Carlo simulator prices
 * (src/solve/simulate.ts), so "measured" and "estimated" figures can be compared term by term:
 *
 *  - the placement-decision read: RRUs in the system region, its bytes over the route to the entry;
 *  - the client's payload: SNS at the entry's price, carbon at the unknown-region 410 g/kWh;
 *  - each execution: compute + request cost, carbon at the region's grid intensity at that hour;
 *  - data a function moved while running (a join's download): half at 410 g/kWh, half over the
 *    home→region route (Caribou's rule, which the simulator keeps);
 *  - each message: egress between regions, SNS chunks (or the join's DynamoDB write), carbon over
 *    the route (the mean of both ends' intensities);
 *  - a join: one read of its item and one SNS trigger.
 *
 * Sizes come from the runtime's own log lines (ENTRY_POINT, INVOKING_*, JOIN_DATA), rebuilt into a
 * RunSample by the log syncer's judgeRun — the same records the solver learns from. Durations are
 * the logged handler times. Only the skip markers a join receives are not priced (their bytes are
 * not in the rebuilt sample); they are a few hundred bytes.
 */
import type { Cloud } from '../cloud/ports';
import type { DeploymentResources } from '../model/deployment-resources';
import type { RunSample } from '../model/workflow-summary';
import type { LogEvent } from '../model/log-event';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import * as C from '../solve/constants';
import { FallbackLog, executionCarbon, executionCost, gridIntensity, readUnits, regionParams, snsChunks, writeUnits } from '../solve/calculators';
import type { SolveInput } from '../solve';
import { parseLogLine } from '../sync/parse';
import { judgeRun } from '../sync/rebuild';

/** One run priced: carbon in gCO2e, cost in USD, runtime in s. */
export interface PricedRun {
  carbon: number;
  cost: number;
  runtime: number;
  /** UTC hour of the run's start */
  hour: number;
  /** instance → region it ran in */
  regions: Record<string, string>;
}

/**
 * Reads the workflow's function logs between `since` and `until` (ms) once and rebuilds every
 * complete, successful run among `runIds` (run id → sample). Runs that failed or are incomplete
 * are left out.
 */
export async function samplesFromLogs(cloud: Cloud, workflowId: string, runIds: readonly string[], since: number, until: number): Promise<Map<string, RunSample>> {
  const resources = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, workflowId)) as DeploymentResources | undefined;
  const out = new Map<string, RunSample>();
  if (!resources) return out;
  const wanted = new Set(runIds);
  const byRun = new Map<string, LogEvent[]>();
  // a physical function may be listed once per instance; read each stream once
  const streams = new Set(resources.functions.map((f) => `${f.region}\u0000${f.physical_name}`));
  for (const s of streams) {
    const [region, name] = s.split('\u0000');
    for (const l of await cloud.logs.read(region, name, since, until)) {
      const p = parseLogLine(l.line, workflowId);
      if (!p.ok || !wanted.has(p.event.run_id)) continue;
      const list = byRun.get(p.event.run_id);
      if (list) list.push(p.event);
      else byRun.set(p.event.run_id, [p.event]);
    }
  }
  for (const [id, events] of byRun) {
    const v = judgeRun(events, Number.MAX_SAFE_INTEGER, 0, 0);
    if (v.status === 'kept') out.set(id, v.sample);
  }
  return out;
}

/** Prices one rebuilt run (see the module comment for the terms). */
export function priceSample(input: SolveInput, s: RunSample, log = new FallbackLog()): PricedRun {
  const cfg = input.config;
  const home = cfg.home_region.region;
  const hourOf = (startS: number) => String(new Date(s.start_ms + startS * 1000).getUTCHours());
  const h0 = hourOf(0);
  const I = (region: string, hour: string) => gridIntensity(input, region, hour, log);
  const fnOf = new Map(cfg.instances.map((i) => [i.instance_name, i.function_name]));
  const fnCfg = new Map(cfg.functions.map((f) => [f.name, f]));
  const regionOf = new Map(s.executions.map((x) => [x.instance, x.region]));
  const startOf = new Map(s.executions.map((x) => [x.instance, x.start_s]));
  const joins = new Set(cfg.instances.filter((i) => (i.join_slots?.length ?? 0) > 0).map((i) => i.instance_name));
  const k = C.TRANSMISSION_KWH_PER_GB;
  let carbon = 0;
  let cost = 0;

  // the placement-decision read and the client's payload
  const entry = s.entry.region;
  const sys = regionParams(input, SYSTEM_REGION, log);
  cost += readUnits(s.entry.wpd_gb) * sys.dynamoReadCost + (SYSTEM_REGION === entry ? 0 : s.entry.wpd_gb * sys.egressCost);
  carbon += 0.5 * s.entry.wpd_gb * k * (I(SYSTEM_REGION, h0) + I(entry, h0));
  cost += snsChunks(s.entry.payload_gb) * regionParams(input, entry, log).snsRequestCost;
  carbon += s.entry.payload_gb * k * C.GRID_CARBON_DEFAULT;

  for (const x of s.executions) {
    const f = fnCfg.get(fnOf.get(x.instance) ?? '');
    const memory = f?.memory ?? x.memory_mb;
    const arch = f?.architecture ?? 'x86_64';
    const p = regionParams(input, x.region, log);
    const hour = hourOf(x.start_s);
    cost += executionCost(p.computeCost[arch], p.invocationCost[arch], memory, x.duration_s);
    // the utilisation this execution measured (as the syncer records it), else Caribou's default
    const util = x.cpu_s !== null && x.duration_s > 0 ? Math.min(1, Math.max(0, x.cpu_s / x.duration_s)) : C.CPU_UTILIZATION_DEFAULT;
    carbon += executionCarbon(x.duration_s, memory, util, p, I(x.region, hour));
    const dt = x.data_transfer_gb;
    carbon += dt * k * (0.5 * C.GRID_CARBON_DEFAULT + 0.25 * I(home, hour) + 0.25 * I(x.region, hour));
    if (joins.has(x.instance)) {
      // the join reads its item once (all slots' bytes) and the last writer publishes a small trigger
      const slotGb = s.transmissions.filter((t) => t.to === x.instance).reduce((a, t) => a + t.size_gb, 0);
      cost += readUnits(slotGb) * p.dynamoReadCost + p.snsRequestCost;
    }
  }
  for (const t of s.transmissions) {
    const from = regionParams(input, t.from_region, log);
    const to = regionParams(input, t.to_region, log);
    const hour = hourOf(startOf.get(t.from) ?? 0);
    const cross = t.from_region !== t.to_region;
    const isJoin = t.sync_gb !== null;
    cost += cross ? t.size_gb * from.egressCost : 0;
    const gb = t.size_gb + (isJoin ? (t.sync_gb ?? 0) : 0);
    carbon += gb * 0.5 * k * (I(t.from_region, hour) + I(t.to_region, hour));
    if (!isJoin) cost += snsChunks(t.size_gb) * to.snsRequestCost;
    else cost += writeUnits(t.size_gb) * to.dynamoWriteCost + (cross ? (t.sync_gb ?? 0) * to.egressCost : 0);
  }
  const regions: Record<string, string> = {};
  for (const [i, r] of regionOf) regions[i] = r;
  return { carbon, cost, runtime: s.runtime_s, hour: Number(h0), regions };
}
