/**
 * Synthetic runtime logs for the syncer tests: a small workflow with a conditional edge and a
 * join, runs generated from a seeded PRNG, each line built with formatLogLine (the runtime's
 * contract), and the truth of every run kept next to it.
 *
 *   a (entry) ──▶ b ──▶ j (join)
 *      └─(p)──▶ c ──┘
 */
import type { LogLine, Logs } from '../../src/cloud/ports/logs';
import type { KeyValueStore } from '../../src/cloud/ports/key-value';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { formatLogLine, type LogEvent } from '../../src/model/log-event';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { mulberry32 } from '../../src/random/mulberry32';

export const WF = 'synth-0.0.1';
export const A = 'a:entry_point:0';
export const B = 'b:a_0_0:1';
export const C = 'c:a_0_1:2';
export const J = 'j:sync:3';
export const FUNCTIONS = ['a', 'b', 'c', 'j'] as const;
export const REGIONS = ['us-east-1', 'eu-west-1'] as const;
const GB = 1024 ** 3;

/** A small seeded PRNG (mulberry32): deterministic tests. */
export const rng = mulberry32;

export const physical = (fn: string, region: string) => `synth-0_0_1-${fn}_aws-${region}`;

/** What really happened in one generated run. */
export interface RunTruth {
  run_id: string;
  /** the ENTRY_POINT line's time (the handler started a claim earlier) */
  start_ms: number;
  end_ms: number;
  c_taken: boolean;
  regions: Record<string, string>;
  /** instance → logged max(user_s, total_s) */
  durations: Record<string, number>;
  /** "from>to" → [size_gb, latency_s]: sender's INVOKING line → receiver handler's start */
  latencies: Record<string, [number, number]>;
  runtime_s: number;
  failed: boolean;
}

export interface GeneratedRun {
  truth: RunTruth;
  /** lines per physical function key `${region}/${physical}` */
  lines: Array<{ key: string; line: LogLine }>;
}

export interface RunOptions {
  pC?: number;
  /** probability b runs in eu-west-1 rather than us-east-1 */
  pEu?: number;
  fail?: boolean;
}

