/**
 * The workflow collector: turns a workflow's log summary (workflow_summary_table, written by
 * the log syncer) into the workflow_instance record the solver learns from.
 *
 *   const record = await collectWorkflow(tables, 'map_reduce-0.0.1', new Date());
 *
 * Per instance: durations, CPU utilisation and successor call offsets per region; per edge:
 * invocation probability (invoked / (invoked + non-executions), over the kept runs where the
 * source ran), transfer sizes, latencies per region pair with a least-squares line by size;
 * plus the start hop, end-to-end runtimes and daily counts. The record is plain JSON (the
 * solver decodes it directly); if it would exceed the item limit, the sample lists keep their
 * newest entries only — counts and probabilities still use every kept run.
 */
import type { KeyValueStore } from '../../cloud/ports/key-value';
import { UserError } from '../../model/errors';
import { SYSTEM_REGION, TABLES } from '../../model/tables';
import { decodeOrThrow } from '../../model/decode';
import { type EdgeSummary, type ExecutionSample, type InstanceSummary, WorkflowInstanceRecord, fitLatencyLine } from '../../model/workflow-instance';
import { decodeSummaryItem, type WorkflowSummary } from '../../model/workflow-summary';

/** Lambda gives one vCPU per 1,769 MB of memory (used for CPU utilisation). */
export const MB_PER_VCPU = 1769;
/**
 * Utilisation written when the runtime could not measure CPU time (cpu_s null, as on the local
 * cloud). The record has no "unknown", so this is the solver's own default for an unmeasured
 * instance (src/solve/constants CPU_UTILIZATION_DEFAULT), keeping both paths consistent.
 * (Caribou never had the case: a run without Lambda Insights data was dropped.)
 */
export const CPU_UTILIZATION_UNKNOWN = 0.5;
/** The record must fit a DynamoDB item (400 KB) with a margin. */
export const MAX_RECORD_BYTES = 380_000;

/** The best-fit line of latency by size, as the solver reads it (src/model/workflow-instance). */
export const fitBestLine = fitLatencyLine;

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
/**
 * Sizes in GB are bytes / 2^30: exact binary fractions that print with ~20 digits. Six
 * significant digits (an error below one part in a million) make the record a third smaller,
 * so more samples fit the item limit; durations and latencies are kept as stored (µs).
 */
