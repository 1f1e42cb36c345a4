/**
 * The reference solver scenario (../shared/bench/solver-scenario.md), built in the project's
 * own record formats from a seed: 10 regions (the first is home) plus the system region, a
 * chain of 5 instances with every edge taken, data measured only at home. Used by the
 * benchmark and the tests; the shape can be varied for other tests.
 */
import type { KeyValueStore } from '../cloud/ports/key-value';
import type { AvailableRegion, CarbonRegionRecord, PerformanceRegionRecord, ProviderRegionRecord } from '../model/region-data';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import type { WorkflowConfig } from '../model/workflow-config';
import type { EdgeSummary, InstanceSummary, WorkflowInstanceRecord } from '../model/workflow-instance';
import { fitLatencyLine } from './calculators';
import type { SolveInput } from './input';
import { mulberry32 } from '../random/mulberry32';
export { mulberry32 };

/** Real region codes standing for the scenario's r0 … r9 (r0 = home); the system region is us-west-2. */
export const SCENARIO_REGIONS = ['us-east-1', 'us-east-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1'];


/** Shape of a generated scenario; the defaults are the reference scenario. */
export interface ScenarioOptions {
  seed?: number;
  regions?: number;
  chain?: number;
  samples?: number;
  /** gCO2e/kWh of region i at hour h (null = overall); default 50 + 40·i (+ h) */
  intensity?: (i: number, hour: number | null) => number;
  /** per-edge invocation probability (default 1) */
  probability?: number;
  priority?: Array<'carbon' | 'cost' | 'runtime'>;
  /**
   * 'chain' (default): f0 → f1 → … → f(n−1). 'fanout': f0 calls f1 … f(n−2) and each of them
   * calls the join f(n−1) (n−2 join slots; the scaling case of the solver benchmark).
   */
  shape?: 'chain' | 'fanout';
}