/** Generates one run starting at `t0` (ms), with its log lines and truth. */
export function makeRun(rand: () => number, runId: string, t0: number, o: RunOptions = {}): GeneratedRun {
  const pC = o.pC ?? 0.3;
  const regions: Record<string, string> = {
    [A]: 'us-east-1',
    [B]: rand() < (o.pEu ?? 0.2) ? 'eu-west-1' : 'us-east-1',
    [C]: 'us-east-1',
    [J]: 'us-east-1',
  };
  const fnOf: Record<string, string> = { [A]: 'a', [B]: 'b', [C]: 'c', [J]: 'j' };
  const lines: GeneratedRun['lines'] = [];
  const base = (instance: string, ms: number) => ({ v: '1' as const, time: new Date(ms).toISOString(), run_id: runId, workflow_id: WF, instance, region: regions[instance]! });
  const emit = (instance: string, ms: number, ev: LogEvent) => lines.push({ key: `${regions[instance]}/${physical(fnOf[instance]!, regions[instance]!)}`, line: { time: ms, line: formatLogLine(ev) } });
  const ri = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const size = () => ri(200, 200_000) / GB;
  const durations: Record<string, number> = {};
  const latencies: RunTruth['latencies'] = {};
  const cTaken = rand() < pC;
  let taintN = 0;
  const taint = () => `${runId}-t${taintN++}`;

  // entry a. As in the runtime, a handler starts at delivery, logs INVOKED (and ENTRY_POINT)
  // only after its execution claim (1–4 ms here), and measures offsets and total_s from its start.
  const claim = () => ri(1, 4);
  const tEntry = t0 + claim();
  emit(A, tEntry, { ...base(A, tEntry), event: 'INVOKED', taint: `${runId}-client`, hops: 0, payload_gb: 1000 / GB });
  emit(A, tEntry, { ...base(A, tEntry), event: 'ENTRY_POINT', payload_gb: size(), wpd_gb: 3000 / GB, time_key: 'home', route_reason: 'no-plan' });
  const offB = ri(5, 40);
  const offC = ri(5, 40);
  const durA = ri(Math.max(offB, offC) + 1, 120);
  const recv = (from: string, to: string, sendMs: number, gb: number, crossRegion: boolean) => {
    const lat = ri(20, 80) + (crossRegion ? 70 : 0);
    latencies[`${from}>${to}`] = [gb, lat / 1000];
    return sendMs + lat;
  };
  const tAB = taint();
  const gAB = size();
  emit(A, t0 + offB, { ...base(A, t0 + offB), event: 'INVOKING_SUCCESSOR', successor: B, successor_region: regions[B]!, site: 0, taint: tAB, payload_gb: gAB, offset_s: offB / 1000, spilled: false });
  const startB = recv(A, B, t0 + offB, gAB, regions[B] !== regions[A]);
  let startC = 0;
  const tAC = taint();
  const gAC = size();
  if (cTaken) {
    emit(A, t0 + offC, { ...base(A, t0 + offC), event: 'INVOKING_SUCCESSOR', successor: C, successor_region: regions[C]!, site: 1, taint: tAC, payload_gb: gAC, offset_s: offC / 1000, spilled: false });
    startC = recv(A, C, t0 + offC, gAC, false);
  } else {
    emit(A, t0 + offC, { ...base(A, t0 + offC), event: 'CONDITIONAL_NON_EXECUTION', successor: C, site: 1, reached: true, offset_s: offC / 1000 });
    emit(A, t0 + offC, { ...base(A, t0 + offC), event: 'INVOKING_SYNC_NODE', successor: J, successor_region: regions[J]!, site: 1, taint: null, payload_gb: 0, skipped: true, fired: false, offset_s: offC / 1000, sync_data_gb: 100 / GB, wcu: 1, predecessor: C, skip_reason: 'not-run' });
  }
  const userA = durA / 1000 - rand() * 0.001;
  durations[A] = Math.max(userA, durA / 1000);
  emit(A, t0 + durA, { ...base(A, t0 + durA), event: 'EXECUTED', user_s: userA, total_s: durA / 1000, cpu_s: (durA / 1000) * 0.05, memory_mb: 1769 });

  // b and c write to the join; the later write fires it
  const writes: Array<{ inst: string; ms: number; off: number; gb: number }> = [];
  const runFn = (inst: string, start: number) => {
    const at = start + claim();
    emit(inst, at, { ...base(inst, at), event: 'INVOKED', taint: inst === B ? tAB : tAC, hops: 1, payload_gb: 0 });
    const off = ri(5, 60);
    const dur = ri(off + 1, 300);
    writes.push({ inst, ms: start + off, off, gb: size() });
    const user = dur / 1000 + rand() * 0.01; // user time may exceed total: the max is the duration
    durations[inst] = Math.max(user, dur / 1000);
    return { end: start + dur, user, dur };
  };
  const fnB = runFn(B, startB);
  const fnC = cTaken ? runFn(C, startC) : undefined;
  writes.sort((x, y) => x.ms - y.ms);
  const last = writes[writes.length - 1]!;
  const tJ = taint();
  for (const w of writes) {
    const fired = w === last;
    emit(w.inst, w.ms, { ...base(w.inst, w.ms), event: 'INVOKING_SYNC_NODE', successor: J, successor_region: regions[J]!, site: 0, taint: fired ? tJ : null, payload_gb: w.gb, skipped: false, fired, offset_s: w.off / 1000, sync_data_gb: 100 / GB, wcu: 2 });
  }
  const ended = (inst: string, f: { end: number; user: number; dur: number }) => {
    if (o.fail && inst === B) {
      emit(inst, f.end, { ...base(inst, f.end), event: 'USER_CODE_FAILURE', error: 'boom' });
      return;
    }
    emit(inst, f.end, { ...base(inst, f.end), event: 'EXECUTED', user_s: f.user, total_s: f.dur / 1000, cpu_s: null, memory_mb: 512 });
  };
  ended(B, fnB);
  if (fnC) ended(C, fnC);
  const startJ = recv(last.inst, J, last.ms, last.gb, regions[last.inst] !== regions[J]);
  const atJ = startJ + claim();
  emit(J, atJ, { ...base(J, atJ), event: 'INVOKED', taint: tJ, hops: 2, payload_gb: 0 });
  emit(J, atJ + 3, { ...base(J, atJ + 3), event: 'JOIN_DATA', download_gb: 2000 / GB, count: 2, rcu: 1 });
  const durJ = ri(10, 100);
  durations[J] = durJ / 1000;
  emit(J, startJ + durJ, { ...base(J, startJ + durJ), event: 'EXECUTED', user_s: durJ / 1000, total_s: durJ / 1000, cpu_s: 0.001, memory_mb: 256 });

  const end = Math.max(t0 + durA, fnB.end, fnC?.end ?? 0, startJ + durJ);
  // the run ends when its last function ends, by the logged durations (user time may exceed the line times)
  const starts: Record<string, number> = { [A]: t0, [B]: startB, [J]: startJ, ...(cTaken ? { [C]: startC } : {}) };
  const runtime = Math.max(...Object.entries(starts).map(([inst, ms]) => (ms - t0) / 1000 + durations[inst]!));
  return {
    truth: { run_id: runId, start_ms: tEntry, end_ms: end, c_taken: cTaken, regions, durations, latencies, runtime_s: runtime, failed: !!o.fail },
    lines,
  };
}

