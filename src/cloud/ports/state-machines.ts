/** One step of an execution as it is seen from outside (like the console's event history). */
export interface ExecutionEvent {
  time: number;
  type: 'StateEntered' | 'StateExited' | 'TaskFailed' | 'MapIterationStarted' | 'MapIterationSucceeded' | 'MapIterationFailed' | 'ExecutionSucceeded' | 'ExecutionFailed';
  state?: string;
  index?: number;
  detail?: string;
}

/** Step Functions state machines. */
export interface StateMachines {
  /** Starts an execution and returns its id. */
  start(stateMachine: string, input: unknown, name?: string): Promise<string>;
  /** Follows an execution, yielding its events until it ends; returns its output. */
  follow(executionId: string, onEvent: (e: ExecutionEvent) => void): Promise<{ status: 'SUCCEEDED' | 'FAILED'; output?: unknown; error?: string }>;
}

/**
 * The `detail` of a Map iteration event, from the Map state's input: the fan-out size and whose
 * solve round it is (`{"total","workflow_id","round"}`), so `caribou cycle` can draw a progress
 * bar of Monte Carlo batches the same way for every target.
 */
export function mapIterationDetail(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const i = input as { batches?: unknown; workflow_id?: unknown; round?: unknown };
  const d: Record<string, unknown> = {};
  if (Array.isArray(i.batches)) d.total = i.batches.length;
  if (i.workflow_id) d.workflow_id = i.workflow_id;
  if (typeof i.round === 'number') d.round = i.round;
  return Object.keys(d).length ? JSON.stringify(d) : undefined;
}
