/**
 * The search, as rounds over a small JSON state (so Step Functions can drive it: a Map state
 * scores the batches of one round in parallel, a Choice loops until done). Every hour key is an
 * independent search; all hours advance in the same round.
 *
 *  round 1: home (+ every single-region deployment for coarse and stochastic, or the first chunk
 *           of the exhaustive enumeration for fine);
 *  later:   fine → next chunk; stochastic → up to `proposalsPerRound` moves from the current
 *           deployment, absorbed in proposal order with the acceptance rule.
 *
 * Stochastic search follows Caribou: bias regions gathered by the coarse sweep, moves of
 * int(0.2N+1) instances (a biased region with probability 0.2), 3·R·N iterations, temperature
 * ×0.99 per scored proposal, early stop once every combination was generated. Two acceptance
 * rules: 'caribou' (probability from the home value and the temperature only — its defect) and
 * 'metropolis' (ours, the default: compares the candidate with the current deployment). Unlike
 * Caribou, every feasible scored candidate reaches the ranking, not only accepted ones.
 */
import { UserError } from '../model/errors';
import type { MetricName } from '../model/manifest';
import { algorithmShortName } from '../model/manifest';
import * as C from './constants';
import { Model, fnv1a } from './compile';
import { METRIC_INDEX, Packed, compareRanked, failsHard, rankContext, softViolations } from './rank';
import type { SolveInput } from './input';
import { mulberry32Step } from '../random/mulberry32';

export type Algorithm = 'coarse' | 'fine' | 'stochastic';
export type Acceptance = 'metropolis' | 'caribou';

/** Options of a solve; every field has a default. */
export interface SolveOptions {
  /** default: the workflow's deployment_algorithm, else stochastic */
  algorithm?: Algorithm;
  /** hour keys to plan ("0"…"23"); default: one plan under "0" from the daily overall intensity (Caribou) */
  hours?: string[] | null;
  runs?: number;
  /** tail percentile, default 95 */
  tail?: number;
  seed?: number;
  /** candidates per Monte Carlo batch */
  batchSize?: number;
  /** stochastic proposals per hour per round */
  proposalsPerRound?: number;
  acceptance?: Acceptance;
  /** stochastic iterations per hour; default 3·R·N (Caribou) */
  iterations?: number;
  maxFineCombinations?: number;
  /** ISO time the plan is made at (the core never reads the clock); default the epoch */
  now?: string;
  /** plan life in seconds; default 86400 */
  expirySeconds?: number;
}

/** Resolved options, as stored in the state. */
export type ResolvedOptions = Required<Omit<SolveOptions, 'hours'>> & { hours: string[] | null };

/** One stochastic hour's walk. */
interface Walk {
  current: number[];
  currentM: Packed;
  bestEver: number;
  temperature: number;
  iter: number;
  iterations: number;
  generated: number;
  maxCombinations: number;
  /** base64 of the remembered deployment hashes (Uint32, most recent last) */
  remembered: string;
  bias: number[];
  rng: number;
}

/** The search of one hour key. */
export interface HourState {
  key: string;
  /** the intensity hour ("0"…"23") or null for the daily overall */
  hour: string | null;
  phase: 'start' | 'fine' | 'stochastic' | 'done';
  home: Packed | null;
  best: { d: number[]; m: Packed } | null;
  /** candidates issued this round, awaiting scores */
  pending: number[][];
  /** fine: next enumeration index and total */
  cursor: number;
  total: number;
  walk: Walk | null;
}

/** The whole solve between rounds: JSON-serialisable and small. */
export interface SolveState {
  v: 1;
  workflow_id: string;
  fingerprint: string;
  options: ResolvedOptions;
  round: number;
  evaluations: number;
  hours: HourState[];
}

/**
 * One deployment to score, and where its scores go: [hour index, index in that hour's pending
 * list] pairs. Hours proposing the same deployment in a round share one simulation.
 */
export interface CandidateItem {
  d: number[];
  at: Array<[number, number]>;
}

/** A Monte Carlo batch: what one Map iteration (one Lambda) scores. */
export interface CandidateBatch {
  workflow_id: string;
  fingerprint: string;
  runs: number;
  tail: number;
  /** the simulation seed: the same for every candidate and hour (common random numbers) */
  seed: number;
  /** per hour index: the intensity hour ("0"…"23", or null for the daily overall) */
  hours: Array<string | null>;
  items: CandidateItem[];
}

/** Scores of one batch, aligned with its items. */
export interface BatchResult {
  items: Array<{ h: number; i: number; m: Packed }>;
}