/** Builds the reference scenario (or a variation) as a SolveInput. */
export function referenceScenario(opts: ScenarioOptions = {}): SolveInput {
  const rand = mulberry32(opts.seed ?? 42);
  const R = opts.regions ?? 10;
  const L = opts.chain ?? 5;
  const S = opts.samples ?? 50;
  const p = opts.probability ?? 1;
  const intensity = opts.intensity ?? ((i: number, h: number | null) => 50 + 40 * i + (h ?? 0));
  if (R > SCENARIO_REGIONS.length) throw new Error(`at most ${SCENARIO_REGIONS.length} scenario regions`);
  const regions = SCENARIO_REGIONS.slice(0, R);
  const home = regions[0];
  const all = [...regions, SYSTEM_REGION];
  const fanout = opts.shape === 'fanout';
  if (fanout && L < 3) throw new Error('a fan-out scenario needs at least 3 instances (entry, a branch, the join)');
  const wf = fanout ? 'bench_fanout' : 'bench_chain';
  const names = Array.from({ length: L }, (_, i) => (i === 0 ? 'f0:entry_point:0' : `f${i}:${wf}-0_0_1-f${i - 1}_0_0:${i}`));
  // successors and predecessors by index
  const succOf = (i: number): number[] => (fanout ? (i === 0 ? range(1, L - 1) : i < L - 1 ? [L - 1] : []) : i + 1 < L ? [i + 1] : []);
  const predOf = (i: number): number[] => (fanout ? (i === 0 ? [] : i < L - 1 ? [0] : range(1, L - 1)) : i > 0 ? [i - 1] : []);
  const join = (i: number) => fanout && i === L - 1;
  const config: WorkflowConfig = {
    workflow_id: `${wf}-0.0.1`,
    workflow_name: wf,
    workflow_version: '0.0.1',
    home_region: { provider: 'aws', region: home },
    instances: names.map((n, i) => ({
      instance_name: n,
      function_name: `f${i}`,
      succeeding_instances: succOf(i).map((k) => names[k]),
      preceding_instances: predOf(i).map((k) => names[k]),
      call_sites: succOf(i).map((k, site) => ({ site, successor: names[k] })),
      ...(i === 0 ? { entry_point: true } : {}),
      ...(join(i) ? { join_slots: predOf(i).map((k) => `${names[k]}#0`) } : {}),
    })),
    functions: names.map((_, i) => ({ name: `f${i}`, entry_point: i === 0, is_join: join(i), memory: 1769, timeout: 60, architecture: 'x86_64' as const, environment: {} })),
    constraints: { hard_resource_constraints: null, soft_resource_constraints: null, priority_order: opts.priority ?? ['carbon', 'cost', 'runtime'] },
    deployment_algorithm: 'stochastic',
  };
  const sizesFrom = [1e-5, 2e-5, 5e-5];
  const summary: Record<string, InstanceSummary> = {};
  names.forEach((n, i) => {
    const next = succOf(i).map((k) => names[k]);
    const samples = Array.from({ length: S }, () => {
      const d = 0.5 + rand();
      return { duration_s: d, data_transfer_gb: 1e-4, call_offsets_s: Object.fromEntries(next.map((x) => [x, 0.9 * d])) };
    });
    const to: Record<string, EdgeSummary> = {};
    for (const x of next) {
      const sizes = Array.from({ length: S }, () => sizesFrom[Math.floor(rand() * 3)]);
      const lat: Array<[number, number]> = sizes.map((s) => [s, 0.1 + 0.2 * rand()]);
      const line = fitLatencyLine(lat);
      to[x] = {
        invoked: Math.round(S * p),
        non_executions: S - Math.round(S * p),
        invocation_probability: p,
        transfer_sizes_gb: sizes,
        regions_to_regions: { [home]: { [home]: { samples: lat, ...(line ? { best_fit_line: line } : {}) } } },
      };
    }
    summary[n] = { invocations: S, cpu_utilization: 0.5, executions: { [home]: { cpu_utilization: 0.5, samples } }, to_instance: to };
  });
  const instance: WorkflowInstanceRecord = {
    workflow_id: config.workflow_id,
    collected_at: '2026-11-21T00:00:00.000Z',
    workflow_runtime_samples: [],
    daily_invocation_counts: { '2026-11-21': S },
    daily_failure_counts: {},
    start_hop_summary: { invoked: S, wpd_size_gb: 2e-6, transfer_sizes_gb: [1e-6], latencies_s: {} },
    instance_summary: summary,
  };
  const provider: Record<string, ProviderRegionRecord> = {};
  const carbon: Record<string, CarbonRegionRecord> = {};
  const performance: Record<string, PerformanceRegionRecord> = {};
  all.forEach((r, i) => {
    provider[r] = {
      region: r,
      execution_cost: { invocation_cost: { x86_64: 2e-7, arm64: 2e-7 }, compute_cost: { x86_64: 1.66667e-5, arm64: 1.66667e-5 } },
      transmission_cost: { global_data_transfer: 0.09, provider_data_transfer: 0.02 },
      sns_cost: { request_cost: 0.5e-6 },
      dynamodb_cost: { read_request_cost: 0.25e-6, write_request_cost: 1.25e-6 },
      pue: 1.11,
      average_memory_power: 0.0003725,
      max_cpu_power: 0.0035,
      min_cpu_power: 0.00074,
      available_architectures: ['x86_64', 'arm64'],
      filled: [],
      source: 'reference scenario',
    };
    const averages: Record<string, { carbon_intensity: number }> = { overall: { carbon_intensity: intensity(i, null) } };
    for (let h = 0; h < 24; h++) averages[String(h)] = { carbon_intensity: intensity(i, h) };
    carbon[r] = { region: r, averages, units: 'gCO2eq/kWh', transmission_distances: {}, transmission_distances_unit: 'km', for_date: '2026-11-21', source: 'reference scenario', filled: [] };
    const tl: Record<string, { latency_distribution: number[]; unit: 's' }> = {};
    all.forEach((o, j) => (tl[o] = { latency_distribution: [0.01 * (1 + Math.abs(i - j))], unit: 's' }));
    performance[r] = { region: r, relative_performance: 1, transmission_latency: tl, source: 'reference scenario', filled: [] };
  });
  return { workflow_id: config.workflow_id, config, instance, available_regions: [...regions].sort(), provider, carbon, performance };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

/** Writes a SolveInput into the system tables the way the collectors and the deployer would. */
export async function writeScenarioTables(kv: KeyValueStore, input: SolveInput): Promise<void> {
  const put = async (table: string, key: string, value: unknown) => {
    await kv.ensureTable(SYSTEM_REGION, table);
    await kv.put(SYSTEM_REGION, table, key, value);
  };
  for (const t of [TABLES.availableRegions, TABLES.providerRegion, TABLES.carbonRegion, TABLES.performanceRegion, TABLES.workflowInstance, TABLES.deploymentManagerResource])
    await kv.ensureTable(SYSTEM_REGION, t);
  await put(TABLES.deploymentManagerResource, input.workflow_id, input.config);
  if (input.instance) await put(TABLES.workflowInstance, input.workflow_id, input.instance);
  for (const r of input.available_regions) {
    const rec: AvailableRegion = { provider: 'aws', code: r, name: r, latitude: 0, longitude: 0, grid_zone: r };
    await put(TABLES.availableRegions, r, rec);
  }
  for (const [r, v] of Object.entries(input.provider)) await put(TABLES.providerRegion, r, v);
  for (const [r, v] of Object.entries(input.carbon)) await put(TABLES.carbonRegion, r, v);
  for (const [r, v] of Object.entries(input.performance)) await put(TABLES.performanceRegion, r, v);
}
