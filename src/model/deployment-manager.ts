import * as t from 'io-ts';
import { HourKey, IsoTime, NonNegative, WorkflowId, oneOf } from './primitives';

/** The solve algorithms by their short names (the manifest's long names map onto these). */
export const AlgorithmShort = oneOf(['coarse', 'fine', 'stochastic'] as const);
export type AlgorithmShort = t.TypeOf<typeof AlgorithmShort>;

/** The manager's verdict on one workflow in one pass. */
export const DeploymentDecision = t.intersection([
  t.strict({
    workflow_id: WorkflowId,
    action: oneOf(['solve', 'skip'] as const),
    /** plain words: why this action */
    reason: t.string,
    decided_at: IsoTime,
    /** invocations counted since the last solve (or the last 30 days) */
    invocations: NonNegative,
    /** benefit tokens earned this pass (gCO2e the move could save) */
    tokens: NonNegative,
    /** tokens + carried-over tokens */
    budget: t.number,
  }),
  t.exact(
    t.partial({
      /** solve only: the algorithm the solver must use (always the manifest's) */
      algorithm: AlgorithmShort,
      solves_per_day: t.number,
      /** solve only: hour keys "0".."23", one plan each */
      solve_hours: t.array(HourKey),
      /** solve only: the estimated overhead of this solve (tokens) */
      overhead: NonNegative,
      /** solve only: tokens left after paying the overhead, carried to the next pass */
      leftover_tokens: t.number,
      /** solve only: how long the plan stays valid after it is staged (s) */
      expiry_delta_s: NonNegative,
    }),
  ),
]);
export type DeploymentDecision = t.TypeOf<typeof DeploymentDecision>;

/**
 * deployment_manager_workflow_info_table[workflow_id]: the manager's bookkeeping.
 * Unlike Caribou, a skipped pass never erases `last_solved` or `tokens_left`; only
 * `next_check` and `last_decision` move.
 */
export const DeploymentManagerInfo = t.intersection([
  t.strict({
    workflow_id: WorkflowId,
    /** tokens carried over to the next pass */
    tokens_left: t.number,
    /** do not look at this workflow again before this time */
    next_check: IsoTime,
  }),
  t.exact(
    t.partial({
      /** when a solve last succeeded (its plan was staged) */
      last_solved: IsoTime,
      last_decision: DeploymentDecision,
    }),
  ),
]);
export type DeploymentManagerInfo = t.TypeOf<typeof DeploymentManagerInfo>;