/** A packed metric ordering helper: the number-one priority's mean. */
function primary(ctxPriority: MetricName[], m: Packed): number {
  return m[METRIC_INDEX[ctxPriority[0]]];
}

/** mulberry32 step on a serialisable uint32 state: returns [value in [0,1), next state]. */
const step = mulberry32Step;

/** A tiny seeded generator whose state can be read back for the JSON state. */
class Rng {
  constructor(public s: number) {}
  next(): number {
    const [v, s] = step(this.s);
    this.s = s;
    return v;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function hashOf(d: readonly number[]): number {
  return fnv1a(d.join(','));
}

function encodeHashes(hs: number[]): string {
  return Buffer.from(Uint32Array.from(hs).buffer).toString('base64');
}

function decodeHashes(s: string): number[] {
  const b = Buffer.from(s, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readUInt32LE(i));
  return out;
}

/** Resolves options against the workflow's config. */
export function resolveOptions(input: SolveInput, opts: SolveOptions = {}): ResolvedOptions {
  const algorithm = opts.algorithm ?? algorithmShortName(input.config.deployment_algorithm ?? undefined);
  const hours = opts.hours ?? null;
  if (hours) {
    if (hours.length === 0) throw new UserError('--hours: give at least one hour key, e.g. 0,6,12,18');
    for (const h of hours) if (!/^(?:[0-9]|1[0-9]|2[0-3])$/.test(h)) throw new UserError(`--hours: "${h}" is not an hour key 0 to 23`);
    if (new Set(hours).size !== hours.length) throw new UserError(`--hours: each hour at most once; got ${hours.join(',')}`);
  }
  const r = {
    algorithm,
    hours: hours ? [...hours].sort((a, b) => Number(a) - Number(b)) : null,
    runs: opts.runs ?? C.DEFAULT_RUNS,
    tail: opts.tail ?? C.DEFAULT_TAIL_PERCENTILE,
    seed: (opts.seed ?? 1) >>> 0,
    batchSize: opts.batchSize ?? C.DEFAULT_BATCH_SIZE,
    proposalsPerRound: opts.proposalsPerRound ?? C.DEFAULT_PROPOSALS_PER_ROUND,
    acceptance: opts.acceptance ?? 'metropolis',
    iterations: opts.iterations ?? -1,
    maxFineCombinations: opts.maxFineCombinations ?? C.FINE_MAX_COMBINATIONS,
    now: opts.now ?? new Date(0).toISOString(),
    expirySeconds: opts.expirySeconds ?? C.DEFAULT_EXPIRY_SECONDS,
  };
  if (!(r.runs >= 1 && Number.isInteger(r.runs))) throw new UserError(`runs must be a positive integer; got ${r.runs}`);
  if (!(r.tail > 0 && r.tail < 100)) throw new UserError(`tail percentile must be between 0 and 100; got ${r.tail}`);
  if (!(r.batchSize >= 1 && r.proposalsPerRound >= 1)) throw new UserError('batch size and proposals per round must be at least 1');
  return r;
}

/** Number of deployments the exhaustive search would score per hour. */
export function combinations(model: Model): number {
  return model.permitted.reduce((p, rs) => p * rs.length, 1);
}

/** Starts a solve: the state of round 0, with each hour's first candidates pending. */
export function initialState(model: Model, input: SolveInput, options: ResolvedOptions): SolveState {
  if (options.algorithm === 'fine') {
    const total = combinations(model);
    if (total > options.maxFineCombinations)
      throw new UserError(
        `fine-grained search of ${input.workflow_id} would score ${total} deployments per hour (${model.N} instances over ${model.R} regions); ` +
          `the limit is ${options.maxFineCombinations}. Use -s stochastic or coarse, or restrict regions in the manifest.`,
      );
  }
  const keys = options.hours ?? ['0'];
  const hours: HourState[] = keys.map((key) => ({
    key,
    hour: options.hours ? key : null,
    phase: 'start',
    home: null,
    best: null,
    pending: [],
    cursor: 0,
    total: 0,
    walk: null,
  }));
  return { v: 1, workflow_id: input.workflow_id, fingerprint: model.fingerprint, options, round: 0, evaluations: 0, hours };
}

function singleRegionCandidates(model: Model): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < model.R; r++) {
    if (r === model.homeIndex) continue;
    if (model.permitted.every((rs) => rs.includes(r))) out.push(new Array(model.N).fill(r));
  }
  return out;
}

function fineCandidate(model: Model, index: number): number[] {
  const d = new Array(model.N);
  let x = index;
  for (let i = model.N - 1; i >= 0; i--) {
    const rs = model.permitted[i];
    d[i] = rs[x % rs.length];
    x = Math.floor(x / rs.length);
  }
  return d;
}

