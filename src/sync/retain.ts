/**
 * Which rebuilt runs a summary keeps (Caribou's rule, without its crash past the cap):
 * runs older than the retention window go; of the rest the newest `cap` stay; an older run
 * beyond the cap stays only if it carries an execution (instance, region) or a transmission
 * (from, to, from region, to region) that the runs kept so far show fewer than `keepAlive`
 * times — so a region the workflow rarely runs in keeps some samples for the solver.
 */
import type { RunSample } from '../model/workflow-summary';

export interface RetainOptions {
  /** runs starting before this (ms) are expired */
  minStartMs: number;
  cap: number;
  keepAlive: number;
}

export interface RetainResult {
  /** oldest first */
  kept: RunSample[];
  expired: number;
  overCap: number;
}

/** The keys a run contributes samples to. */
export function sampleKeys(r: RunSample): string[] {
  const keys: string[] = [];
  for (const x of r.executions) keys.push(`x\u0000${x.instance}\u0000${x.region}`);
  for (const m of r.transmissions) keys.push(`t\u0000${m.from}\u0000${m.to}\u0000${m.from_region}\u0000${m.to_region}`);
  return keys;
}

/** Applies the retention rule to runs sorted oldest first; returns the kept runs oldest first. */
export function retainRuns(runs: readonly RunSample[], o: RetainOptions): RetainResult {
  const counts = new Map<string, number>();
  const keptNewestFirst: RunSample[] = [];
  let expired = 0;
  let overCap = 0;
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r.start_ms < o.minStartMs) {
      expired++;
      continue;
    }
    const keys = sampleKeys(r);
    const keep = keptNewestFirst.length < o.cap || keys.some((k) => (counts.get(k) ?? 0) < o.keepAlive);
    if (!keep) {
      overCap++;
      continue;
    }
    keptNewestFirst.push(r);
    for (const k of new Set(keys)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return { kept: keptNewestFirst.reverse(), expired, overCap };
}