const gb6 = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(6)));
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Builds the workflow_instance record from a summary (pure). `maxBytes` bounds its JSON size. */
export function buildWorkflowInstanceRecord(summary: WorkflowSummary, now: Date, maxBytes = MAX_RECORD_BYTES): WorkflowInstanceRecord {
  type Acc = {
    invocations: number;
    cpu: number[];
    regions: Map<string, { cpu: number[]; samples: ExecutionSample[] }>;
    edges: Map<string, { invoked: number; non: number; sizes: number[]; sync: number[]; rr: Map<string, Map<string, Array<[number, number]>>> }>;
  };
  const inst = new Map<string, Acc>();
  const acc = (name: string): Acc => {
    let a = inst.get(name);
    if (!a) inst.set(name, (a = { invocations: 0, cpu: [], regions: new Map(), edges: new Map() }));
    return a;
  };
  const edge = (from: string, to: string) => {
    const a = acc(from);
    let e = a.edges.get(to);
    if (!e) a.edges.set(to, (e = { invoked: 0, non: 0, sizes: [], sync: [], rr: new Map() }));
    return e;
  };
  const entrySizes: number[] = [];
  const wpd: number[] = [];
  const clientLatency = new Map<string, number[]>();
  const runtimes: number[] = [];

  for (const run of summary.runs) {
    runtimes.push(run.runtime_s);
    entrySizes.push(gb6(run.entry.payload_gb));
    wpd.push(run.entry.wpd_gb);
    if (run.entry.client_latency_s !== null) push(clientLatency, run.entry.region, run.entry.client_latency_s);
    for (const x of run.executions) {
      const a = acc(x.instance);
      a.invocations++;
      let r = a.regions.get(x.region);
      if (!r) a.regions.set(x.region, (r = { cpu: [], samples: [] }));
      r.samples.push({ duration_s: x.duration_s, data_transfer_gb: gb6(x.data_transfer_gb), call_offsets_s: { ...x.calls } });
      if (x.cpu_s !== null && x.duration_s > 0 && x.memory_mb > 0) {
        const u = clamp01(x.cpu_s / (x.duration_s * (x.memory_mb / MB_PER_VCPU)));
        r.cpu.push(u);
        a.cpu.push(u);
      }
    }
    // one outcome per edge per run: several call sites into one join count once
    const invokedHere = new Set<string>();
    for (const m of run.transmissions) {
      const e = edge(m.from, m.to);
      const k = `${m.from}\u0000${m.to}`;
      if (!invokedHere.has(k)) {
        invokedHere.add(k);
        e.invoked++;
      }
      e.sizes.push(gb6(m.size_gb));
      if (m.sync_gb !== null) e.sync.push(m.sync_gb);
      if (m.latency_s !== null) {
        let byTo = e.rr.get(m.from_region);
        if (!byTo) e.rr.set(m.from_region, (byTo = new Map()));
        let l = byTo.get(m.to_region);
        if (!l) byTo.set(m.to_region, (l = []));
        l.push([gb6(m.size_gb), m.latency_s]);
      }
    }
    for (const [from, to] of run.skipped) edge(from, to).non++;
  }

  // bounded sample lists: `limit` newest entries of each (Infinity = all)
  const build = (limit: number): WorkflowInstanceRecord => {
    const tail = <T>(xs: T[]): T[] => (xs.length > limit ? xs.slice(xs.length - limit) : xs);
    const instance_summary: Record<string, InstanceSummary> = {};
    for (const name of [...inst.keys()].sort()) {
      const a = inst.get(name)!;
      const executions: InstanceSummary['executions'] = {};
      for (const region of [...a.regions.keys()].sort()) {
        const r = a.regions.get(region)!;
        executions[region] = { cpu_utilization: r.cpu.length ? mean(r.cpu) : CPU_UTILIZATION_UNKNOWN, samples: tail(r.samples) };
      }
      const to_instance: Record<string, EdgeSummary> = {};
      for (const succ of [...a.edges.keys()].sort()) {
        const e = a.edges.get(succ)!;
        const regions_to_regions: EdgeSummary['regions_to_regions'] = {};
        for (const fr of [...e.rr.keys()].sort()) {
          regions_to_regions[fr] = {};
          const byTo = e.rr.get(fr)!;
          for (const tr of [...byTo.keys()].sort()) {
            const samples = byTo.get(tr)!;
            // the line is fitted on every sample, even when the stored list is shortened
            const line = fitBestLine(samples);
            regions_to_regions[fr]![tr] = { samples: tail(samples), ...(line ? { best_fit_line: line } : {}) };
          }
        }
        const total = e.invoked + e.non;
        to_instance[succ] = {
          invoked: e.invoked,
          non_executions: e.non,
          invocation_probability: total > 0 ? e.invoked / total : 0,
          transfer_sizes_gb: tail(e.sizes),
          regions_to_regions,
          ...(e.sync.length ? { sync_size_gb: gb6(mean(e.sync)) } : {}),
        };
      }
      instance_summary[name] = {
        invocations: a.invocations,
        cpu_utilization: a.cpu.length ? mean(a.cpu) : CPU_UTILIZATION_UNKNOWN,
        executions,
        to_instance,
      };
    }
    const latencies_s: Record<string, number[]> = {};
    for (const region of [...clientLatency.keys()].sort()) latencies_s[region] = tail(clientLatency.get(region)!);
    return {
      workflow_id: summary.workflow_id,
      collected_at: now.toISOString(),
      workflow_runtime_samples: tail(runtimes),
      daily_invocation_counts: { ...summary.daily_invocation_counts },
      daily_failure_counts: { ...summary.daily_failure_counts },
      start_hop_summary: { invoked: summary.runs.length, wpd_size_gb: gb6(mean(wpd)), transfer_sizes_gb: tail(entrySizes), latencies_s },
      instance_summary,
    };
  };

  let limit = Infinity;
  let record = build(limit);
  let size = Buffer.byteLength(JSON.stringify(record));
  let longest = Math.max(1, summary.runs.length);
  while (size > maxBytes && longest > 1) {
    longest = Math.max(1, Math.floor(Math.min(longest, limit) * Math.min(0.9, (0.95 * maxBytes) / size)));
    limit = longest;
    record = build(limit);
    size = Buffer.byteLength(JSON.stringify(record));
  }
  return record;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Reads the summary of `workflowId`, writes its workflow_instance record, and returns it. */
export async function collectWorkflow(tables: KeyValueStore, workflowId: string, now: Date): Promise<WorkflowInstanceRecord> {
  const raw = await tables.get(SYSTEM_REGION, TABLES.workflowSummary, workflowId).catch(() => undefined);
  if (raw === undefined) throw new UserError(`workflow ${workflowId} has no log summary yet: run \`caribou log_sync -w ${workflowId}\` first`);
  const summary = decodeSummaryItem(raw, `${TABLES.workflowSummary}[${workflowId}]`);
  // decode what we built: a record the solver cannot read must fail here, not in the solver
  const record = decodeOrThrow(WorkflowInstanceRecord, buildWorkflowInstanceRecord(summary, now), `${TABLES.workflowInstance}[${workflowId}]`);
  await tables.ensureTable(SYSTEM_REGION, TABLES.workflowInstance);
  await tables.put(SYSTEM_REGION, TABLES.workflowInstance, workflowId, record);
  return record;
}
