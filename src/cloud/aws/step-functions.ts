import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { UserError } from '../../model/errors';
import { mapIterationDetail, type ExecutionEvent, type StateMachines } from '../ports';
import type { AwsContext } from './context';
import { attempt, sleep } from './errors';
import { arnRegion } from './names';

/** Step Functions in the control region: start CaribouCycle and follow it, state by state. */
export class StepFunctions implements StateMachines {
  constructor(
    private readonly ctx: AwsContext,
    /** how often `follow` polls the execution history (ms) */
    private readonly pollMs = 2000,
  ) {}

  private sfn(region = this.ctx.controlRegion): SFNClient {
    return this.ctx.client(SFNClient, region);
  }

  /** The ARN of a state machine given its name or ARN. */
  async resolve(stateMachine: string): Promise<string> {
    if (stateMachine.startsWith('arn:')) return stateMachine;
    let nextToken: string | undefined;
    do {
      const r = await attempt('list state machines in', this.ctx.controlRegion, () => this.sfn().send(new ListStateMachinesCommand({ nextToken })));
      const hit = r.stateMachines?.find((m) => m.name === stateMachine);
      if (hit?.stateMachineArn) return hit.stateMachineArn;
      nextToken = r.nextToken;
    } while (nextToken);
    throw new UserError(
      `state machine ${stateMachine} does not exist in ${this.ctx.controlRegion}; deploy the control plane with \`sls deploy\` (docs/aws.md) or set CARIBOU_CONTROL_REGION`,
    );
  }

  async start(stateMachine: string, input: unknown, name?: string): Promise<string> {
    if (name !== undefined && !/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new UserError(`"${name}" is not a valid execution name (1–80 letters, digits, _ or -)`);
    const stateMachineArn = await this.resolve(stateMachine);
    const r = await attempt('start an execution of', stateMachineArn, () =>
      this.sfn(arnRegion(stateMachineArn)).send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input ?? {}), name })),
    );
    return r.executionArn!;
  }

  async follow(executionId: string, onEvent: (e: ExecutionEvent) => void): Promise<{ status: 'SUCCEEDED' | 'FAILED'; output?: unknown; error?: string }> {
    const sfn = this.sfn(arnRegion(executionId));
    let lastId = 0;
    // every event so far by id: failures and Map iterations name their state through the chain of previous events
    const seen = new Map<number, HistoryEvent>();
    for (;;) {
      // Newest first, back to the last event already seen: each poll costs one page while
      // the execution is busy, however long its history has grown.
      const fresh: HistoryEvent[] = [];
      let nextToken: string | undefined;
      outer: do {
        const r = await attempt('read the history of', executionId, () =>
          sfn.send(new GetExecutionHistoryCommand({ executionArn: executionId, reverseOrder: true, nextToken, maxResults: 1000 })),
        );
        for (const e of r.events ?? []) {
          if ((e.id ?? 0) <= lastId) break outer;
          fresh.push(e);
        }
        nextToken = r.nextToken;
      } while (nextToken);
      fresh.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
      for (const e of fresh) {
        lastId = Math.max(lastId, e.id ?? 0);
        seen.set(e.id ?? 0, e);
        const ev = toExecutionEvent(e, seen);
        if (ev) onEvent(ev);
        const end = terminal(e);
        if (end) return end;
      }
      const d = await attempt('describe execution', executionId, () => sfn.send(new DescribeExecutionCommand({ executionArn: executionId })));
      if (d.status && d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
        // ended between the history read and now: one more pass picks up its last events
        if (fresh.length === 0) {
          return d.status === 'SUCCEEDED'
            ? { status: 'SUCCEEDED', output: parseOutput(d.output) }
            : { status: 'FAILED', error: [d.status, d.error, d.cause].filter(Boolean).join(': ') };
        }
        continue;
      }
      await sleep(this.pollMs);
    }
  }
}

