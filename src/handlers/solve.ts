/**
 * The Solve tasks of CaribouCycle: Prepare → (EvaluateBatches → Select)* → Stage.
 * Each task is a thin shell over the solver's round API (src/solve); the solve's input,
 * state, batches and scores are stored in the system region's package store under
 * `solves/<solve_id>/`, and only keys travel through the state machine.
 */
import * as t from 'io-ts';
import type { Cloud } from '../cloud/ports';
import { recordSolved } from '../decide/manager';
import { decodeOrThrow } from '../model/decode';
import { DeploymentDecision } from '../model/deployment-manager';
import { StagedPlan } from '../model/staging';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import {
  BatchResultCodec,
  CandidateBatchCodec,
  SolveInputCodec,
  SolveStateCodec,
  absorbRound,
  evaluateBatch,
  finishSolve,
  loadSolveInput,
  nextRound,
  prepareSolve,
  type BatchResult,
  type CandidateBatch,
  type SolveInput,
  type SolveState,
} from '../solve';
import { BatchRef, RoundState, SelectInput, SolveRef, SolveTuning, type BatchReceipt } from './io';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Where a solve's objects live. */
export function solvePrefix(solveId: string): string {
  return `solves/${solveId}/`;
}

async function putJson(cloud: Cloud, key: string, value: unknown): Promise<void> {
  await cloud.packages.put(SYSTEM_REGION, key, enc.encode(JSON.stringify(value)));
}

async function getJson(cloud: Cloud, key: string): Promise<unknown> {
  const b = await cloud.packages.get(SYSTEM_REGION, key);
  if (!b) throw new Error(`solve object ${key} is missing (was the solve cleaned up, or prepared elsewhere?)`);
  return JSON.parse(dec.decode(b));
}

/** Reads a stored solve object and decodes it: a corrupt or foreign object fails with its path, not deep in the solver. */
async function getDecoded<A, O>(cloud: Cloud, key: string, codec: t.Type<A, O, unknown>): Promise<A> {
  return decodeOrThrow(codec, await getJson(cloud, key), `solve object ${key}`);
}

/** What Decide hands to Prepare (by reference): the verdict and the cycle's tuning. */
export interface SolveTicket {
  decision: DeploymentDecision;
  tuning: SolveTuning;
}

/**
 * Deletes the objects of this workflow's solves that started over a day ago: a solve that
 * failed (or whose cycle stopped) never reaches Stage, which is where objects are cleaned up.
 * Younger ones are left alone: another cycle may still be running them.
 */