const FINE_CHUNK = 256;

/** Fills each unfinished hour's pending list for the next round; returns false when every hour is done. */
export function issueRound(model: Model, state: SolveState): boolean {
  const o = state.options;
  let any = false;
  for (const hs of state.hours) {
    hs.pending = [];
    if (hs.phase === 'done') continue;
    if (hs.phase === 'start') {
      const home = new Array(model.N).fill(model.homeIndex);
      hs.pending.push(home);
      if (o.algorithm === 'fine') {
        hs.total = combinations(model);
        // the enumeration includes home again; it shares the round's simulation of home
        for (; hs.cursor < hs.total && hs.pending.length < FINE_CHUNK; hs.cursor++) hs.pending.push(fineCandidate(model, hs.cursor));
      } else hs.pending.push(...singleRegionCandidates(model));
    } else if (hs.phase === 'fine') {
      for (; hs.cursor < hs.total && hs.pending.length < FINE_CHUNK; hs.cursor++) hs.pending.push(fineCandidate(model, hs.cursor));
    } else if (hs.phase === 'stochastic' && hs.walk) {
      proposeMoves(model, state, hs, hs.walk);
    }
    if (hs.pending.length === 0) hs.phase = 'done';
    else any = true;
  }
  return any;
}

/** Generates up to proposalsPerRound new deployments from the current one (Caribou's move). */
function proposeMoves(model: Model, state: SolveState, hs: HourState, w: Walk): void {
  const o = state.options;
  const rng = new Rng(w.rng);
  const remembered = decodeHashes(w.remembered);
  const seen = new Set(remembered);
  const learningRate = Math.floor(model.N * 0.2 + 1);
  while (hs.pending.length < o.proposalsPerRound && w.iter < w.iterations && w.generated < w.maxCombinations) {
    w.iter++;
    const d = [...w.current];
    for (let k = 0; k < learningRate; k++) {
      const i = rng.int(model.N);
      const permitted = model.permitted[i];
      const biased = w.bias.filter((r) => permitted.includes(r));
      // Caribou draws the bias coin first, and uses it only when some bias region is permitted
      const useBias = rng.next() < C.BIAS_PROBABILITY && biased.length > 0;
      d[i] = useBias ? biased[rng.int(biased.length)] : permitted[rng.int(permitted.length)];
    }
    const h = hashOf(d);
    if (seen.has(h)) continue; // Caribou: a repeat costs an iteration but no evaluation and no cooling
    seen.add(h);
    remembered.push(h);
    w.generated++;
    hs.pending.push(d);
  }
  w.rng = rng.s;
  w.remembered = encodeHashes(remembered.slice(-C.REMEMBERED_DEPLOYMENTS));
}

/** Groups the pending candidates of every hour by deployment and splits them into batches of batchSize deployments. */
export function batchesOf(state: SolveState): CandidateBatch[] {
  const byKey = new Map<string, CandidateItem>();
  state.hours.forEach((hs, h) =>
    hs.pending.forEach((d, i) => {
      const key = d.join(',');
      const item = byKey.get(key);
      if (item) item.at.push([h, i]);
      else byKey.set(key, { d, at: [[h, i]] });
    }),
  );
  const items = [...byKey.values()];
  const out: CandidateBatch[] = [];
  const hours = state.hours.map((hs) => hs.hour);
  const o = state.options;
  for (let k = 0; k < items.length; k += o.batchSize)
    out.push({ workflow_id: state.workflow_id, fingerprint: state.fingerprint, runs: o.runs, tail: o.tail, seed: o.seed, hours, items: items.slice(k, k + o.batchSize) });
  return out;
}

