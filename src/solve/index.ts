/**
 * The deployment solver (issue 6). Pure: no AWS SDK, no file system, no clock.
 *
 * All in one:
 *   solveWorkflow(input: SolveInput, opts?: SolveOptions): StagedPlan
 *   loadSolveInput(kv: KeyValueStore, workflowId: string): Promise<SolveInput>   (./input)
 *
 * Round by round (for CaribouCycle's Solve: a Map state over batches inside a Choice loop).
 * `SolveInput` is large: store it (e.g. in a table) and pass a reference; everything else is
 * small JSON. Each function returns a new state and leaves its argument untouched.
 *
 *   prepareSolve(input, opts?)               → SolveState
 *   nextRound(input, state)                  → { state, batches: CandidateBatch[], done: false }
 *                                            | { state, batches: [], done: true }
 *   evaluateBatch(input, batch)              → BatchResult        (pure; one Map iteration / Lambda)
 *   absorbRound(input, state, results[])     → SolveState         (all batches of the round, any order)
 *   finishSolve(input, state)                → StagedPlan         (decodes with src/model/staging)
 *
 * Handlers decode what crosses a Lambda boundary with SolveStateCodec, CandidateBatchCodec and
 * BatchResultCodec (./wire) and src/model/decode's decodeOrThrow.
 *
 *   let s = prepareSolve(input, opts);
 *   for (;;) { const r = nextRound(input, s); if (r.done) { s = r.state; break; }
 *              s = absorbRound(input, r.state, r.batches.map((b) => evaluateBatch(input, b))); }
 *   const plan = finishSolve(input, s);
 *
 * solveWorkflow runs exactly this loop, so both give the same plan. Scores are seeded and use
 * common random numbers (every candidate of every hour is simulated with the same seed), so
 * which Lambda scores which batch does not matter. Only carbon depends on the hour, linearly in
 * the grid intensities, so a deployment proposed by several hours in a round is simulated once.
 */
import { UserError } from '../model/errors';
import type { StagedPlan } from '../model/staging';
import { Model, compileModel } from './compile';
import type { SolveInput } from './input';
import { pack, unpack } from './rank';
import { BatchResult, CandidateBatch, SolveOptions, SolveState, absorbScores, batchesOf, initialState, issueRound, resolveOptions } from './search';
import { HourData, Simulator, hourData, slotEndOf } from './simulate';

export type { SolveInput } from './input';
export { loadSolveInput, SolveInput as SolveInputCodec, decodeWorkflowConfigItem } from './input';
export type { SolveOptions, SolveState, CandidateBatch, BatchResult, Algorithm, Acceptance, HourState } from './search';
export type { Model } from './compile';
export { compileModel } from './compile';
export { Simulator, hourData } from './simulate';
export { SolveStateCodec, CandidateBatchCodec, BatchResultCodec } from './wire';
export type { HourData, SimOptions } from './simulate';

interface Compiled {
  model: Model;
  sim: Simulator;
  hours: Map<string, HourData>;
}

// one compiled model per input object: a solve compiles once, however many rounds it runs
const cache = new WeakMap<SolveInput, Compiled>();

function compiled(input: SolveInput, runs: number): Compiled {
  let c = cache.get(input);
  if (!c || c.sim.maxRuns < runs) {
    const model = c?.model ?? compileModel(input);
    c = { model, sim: new Simulator(model, Math.max(runs, 2000)), hours: c?.hours ?? new Map() };
    cache.set(input, c);
  }
  return c;
}

/** The hour data of the i-th of a solve's hour keys (its slot runs to the next key). */
function hourOf(c: Compiled, input: SolveInput, keys: ReadonlyArray<string | null>, i: number): HourData {
  const hour = keys[i];
  const end = slotEndOf(keys, i);
  const k = `${hour ?? 'overall'}-${end ?? ''}`;
  let hd = c.hours.get(k);
  if (!hd) {
    hd = hourData(input, c.model, hour, end);
    c.hours.set(k, hd);
  }
  return hd;
}

function checkState(c: Compiled, state: SolveState): void {
  if (state.v !== 1) throw new Error(`solve state version ${String(state.v)} is not supported`);
  if (state.fingerprint !== c.model.fingerprint)
    throw new Error(`solve state of ${state.workflow_id} was prepared for other regions or instances (fingerprint ${state.fingerprint}, input ${c.model.fingerprint}); start a new solve`);
}

