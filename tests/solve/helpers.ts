import type { EdgeSummary, InstanceSummary } from '../../src/model/workflow-instance';
import type { SolveInput } from '../../src/solve/input';
import { referenceScenario } from '../../src/solve/reference-scenario';

export interface NodeSpec {
  fn: string;
  durations: number[];
  /** successor function → call offset as a fraction of the duration (default 1: at the end) */
  offsets?: Record<string, number>;
  memory?: number;
}
export interface EdgeSpec {
  from: string;
  to: string;
  p: number;
  sizes: number[];
  /** home→home latency samples, one per size */
  latencies: number[];
}

/** A workflow of named functions (one instance each, named by function) over the reference scenario's regions. */
export function customInput(nodes: NodeSpec[], edges: EdgeSpec[], regions = 3): SolveInput {
  const base = referenceScenario({ regions });
  const home = base.config.home_region.region;
  const succ = (fn: string) => edges.filter((e) => e.from === fn).map((e) => e.to);
  const pred = (fn: string) => edges.filter((e) => e.to === fn).map((e) => e.from);
  base.config.instances = nodes.map((n, i) => ({
    instance_name: n.fn,
    function_name: n.fn,
    succeeding_instances: succ(n.fn),
    preceding_instances: pred(n.fn),
    call_sites: succ(n.fn).map((s, k) => ({ site: k, successor: s })),
    ...(i === 0 ? { entry_point: true } : {}),
    ...(pred(n.fn).length > 1 ? { join_slots: pred(n.fn).map((p) => `${p}#0`) } : {}),
  }));
  base.config.functions = nodes.map((n, i) => ({
    name: n.fn,
    entry_point: i === 0,
    is_join: pred(n.fn).length > 1,
    memory: n.memory ?? 1769,
    timeout: 60,
    architecture: 'x86_64' as const,
    environment: {},
  }));
  const summary: Record<string, InstanceSummary> = {};
  for (const n of nodes) {
    const to: Record<string, EdgeSummary> = {};
    for (const e of edges.filter((x) => x.from === n.fn))
      to[e.to] = {
        invoked: 100 * e.p,
        non_executions: 100 * (1 - e.p),
        invocation_probability: e.p,
        transfer_sizes_gb: e.sizes,
        regions_to_regions: { [home]: { [home]: { samples: e.sizes.map((s, k) => [s, e.latencies[k]] as [number, number]) } } },
      };
    summary[n.fn] = {
      invocations: 100,
      cpu_utilization: 0.5,
      executions: {
        [home]: {
          cpu_utilization: 0.5,
          samples: n.durations.map((d) => ({
            duration_s: d,
            data_transfer_gb: 0,
            call_offsets_s: Object.fromEntries(succ(n.fn).map((s) => [s, d * (n.offsets?.[s] ?? 1)])),
          })),
        },
      },
      to_instance: to,
    };
  }
  base.instance = { ...(base.instance as NonNullable<SolveInput['instance']>), instance_summary: summary };
  return base;
}

/** Evenly spaced values a, a+step, … (n of them). */
export function range(n: number, a: number, step: number): number[] {
  return Array.from({ length: n }, (_, i) => a + i * step);
}