/** An in-memory Logs double: lines per function, read by [start, end). */
export class MemoryLogs implements Logs {
  readonly streams = new Map<string, LogLine[]>();
  reads = 0;
  /** throw on the read with this (1-based) number, to simulate an interrupted sync */
  failOnRead?: number;

  add(key: string, line: LogLine): void {
    let l = this.streams.get(key);
    if (!l) this.streams.set(key, (l = []));
    l.push(line);
  }
  addRuns(runs: GeneratedRun[]): void {
    for (const r of runs) for (const { key, line } of r.lines) this.add(key, line);
  }
  async read(region: string, functionName: string, start: number, end: number): Promise<LogLine[]> {
    this.reads++;
    if (this.failOnRead !== undefined && this.reads === this.failOnRead) throw new Error('simulated crash while reading logs');
    const l = this.streams.get(`${region}/${functionName}`) ?? [];
    return l.filter((x) => x.time >= start && x.time < end).sort((x, y) => x.time - y.time);
  }
}

/** A memory KV with the workflow's deployment resources (every function in both regions). */
export async function tablesWithWorkflow(): Promise<KeyValueStore> {
  const kv = new MemoryKeyValueStore();
  await kv.ensureTable(SYSTEM_REGION, TABLES.deploymentResources);
  const functions = FUNCTIONS.flatMap((fn) => REGIONS.map((region) => ({ function_name: fn, region, physical_name: physical(fn, region), topic: `topic-${fn}-${region}` })));
  await kv.put(SYSTEM_REGION, TABLES.deploymentResources, WF, { workflow_id: WF, functions, updated_at: '2026-11-01T00:00:00.000Z' });
  return kv;
}

/** Generates `n` runs, one every `gapMs` from `t0`. */
export function makeRuns(seed: number, n: number, t0: number, gapMs: number, o: RunOptions = {}): GeneratedRun[] {
  const rand = rng(seed);
  return Array.from({ length: n }, (_, i) => makeRun(rand, `run-${seed}-${i}`, t0 + i * gapMs, o));
}
