/**
 * The one solve loop: Prepare → (EvaluateBatches → Select)* → Stage, as CaribouCycle's
 * Solve Map defines it in state-machines/caribou-cycle.asl.json. Outside the cycle
 * (`caribou manage_deployments`) that very sub-machine runs in-process with the ASL
 * interpreter, its Tasks bound to the same handlers the Lambdas run (src/handlers/solve).
 * So the loop — which task gets which input, when the search is done, what a failure
 * becomes — is written once, in the ASL, and a CLI copy cannot drift from it (one did: it
 * called Stage without the round, and no plan was ever staged outside the cycle).
 */
import type { Cloud, ExecutionEvent } from '../cloud/ports';
import { LocalStateMachines, loadDefinition } from '../cloud/local/state-machines';
import type { DeploymentDecision } from '../model/deployment-manager';
import { FINAL_TASK_ERRORS } from '../model/errors';
import { solveIdOf } from '../handlers/control';
import type { SolveTuning } from '../handlers/io';
import { solvePreview, writeTicket, type StageResult } from '../handlers/solve';
import { taskHandlers } from '../handlers/tasks';

/** The name the Solve sub-machine runs under (events and execution ids carry it). */
export const SOLVE_MACHINE = 'CaribouSolve';

/** The item processor of CaribouCycle's `Solve` Map state: one workflow's solve, start to staged plan. */
export function solveDefinition(): Record<string, unknown> {
  const cycle = loadDefinition('CaribouCycle') as { States: Record<string, { Type?: string; ItemProcessor?: { StartAt: string; States: unknown } }> };
  const solve = cycle.States.Solve;
  if (solve?.Type !== 'Map' || !solve.ItemProcessor) throw new Error('state-machines/caribou-cycle.asl.json has no Solve Map state with an ItemProcessor');
  return { Comment: 'CaribouCycle Solve, one workflow', StartAt: solve.ItemProcessor.StartAt, States: solve.ItemProcessor.States };
}

/** How one workflow's solve ended: staged, or failed with the error of the task that failed. */
export type SolveOutcome =
  /** `plan`: the whole staged plan, when the finish was `stage` or `preview` */
  | (StageResult & { solve_id: string; plan?: unknown })
  | {
      workflow_id: string;
      solve_id: string;
      status: 'failed';
      /** the error's type (UserError, DecodeError: the input or state is at fault; anything else: internal) */
      error_type: string;
      error: string;
    };

/** Exit code a failed solve deserves: 1 when the user's input or state is at fault, 2 otherwise. */
export function exitCodeOfSolve(o: SolveOutcome): 0 | 1 | 2 {
  if (o.status !== 'failed') return 0;
  return (FINAL_TASK_ERRORS as readonly string[]).includes(o.error_type) ? 1 : 2;
}

/** The `{Error, Cause}` a Catch records, as a type and a message. */
function caught(error: unknown): { error_type: string; error: string } {
  const e = (error ?? {}) as { Error?: unknown; Cause?: unknown };
  let cause = typeof e.Cause === 'string' ? e.Cause : e.Cause === undefined ? '' : JSON.stringify(e.Cause);
  // Step Functions wraps a Lambda's error as a JSON string {errorMessage, errorType}
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    /* a plain message */
  }
  return { error_type: typeof e.Error === 'string' ? e.Error : 'Error', error: cause || String(e.Error ?? 'the solve failed') };
}

/**
 * What the loop's last task does with the plan: `commit` is the cycle's Stage (staging area and
 * the manager's bookkeeping); `stage` writes only the staging area and `preview` nothing, both
 * returning the whole plan (an operator's `caribou solve [--stage]`).
 */
export type SolveFinish = 'commit' | 'stage' | 'preview';

export interface SolveAndStageOptions {
  /** default `commit` */
  finish?: SolveFinish;
  /** the cycle's solve tuning (runs, seed, …); default: the solver's */
  tuning?: SolveTuning;
  /** the solve's id; default: from the workflow and the cloud's clock, as Decide makes it */
  solveId?: string;
  /** the execution's events, e.g. to draw progress */
  onEvent?: (e: ExecutionEvent) => void;
}

/**
 * Solves one workflow the manager decided to solve and stages its plan, running the Solve
 * sub-machine of CaribouCycle in-process against `cloud`. Never throws for a failed solve:
 * the outcome says `failed` with the task's error (as the cycle's SolveFailed state does).
 */
export async function solveAndStage(cloud: Cloud, decision: DeploymentDecision, opts: SolveAndStageOptions = {}): Promise<SolveOutcome> {
  const solve_id = opts.solveId ?? solveIdOf(decision.workflow_id, cloud.now());
  await writeTicket(cloud, solve_id, { decision, tuning: opts.tuning ?? {} });
  const tasks: Record<string, (input: unknown) => Promise<unknown>> = taskHandlers(cloud);
  const finish = opts.finish ?? 'commit';
  if (finish !== 'commit') tasks.solveStage = (i) => solvePreview(cloud, i, { stage: finish === 'stage' });
  const machines = new LocalStateMachines({ tasks, definitions: { [SOLVE_MACHINE]: solveDefinition() } });
  const execution = await machines.start(SOLVE_MACHINE, { workflow_id: decision.workflow_id, solve_id }, solve_id.replace(/[^A-Za-z0-9_-]/g, '-'));
  const r = await machines.follow(execution, opts.onEvent ?? (() => undefined));
  if (r.status !== 'SUCCEEDED') return { workflow_id: decision.workflow_id, solve_id, status: 'failed', error_type: 'ExecutionFailed', error: r.error ?? 'the solve execution failed' };
  const out = r.output as { status?: unknown; error?: unknown } & StageResult;
  if (out?.status === 'staged') return { ...out, solve_id };
  return { workflow_id: decision.workflow_id, solve_id, status: 'failed', ...caught(out?.error) };
}