export async function removeAbandonedSolves(cloud: Cloud, workflowId: string, now: Date): Promise<string[]> {
  const removed = new Set<string>();
  for (const key of await cloud.packages.list(SYSTEM_REGION, `solves/${workflowId}@`)) {
    const id = key.slice('solves/'.length).split('/')[0];
    const m = /@(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/.exec(id);
    const started = m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : NaN;
    if (!(now.getTime() - started > 86_400_000)) continue;
    await cloud.packages.delete(SYSTEM_REGION, key).catch(() => undefined);
    removed.add(id);
  }
  return [...removed];
}

/** Stores a solve's ticket; Decide calls this for every workflow due. */
export async function writeTicket(cloud: Cloud, solveId: string, ticket: SolveTicket): Promise<void> {
  await putJson(cloud, solvePrefix(solveId) + 'ticket.json', { decision: DeploymentDecision.encode(ticket.decision), tuning: ticket.tuning });
}

async function readTicket(cloud: Cloud, solveId: string): Promise<SolveTicket> {
  const raw = (await getJson(cloud, solvePrefix(solveId) + 'ticket.json')) as { decision: unknown; tuning: unknown };
  return { decision: decodeOrThrow(DeploymentDecision, raw.decision, `ticket of ${solveId}`), tuning: decodeOrThrow(SolveTuning, raw.tuning ?? {}, `tuning of ${solveId}`) };
}

// A warm process (Lambda container or the local cloud) keeps the last few inputs decoded, so
// the solver's compiled model (cached per input object) survives between batches.
const inputs = new Map<string, SolveInput>();
async function readInput(cloud: Cloud, solveId: string): Promise<SolveInput> {
  const hit = inputs.get(solveId);
  if (hit) return hit;
  const input = decodeOrThrow(SolveInputCodec, await getJson(cloud, solvePrefix(solveId) + 'input.json'), `solve input of ${solveId}`);
  inputs.set(solveId, input);
  while (inputs.size > 4) inputs.delete(inputs.keys().next().value as string);
  return input;
}

// the state is kept per round, so a retried Select re-reads round r's state even after round r+1 was written
const stateKey = (id: string, round: number) => `${solvePrefix(id)}state-${round}.json`;
// written last when a round is issued: a Select retried after it succeeded replays it
const issuedKey = (id: string, round: number) => `${solvePrefix(id)}issued-${round}.json`;
const batchKey = (id: string, round: number, i: number) => `${solvePrefix(id)}round-${round}/batch-${i}.json`;
const resultKey = (id: string, round: number, i: number) => `${solvePrefix(id)}round-${round}/result-${i}.json`;

/** Stores the state and the round's batches; returns what the Choice loop needs. */
async function issue(cloud: Cloud, ref: { workflow_id: string; solve_id: string }, round: number, state: SolveState, batches: CandidateBatch[], done: boolean): Promise<RoundState> {
  await putJson(cloud, stateKey(ref.solve_id, round), state);
  for (let i = 0; i < batches.length; i++) await putJson(cloud, batchKey(ref.solve_id, round, i), batches[i]);
  const issued: RoundState = {
    workflow_id: ref.workflow_id,
    solve_id: ref.solve_id,
    round,
    done,
    batches: batches.map((_, i) => ({ workflow_id: ref.workflow_id, solve_id: ref.solve_id, round, batch: i })),
    candidates: batches.reduce((a, b) => a + b.items.length, 0),
    evaluations: state.evaluations,
  };
  await putJson(cloud, issuedKey(ref.solve_id, round), issued);
  return issued;
}

/** Prepare: loads the solve input, starts the search with the manager's algorithm and hours, issues round 1. */
export async function solvePrepare(cloud: Cloud, event: unknown): Promise<RoundState> {
  const ref = decodeOrThrow(SolveRef, event, 'Prepare input');
  await removeAbandonedSolves(cloud, ref.workflow_id, cloud.now());
  const { decision, tuning } = await readTicket(cloud, ref.solve_id);
  const input = await loadSolveInput(cloud.tables, ref.workflow_id);
  await putJson(cloud, solvePrefix(ref.solve_id) + 'input.json', SolveInputCodec.encode(input));
  inputs.set(ref.solve_id, input);
  const state = prepareSolve(input, {
    algorithm: decision.algorithm,
    hours: decision.solve_hours ?? ['0'],
    now: cloud.now().toISOString(),
    expirySeconds: decision.expiry_delta_s,
    ...tuning,
  });
  const r = nextRound(input, state);
  return issue(cloud, ref, 1, r.state, r.batches, r.done);
}

/** EvaluateBatch: scores one batch (one Map iteration); the scores go to storage, a receipt comes back. */
export async function solveEvaluate(cloud: Cloud, event: unknown): Promise<BatchReceipt> {
  const ref = decodeOrThrow(BatchRef, event, 'EvaluateBatch input');
  const input = await readInput(cloud, ref.solve_id);
  const batch = await getDecoded(cloud, batchKey(ref.solve_id, ref.round, ref.batch), CandidateBatchCodec);
  const result = evaluateBatch(input, batch);
  await putJson(cloud, resultKey(ref.solve_id, ref.round, ref.batch), result);
  return { ok: true, batch: ref.batch, items: result.items.length };
}

/** Select: absorbs the round (re-scoring here any batch whose Map iteration failed), then issues the next round or reports done. */
export async function solveSelect(cloud: Cloud, event: unknown): Promise<RoundState> {
  const s = decodeOrThrow(SelectInput, event, 'Select input');
  // a retry of a Select that already issued the next round (its response was lost): the same answer
  const replay = await cloud.packages.get(SYSTEM_REGION, issuedKey(s.solve_id, s.round + 1));
  if (replay) return decodeOrThrow(RoundState, JSON.parse(dec.decode(replay)), `solve object ${issuedKey(s.solve_id, s.round + 1)}`);
  const input = await readInput(cloud, s.solve_id);
  const state = await getDecoded(cloud, stateKey(s.solve_id, s.round), SolveStateCodec);
  const results: BatchResult[] = [];
  for (const b of s.batches) {
    const stored = await cloud.packages.get(SYSTEM_REGION, resultKey(s.solve_id, s.round, b.batch));
    if (stored) results.push(decodeOrThrow(BatchResultCodec, JSON.parse(dec.decode(stored)), `solve object ${resultKey(s.solve_id, s.round, b.batch)}`));
    else results.push(evaluateBatch(input, await getDecoded(cloud, batchKey(s.solve_id, s.round, b.batch), CandidateBatchCodec)));
  }
  const absorbed = absorbRound(input, state, results);
  const r = nextRound(input, absorbed);
  const next = await issue(cloud, s, s.round + 1, r.state, r.batches, r.done);
  // only once the next round is stored: round r's objects are no longer needed (a retry before
  // this point recomputes the same next round from them)
  for (const b of s.batches) {
    await cloud.packages.delete(SYSTEM_REGION, batchKey(s.solve_id, s.round, b.batch)).catch(() => undefined);
    await cloud.packages.delete(SYSTEM_REGION, resultKey(s.solve_id, s.round, b.batch)).catch(() => undefined);
  }
  await cloud.packages.delete(SYSTEM_REGION, stateKey(s.solve_id, s.round)).catch(() => undefined);
  await cloud.packages.delete(SYSTEM_REGION, issuedKey(s.solve_id, s.round)).catch(() => undefined);
  return next;
}

/** What Stage reports for one workflow. */
export interface StageResult {
  workflow_id: string;
  status: 'staged';
  algorithm: string;
  time_keys: string[];
  evaluations: number;
  /** hour "0" (or the first hour): mean carbon per run of home and of the chosen plan */
  carbon: { home: number; chosen: number };
}

/** Builds the finished solve's plan from its stored state (Stage's first half). */
async function finishStored(cloud: Cloud, event: unknown): Promise<{ ref: SolveRef; plan: StagedPlan; decision: DeploymentDecision }> {
  const ref = decodeOrThrow(t.intersection([SolveRef, t.type({ round: t.number })]), event, 'Stage input');
  const input = await readInput(cloud, ref.solve_id);
  const state = await getDecoded(cloud, stateKey(ref.solve_id, ref.round), SolveStateCodec);
  const { decision } = await readTicket(cloud, ref.solve_id);
  const plan = decodeOrThrow(StagedPlan, finishSolve(input, state), `staged plan of ${ref.workflow_id}`);
  return { ref, plan, decision };
}

/** Deletes a solve's stored objects (once its plan is built, nothing needs them). */
async function cleanUp(cloud: Cloud, solveId: string): Promise<void> {
  for (const key of await cloud.packages.list(SYSTEM_REGION, solvePrefix(solveId))) await cloud.packages.delete(SYSTEM_REGION, key).catch(() => undefined);
  inputs.delete(solveId);
}

function stageResult(plan: StagedPlan): StageResult {
  const first = plan.time_keys[0];
  const m = first === undefined ? undefined : plan.metrics[first];
  return {
    workflow_id: plan.workflow_id,
    status: 'staged',
    algorithm: plan.algorithm,
    time_keys: plan.time_keys,
    evaluations: plan.evaluations,
    carbon: { home: m?.home.carbon.mean ?? 0, chosen: m?.chosen.carbon.mean ?? 0 },
  };
}

/** Stage: writes the plan to the staging area, then commits the manager's bookkeeping; cleans up the solve's objects. */
export async function solveStage(cloud: Cloud, event: unknown): Promise<StageResult> {
  const { ref, plan, decision } = await finishStored(cloud, event);
  await cloud.tables.put(SYSTEM_REGION, TABLES.solverStagingArea, ref.workflow_id, StagedPlan.encode(plan));
  await recordSolved(cloud.tables, decision, cloud.now());
  await cleanUp(cloud, ref.solve_id);
  return stageResult(plan);
}

/**
 * Stage of an operator's `caribou solve`, outside the manager: returns the whole plan and
 * writes it to the staging area only when asked; the manager's bookkeeping is left alone
 * (the operator's solve was not the manager's decision).
 */
export async function solvePreview(cloud: Cloud, event: unknown, opts: { stage: boolean }): Promise<StageResult & { plan: unknown; written: boolean }> {
  const { ref, plan } = await finishStored(cloud, event);
  if (opts.stage) {
    await cloud.tables.ensureTable(SYSTEM_REGION, TABLES.solverStagingArea);
    await cloud.tables.put(SYSTEM_REGION, TABLES.solverStagingArea, ref.workflow_id, StagedPlan.encode(plan));
  }
  await cleanUp(cloud, ref.solve_id);
  return { ...stageResult(plan), plan: StagedPlan.encode(plan), written: opts.stage };
}