/** Folds one round's scores into the state, hour by hour, in the order the candidates were issued. */
export function absorbScores(model: Model, input: SolveInput, state: SolveState, results: BatchResult[]): void {
  const scores = state.hours.map((hs) => new Array<Packed | undefined>(hs.pending.length));
  for (const r of results)
    for (const it of r.items) {
      const hs = state.hours[it.h];
      if (!hs || it.i < 0 || it.i >= hs.pending.length) throw new Error(`batch result names candidate ${it.h}/${it.i}, which this round did not issue`);
      scores[it.h][it.i] = it.m;
    }
  const constraints = input.config.constraints;
  state.hours.forEach((hs, h) => {
    const got = scores[h];
    const missing = got.findIndex((m) => m === undefined);
    if (missing >= 0) throw new Error(`round ${state.round}: no score for candidate ${missing} of hour ${hs.key}; every batch of the round must be absorbed together`);
    state.evaluations += got.length;
    let from = 0;
    if (hs.phase === 'start') {
      hs.home = got[0] as Packed;
      from = 1;
    }
    const ctx = rankContext(constraints, hs.home as Packed);
    const hard = constraints?.hard_resource_constraints;
    const consider = (d: number[], m: Packed): boolean => {
      if (failsHard(m, hard, ctx.home)) return false;
      if (!hs.best || compareRanked(m, hs.best.m, ctx) < 0) hs.best = { d, m };
      return true;
    };
    if (hs.phase === 'start') consider(hs.pending[0], hs.home as Packed);
    const o = state.options;
    if (hs.phase === 'start' && o.algorithm !== 'fine') {
      // the coarse sweep; for stochastic it also gathers bias regions (Caribou)
      // not Infinity: the walk state crosses JSON between rounds, where Infinity becomes null
      let bestPrimary = Number.MAX_VALUE;
      const bias: number[] = [];
      const coarse: Array<{ d: number[]; m: Packed }> = [{ d: hs.pending[0], m: hs.home as Packed }];
      for (let i = from; i < hs.pending.length; i++) coarse.push({ d: hs.pending[i], m: got[i] as Packed });
      // sweep in region order, home included at its place, as Caribou's loop over region indices
      coarse.sort((a, b) => a.d[0] - b.d[0]);
      for (const c of coarse) {
        if (c.d !== hs.pending[0] && !consider(c.d, c.m)) continue;
        if (c.d === hs.pending[0] && failsHard(c.m, hard, ctx.home)) continue;
        const v = primary(ctx.priority, c.m);
        if (v < bestPrimary) {
          bestPrimary = v;
          if (!bias.includes(c.d[0])) bias.push(c.d[0]);
        }
      }
      if (o.algorithm === 'coarse') hs.phase = 'done';
      else {
        const iterations = o.iterations >= 0 ? o.iterations : 3 * model.R * model.N;
        const home = hs.pending[0];
        hs.walk = {
          current: [...home],
          currentM: hs.home as Packed,
          bestEver: bestPrimary,
          temperature: 1,
          iter: 0,
          iterations,
          generated: hs.pending.length,
          maxCombinations: combinations(model),
          remembered: encodeHashes(hs.pending.map(hashOf)),
          bias,
          // every hour walks from the same seed: hours differ by their intensities, not by luck
          rng: (o.seed ^ 0x5bd1e995) >>> 0,
        };
        hs.phase = 'stochastic';
      }
    } else if (hs.phase === 'start' || hs.phase === 'fine') {
      for (let i = from; i < hs.pending.length; i++) consider(hs.pending[i], got[i] as Packed);
      hs.phase = hs.cursor < hs.total ? 'fine' : 'done';
    } else if (hs.phase === 'stochastic' && hs.walk) {
      const w = hs.walk;
      const rng = new Rng((w.rng ^ 0x27d4eb2d) >>> 0);
      for (let i = 0; i < hs.pending.length; i++) {
        const d = hs.pending[i];
        const m = got[i] as Packed;
        if (!consider(d, m)) continue; // infeasible: no acceptance, no cooling (Caribou)
        const v = primary(ctx.priority, m);
        let accept: boolean;
        if (v < w.bestEver) {
          w.bestEver = v;
          for (let k = 0; k < d.length; k++) if (d[k] !== w.current[k] && !w.bias.includes(d[k])) w.bias.push(d[k]);
          accept = true;
        } else if (o.acceptance === 'caribou') {
          // Caribou's rule: depends only on the home value and the temperature, not on the candidate
          const p = Math.min(1, 2 ** (-Math.abs(primary(ctx.priority, ctx.home) - w.temperature) / w.temperature));
          accept = rng.next() < p;
        } else {
          const cur = primary(ctx.priority, w.currentM);
          if (compareRanked(m, w.currentM, ctx) <= 0) accept = true;
          else {
            // relative worsening of the top priority, plus one whole unit per extra soft violation
            const soft = ctx.constraints?.soft_resource_constraints;
            const extra = Math.max(0, softViolations(m, soft, ctx.home) - softViolations(w.currentM, soft, ctx.home));
            const delta = Math.max(0, cur > 0 ? (v - cur) / cur : v - cur) + extra;
            accept = rng.next() < Math.exp(-delta / (w.temperature * C.ACCEPT_SCALE));
          }
        }
        if (accept) {
          w.current = [...d];
          w.currentM = m;
        }
        w.temperature *= C.TEMPERATURE_DECAY;
      }
      w.rng = rng.s ^ 0x27d4eb2d;
      if (w.iter >= w.iterations || w.generated >= w.maxCombinations) hs.phase = 'done';
    }
    hs.pending = [];
  });
  state.round++;
}
