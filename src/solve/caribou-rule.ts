/**
 * A faithful, sequential port of Caribou's default solver, StochasticHeuristicDeploymentAlgorithm
 * (caribou/deployment_solver/deployment_algorithms/stochastic_heuristic_deployment_algorithm.py;
 * ../shared/reference/caribou-solver.md §1.4), used only as a yardstick: `npm run bench -- solver
 * --compare` and `bench -- outcome` compare our plans with what Caribou would have chosen on the
 * same inputs. Our own search (./search.ts) runs in rounds for Step Functions and differs on
 * purpose; this module must not.
 *
 * What makes it faithful (each point was a difference of the earlier in-round "caribou" rule):
 *  - the walk is updated after EVERY proposal: each move starts from the deployment the previous
 *    proposal left current (not 16 proposals from one state);
 *  - best-so-far starts at the HOME metrics, so the coarse sweep adds a region to the bias set
 *    only when its single-region deployment beats home, and home itself never enters it (the
 *    changed regions of a deployment equal to home are none);
 *  - a deployment is remembered only when accepted (rejected ones may be proposed again);
 *    repeats and hard-constraint failures cost an iteration but no cooling;
 *  - acceptance of a non-improvement: min(1, 2^(−|home_primary − T| / T)), independent of the
 *    candidate (Caribou's "Boltzmann" rule);
 *  - only the coarse deployments and the ACCEPTED ones reach the ranker, which sorts by soft
 *    constraint violations, then the priority order on means (src/solve/rank, Caribou's ranker);
 *  - every evaluation draws fresh Monte Carlo samples (Python's calculator shares no random
 *    numbers between deployments), so the search sees the same noise Caribou's does. The bench
 *    re-scores the chosen deployment with the common evaluator before comparing.
 * Pure and seeded; no clock (Caribou's 800 s time budget never binds at these sizes).
 */
import type { DeploymentMetrics } from '../model/staging';
import * as C from './constants';
import { compileModel, type Model } from './compile';
import type { SolveInput } from './input';
import { Packed, failsHard, pack, rank, rankContext, METRIC_INDEX } from './rank';
import { Simulator, hourData } from './simulate';
import { mulberry32 } from '../random/mulberry32';

export interface CaribouRuleOptions {
  /** intensity hour "0"…"23", or null for the daily overall (Caribou's single plan under "0") */
  hour?: string | null;
  /** seed of the search's random choices (Python's `random`) */
  seed?: number;
  /** Monte Carlo runs per evaluation (Caribou: 2,000) */
  runs?: number;
  tail?: number;
}

export interface CaribouRulePlan {
  /** node id → region id, in the model's node order */
  deployment: number[];
  /** instance name → region */
  placement: Record<string, string>;
  /** the metrics the search itself saw for the chosen deployment (noisy, as Caribou's) */
  metrics: DeploymentMetrics;
  evaluations: number;
  /** deployments the ranker saw (coarse + accepted) */
  ranked: number;
}

/** Runs Caribou's stochastic heuristic on one hour of `input`. */
export function caribouRuleSolve(input: SolveInput, opts: CaribouRuleOptions = {}, model: Model = compileModel(input)): CaribouRulePlan {
  const runs = opts.runs ?? C.DEFAULT_RUNS;
  const tail = opts.tail ?? C.DEFAULT_TAIL_PERCENTILE;
  const rnd = mulberry32((opts.seed ?? 1) >>> 0);
  const sim = new Simulator(model, Math.max(runs, C.DEFAULT_RUNS));
  const hd = hourData(input, model, opts.hour ?? null);
  const { N, R } = model;
  // fresh samples per evaluation: a seed drawn from a separate stream, so the search's own
  // random choices do not depend on how many evaluations ran
  const simSeeds = mulberry32(((opts.seed ?? 1) ^ 0x9e3779b9) >>> 0);
  let evaluations = 0;
  const evaluate = (d: number[]): Packed => {
    evaluations++;
    return pack(sim.evaluate(d, hd, { runs, tail, seed: Math.floor(simSeeds() * 2 ** 32) }));
  };

  const homeD = new Array<number>(N).fill(model.homeIndex);
  const homeM = evaluate(homeD);
  const ctx = rankContext(input.config.constraints, homeM);
  const hard = input.config.constraints?.hard_resource_constraints;
  const P = METRIC_INDEX[ctx.priority[0]];
  let best = homeM; // Caribou: _best_deployment_metrics = deepcopy(home metrics)
  const bias = new Set<number>();
  const storeBias = (d: number[], from: number[]) => d.forEach((r, i) => r !== from[i] && bias.add(r));

  // coarse phase: every region permitted for all instances, in region-index order
  const deployments: Array<{ d: number[]; m: Packed }> = [];
  for (let r = 0; r < R; r++) {
    if (model.permitted.some((rs) => !rs.includes(r))) continue;
    const d = new Array<number>(N).fill(r);
    const m = r === model.homeIndex ? homeM : evaluate(d);
    if (failsHard(m, hard, homeM)) continue;
    if (m[P] < best[P]) {
      best = m;
      storeBias(d, homeD);
    }
    deployments.push({ d, m });
  }
  if (deployments.length === 0) deployments.push({ d: homeD, m: homeM });

  // stochastic phase
  const learningRate = Math.floor(N * 0.2 + 1);
  const iterations = R * N * 3;
  let maxCombinations = 1;
  for (const rs of model.permitted) maxCombinations *= rs.length;
  let temperature = 1;
  let current = [...homeD];
  const generated = new Set(deployments.map((x) => x.d.join(',')));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  for (let it = 0; it < iterations; it++) {
    const d = [...current];
    for (let k = 0; k < learningRate; k++) {
      const i = Math.floor(rnd() * N); // random.randint(0, N-1), with replacement
      const permitted = model.permitted[i];
      if (rnd() < C.BIAS_PROBABILITY && bias.size > 0) {
        const possible = permitted.filter((r) => bias.has(r));
        d[i] = possible.length > 0 ? pick(possible) : pick(permitted);
      } else d[i] = pick(permitted);
    }
    const key = d.join(',');
    if (generated.has(key)) continue;
    const m = evaluate(d);
    if (failsHard(m, hard, homeM)) continue;
    let accept: boolean;
    if (m[P] < best[P]) {
      best = m;
      storeBias(d, current);
      accept = true;
    } else {
      const home = homeM[P];
      const p = temperature === 0 ? 1 : Math.min(1, 2 ** (-Math.abs(home - temperature) / temperature));
      accept = rnd() < p;
    }
    if (accept) {
      current = d;
      deployments.push({ d, m });
      generated.add(key);
    }
    temperature *= C.TEMPERATURE_DECAY;
    if (deployments.length >= maxCombinations) break;
  }

  const ranked = rank(deployments, ctx);
  const chosen = ranked[0] ?? { d: homeD, m: homeM };
  const m = chosen.m;
  return {
    deployment: chosen.d,
    placement: Object.fromEntries(model.instances.map((name, i) => [name, model.regions[chosen.d[i]]])),
    metrics: { cost: { mean: m[0], tail: m[1] }, runtime: { mean: m[2], tail: m[3] }, carbon: { mean: m[4], tail: m[5] } },
    evaluations,
    ranked: deployments.length,
  };
}