function parseOutput(s: string | undefined): unknown {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The end of an execution, when `e` is its last event. */
function terminal(e: HistoryEvent): { status: 'SUCCEEDED' | 'FAILED'; output?: unknown; error?: string } | undefined {
  switch (e.type) {
    case 'ExecutionSucceeded':
      return { status: 'SUCCEEDED', output: parseOutput(e.executionSucceededEventDetails?.output) };
    case 'ExecutionFailed':
      return { status: 'FAILED', error: [e.executionFailedEventDetails?.error, e.executionFailedEventDetails?.cause].filter(Boolean).join(': ') || 'failed' };
    case 'ExecutionAborted':
      return { status: 'FAILED', error: ['aborted', e.executionAbortedEventDetails?.cause].filter(Boolean).join(': ') };
    case 'ExecutionTimedOut':
      return { status: 'FAILED', error: ['timed out', e.executionTimedOutEventDetails?.cause].filter(Boolean).join(': ') };
    default:
      return undefined;
  }
}

/** The state an event belongs to: the nearest StateEntered up its chain of previous events. */
function enteredBefore(e: HistoryEvent, byId: Map<number, HistoryEvent>, mapName?: string): HistoryEvent | undefined {
  let cur: HistoryEvent | undefined = e;
  for (let hops = 0; cur && hops < 10_000; hops++) {
    if (cur.stateEnteredEventDetails && (mapName === undefined || (cur.type === 'MapStateEntered' && cur.stateEnteredEventDetails.name === mapName))) return cur;
    cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
  }
  return undefined;
}

/** What a Map iteration is about, from the input its Map state entered with (see mapIterationDetail). */
function mapDetail(e: HistoryEvent, name: string | undefined, byId: Map<number, HistoryEvent>): string | undefined {
  const entered = name ? enteredBefore(e, byId, name) : undefined;
  try {
    return mapIterationDetail(entered?.stateEnteredEventDetails?.input ? JSON.parse(entered.stateEnteredEventDetails.input) : undefined);
  } catch {
    return undefined;
  }
}

function failed(time: number, e: HistoryEvent, byId: Map<number, HistoryEvent>, detail: string): ExecutionEvent {
  return { time, type: 'TaskFailed', state: enteredBefore(e, byId)?.stateEnteredEventDetails?.name, detail };
}

/**
 * Maps a Step Functions history event to the port's event, or undefined for bookkeeping
 * events. `byId` holds the events before it, to name the state of failures and iterations.
 */
export function toExecutionEvent(e: HistoryEvent, byId: Map<number, HistoryEvent> = new Map()): ExecutionEvent | undefined {
  const time = e.timestamp ? new Date(e.timestamp).getTime() : Date.now();
  const type = e.type ?? '';
  if (type.endsWith('StateEntered')) return { time, type: 'StateEntered', state: e.stateEnteredEventDetails?.name };
  if (type.endsWith('StateExited')) return { time, type: 'StateExited', state: e.stateExitedEventDetails?.name };
  const iteration = (t: ExecutionEvent['type'], d: { name?: string; index?: number } | undefined, extra?: string): ExecutionEvent => {
    const detail = extra ?? mapDetail(e, d?.name, byId);
    return { time, type: t, state: d?.name, index: d?.index, ...(detail !== undefined ? { detail } : {}) };
  };
  switch (type) {
    case 'TaskFailed':
      return failed(time, e, byId, [e.taskFailedEventDetails?.error, e.taskFailedEventDetails?.cause].filter(Boolean).join(': '));
    case 'TaskTimedOut':
      return failed(time, e, byId, ['timed out', e.taskTimedOutEventDetails?.error, e.taskTimedOutEventDetails?.cause].filter(Boolean).join(': '));
    case 'LambdaFunctionFailed':
      return failed(time, e, byId, [e.lambdaFunctionFailedEventDetails?.error, e.lambdaFunctionFailedEventDetails?.cause].filter(Boolean).join(': '));
    case 'MapIterationStarted':
      return iteration('MapIterationStarted', e.mapIterationStartedEventDetails);
    case 'MapIterationSucceeded':
      return iteration('MapIterationSucceeded', e.mapIterationSucceededEventDetails);
    case 'MapIterationFailed':
      return iteration('MapIterationFailed', e.mapIterationFailedEventDetails, 'failed');
    case 'MapIterationAborted':
      return iteration('MapIterationFailed', e.mapIterationAbortedEventDetails, 'aborted');
    case 'ExecutionSucceeded':
      return { time, type: 'ExecutionSucceeded' };
    case 'ExecutionFailed':
    case 'ExecutionAborted':
    case 'ExecutionTimedOut':
      return { time, type: 'ExecutionFailed', detail: terminal(e)?.error };
    default:
      return undefined;
  }
}
