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
