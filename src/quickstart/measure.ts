/**
 * "Measured in the local cloud": per run, what the local cloud observed — which region each
 * instance actually ran in, at which hour, for how long, and the run's end-to-end time —
 * priced with the same formulas and region data the solver uses (src/solve/calculators),
 * including the DynamoDB requests of joins and of the placement-decision read. Transmission
 * terms the trace cannot see (the client's payload, data a function moves while it runs) are
 * left out, so measured carbon sits a little below the solver's estimate.
 * So the before/after comparison uses real routing and real (virtual-clock) timing, not the
 * solver's simulation.
 */
import type { RunResult } from '../deploy/run';
import * as C from '../solve/constants';
import { FallbackLog, executionCarbon, executionCost, gridIntensity, readUnits, regionParams, routeIntensity, snsCost, transmissionCarbon } from '../solve/calculators';
import { SYSTEM_REGION } from '../model/tables';
import type { SolveInput } from '../solve';

/** One run, priced. */
export interface RunMetrics {
  run_id: string;
  hour: number;
  carbon: number;
  cost: number;
  runtime: number;
  /** instance → region it ran in */
  regions: Record<string, string>;
}

/** Mean and tail of a metric over many runs. */
export interface Summary {
  mean: number;
  p95: number;
  n: number;
}

/** Percentile with linear interpolation (numpy's default). */
export function percentile(xs: readonly number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Mean and p95 of a list. */
export function summarize(xs: readonly number[]): Summary {
  return { mean: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0, p95: percentile(xs, 95), n: xs.length };
}

/** Prices one finished run from its trace. */
export function measureRun(input: SolveInput, run: RunResult): RunMetrics | undefined {
  if (run.status !== 'succeeded' || !run.instances.length) return undefined;
  const log = new FallbackLog();
  const cfg = input.config;
  const fnOf = new Map(cfg.instances.map((i) => [i.instance_name, i]));
  const fnCfg = new Map(cfg.functions.map((f) => [f.name, f]));
  const ran = new Map(run.instances.map((i) => [i.instance, i]));
  let carbon = 0;
  let cost = 0;
  let first = Infinity;
  let last = -Infinity;
  const regions: Record<string, string> = {};
  for (const inst of run.instances) {
    const start = Date.parse(inst.start);
    const end = inst.end ? Date.parse(inst.end) : start;
    first = Math.min(first, start);
    last = Math.max(last, end);
    regions[inst.instance] = inst.region;
    const ic = fnOf.get(inst.instance);
    const f = ic ? fnCfg.get(ic.function_name) : undefined;
    const memory = f?.memory ?? 128;
    const arch = f?.architecture ?? 'x86_64';
    const hour = String(new Date(start).getUTCHours());
    const p = regionParams(input, inst.region, log);
    const seconds = Math.max(0, (end - start) / 1000);
    carbon += executionCarbon(seconds, memory, C.CPU_UTILIZATION_DEFAULT, p, gridIntensity(input, inst.region, hour, log));
    cost += executionCost(p.computeCost[arch], p.invocationCost[arch], memory, seconds) + snsCost(C.SMALL_MESSAGE_GB, p.snsRequestCost);
    // a join: one conditional write per slot (small payloads: 1 WRU each) and one read of the item
    const slots = ic?.join_slots?.length ?? 0;
    if (slots > 0) cost += slots * p.dynamoWriteCost + readUnits(C.SMALL_MESSAGE_GB) * p.dynamoReadCost;
    // each message that reached this instance from a predecessor that ran
    for (const pred of ic?.preceding_instances ?? []) {
      const from = ran.get(pred);
      if (!from) continue;
      const fi = gridIntensity(input, from.region, hour, log);
      const ti = gridIntensity(input, inst.region, hour, log);
      carbon += transmissionCarbon(C.SMALL_MESSAGE_GB, routeIntensity(fi, ti, from.region === inst.region));
      if (from.region !== inst.region) cost += C.SMALL_MESSAGE_GB * p.egressCost;
    }
  }
  // `caribou run` reads the placement decision once, in the system region
  cost += readUnits(C.SMALL_MESSAGE_GB) * regionParams(input, SYSTEM_REGION, log).dynamoReadCost;
  return { run_id: run.run_id, hour: new Date(first).getUTCHours(), carbon, cost, runtime: Math.max(0, (last - first) / 1000), regions };
}