/** Starts a solve: compiles the input and returns the state before round 1. */
export function prepareSolve(input: SolveInput, opts: SolveOptions = {}): SolveState {
  const options = resolveOptions(input, opts);
  const c = compiled(input, options.runs);
  return initialState(c.model, input, options);
}

/** Issues the next round's candidate batches, or reports that the search is done. */
export function nextRound(input: SolveInput, state: SolveState): { state: SolveState; batches: CandidateBatch[]; done: boolean } {
  const c = compiled(input, state.options.runs);
  checkState(c, state);
  const s = structuredClone(state);
  const any = issueRound(c.model, s);
  return any ? { state: s, batches: batchesOf(s), done: false } : { state: s, batches: [], done: true };
}

/** Scores one batch of candidate deployments (pure; deterministic for a given batch). */
export function evaluateBatch(input: SolveInput, batch: CandidateBatch): BatchResult {
  const c = compiled(input, batch.runs);
  if (batch.fingerprint !== c.model.fingerprint)
    throw new Error(`batch of ${batch.workflow_id} was built for other regions or instances (fingerprint ${batch.fingerprint}, input ${c.model.fingerprint})`);
  const items: BatchResult['items'] = [];
  for (const it of batch.items) {
    const hds = it.at.map(([h]) => {
      if (!(h >= 0 && h < batch.hours.length)) throw new Error(`batch item names hour index ${h}, which the batch does not list`);
      return hourOf(c, input, batch.hours, h);
    });
    // one simulation for every hour that proposed this deployment
    const ms = c.sim.evaluateHours(it.d, hds, { runs: batch.runs, tail: batch.tail, seed: batch.seed });
    it.at.forEach(([h, i], k) => items.push({ h, i, m: pack(ms[k]) }));
  }
  return { items };
}

/** Folds the scores of every batch of the current round into a new state. */
export function absorbRound(input: SolveInput, state: SolveState, results: BatchResult[]): SolveState {
  const c = compiled(input, state.options.runs);
  checkState(c, state);
  const s = structuredClone(state);
  absorbScores(c.model, input, s, results);
  return s;
}

/** Builds the staging record from a finished search: per hour key the best plan (home if none passed). */
export function finishSolve(input: SolveInput, state: SolveState): StagedPlan {
  const c = compiled(input, state.options.runs);
  checkState(c, state);
  const m = c.model;
  const unfinished = state.hours.filter((h) => h.phase !== 'done' || h.home === null).map((h) => h.key);
  if (unfinished.length) throw new Error(`the solve is not finished: hours ${unfinished.join(', ')} still have rounds to run`);
  const fallbacks = new Set(m.fallbacks);
  const placements: StagedPlan['placements'] = {};
  const metrics: StagedPlan['metrics'] = {};
  const keys = state.hours.map((hs) => hs.hour);
  for (const [i, hs] of state.hours.entries()) {
    for (const f of hourOf(c, input, keys, i).fallbacks) fallbacks.add(f);
    const home = hs.home as number[];
    const chosen = hs.best ?? { d: new Array(m.N).fill(m.homeIndex), m: home };
    if (!hs.best) fallbacks.add(`hour ${hs.key}: no deployment met the hard constraints, not even home; home kept`);
    placements[hs.key] = Object.fromEntries(m.instances.map((name, i) => [name, m.regions[chosen.d[i]]]));
    metrics[hs.key] = { chosen: unpack(chosen.m), home: unpack(home) };
  }
  const now = Date.parse(state.options.now);
  if (Number.isNaN(now)) throw new UserError(`solve time "${state.options.now}" is not an ISO time`);
  return {
    workflow_id: state.workflow_id,
    solved_at: new Date(now).toISOString(),
    expiry_time: new Date(now + state.options.expirySeconds * 1000).toISOString(),
    algorithm: state.options.algorithm,
    time_keys: state.hours.map((h) => h.key),
    placements,
    metrics,
    fallbacks: [...fallbacks],
    evaluations: state.evaluations,
  };
}

/** Solves a workflow in one call: the same rounds as the step-by-step API, run in-process. */
export function solveWorkflow(input: SolveInput, opts: SolveOptions = {}): StagedPlan {
  let state = prepareSolve(input, opts);
  for (;;) {
    const r = nextRound(input, state);
    if (r.done) {
      state = r.state;
      break;
    }
    state = absorbRound(
      input,
      r.state,
      r.batches.map((b) => evaluateBatch(input, b)),
    );
  }
  return finishSolve(input, state);
}
