/**
 * The payloads CaribouCycle's states pass between tasks. All small: anything large (solve
 * inputs, search state, batch scores) lives in the system region's package store and
 * travels as a key, so no state payload nears Step Functions' 256 KB limit.
 */
import * as t from 'io-ts';
import { WorkflowId } from '../model/primitives';

/** Tuning a cycle's execution input may carry for its solves (tests and the quickstart use it to stay fast). */
export const SolveTuning = t.exact(
  t.partial({
    runs: t.number,
    seed: t.number,
    iterations: t.number,
    batchSize: t.number,
    proposalsPerRound: t.number,
    /** the tail percentile reported and constrained (`caribou solve --tail`) */
    tail: t.number,
    /** hour keys to solve instead of the manager's; null: one plan from the daily average (`caribou solve` without --hours) */
    hours: t.union([t.array(t.string), t.null]),
  }),
);
export type SolveTuning = t.TypeOf<typeof SolveTuning>;

/** The execution input of CaribouCycle (every field optional; states add their results beside it). */
export const CycleInput = t.partial({
  /** look at every workflow now, whatever its next_check */
  force: t.boolean,
  /** only these workflows */
  workflows: t.array(t.string),
  solve: SolveTuning,
  /** solve this many hour slots a day (1,2,3,4,6,8,12,24) whatever the budget affords (the 10-invocation floor holds) */
  solves_per_day: t.number,
});
export type CycleInput = t.TypeOf<typeof CycleInput>;

/** One workflow the Solve Map works on. */
export const SolveRef = t.type({ workflow_id: WorkflowId, solve_id: t.string });
export type SolveRef = t.TypeOf<typeof SolveRef>;

/** One Monte Carlo batch of one round, by reference. */
export const BatchRef = t.type({ workflow_id: WorkflowId, solve_id: t.string, round: t.number, batch: t.number });
export type BatchRef = t.TypeOf<typeof BatchRef>;

/** A round as the Choice loop sees it: done, or the batches to fan out. */
export const RoundState = t.type({
  workflow_id: WorkflowId,
  solve_id: t.string,
  round: t.number,
  done: t.boolean,
  batches: t.array(BatchRef),
  /** candidates in this round's batches */
  candidates: t.number,
  /** Monte Carlo evaluations so far */
  evaluations: t.number,
});
export type RoundState = t.TypeOf<typeof RoundState>;

/** What EvaluateBatch returns (or BatchFailed records): a receipt, not the scores. */
export const BatchReceipt = t.intersection([t.type({ ok: t.boolean }), t.partial({ batch: t.unknown, items: t.number, error: t.unknown })]);
export type BatchReceipt = t.TypeOf<typeof BatchReceipt>;

/** Select's input: the round plus the receipts of its batches. */
export const SelectInput = t.intersection([RoundState, t.type({ evaluated: t.array(BatchReceipt) })]);
export type SelectInput = t.TypeOf<typeof SelectInput>;

/** The Migrate task's input: the cycle state so far (only `workflows` is read). */
export const MigrateInput = t.partial({ workflows: t.array(t.string) });
