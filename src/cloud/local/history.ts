/**
 * What an execution would cost in Step Functions' hard quotas, measured on the local runner:
 * the number of events AWS would write into the execution's history (Standard workflows stop
 * at 25,000) and the largest state input or output (256 KiB per state, task and execution).
 *
 * aws-local-stepfunctions reports states entered and exited, retries, catches and Map
 * iterations; AWS writes more events per state than that. The counts below follow the
 * history AWS shows for each state type (GetExecutionHistory):
 *  - execution: ExecutionStarted, then ExecutionSucceeded or ExecutionFailed;
 *  - Task (Lambda): TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted,
 *    LambdaFunctionSucceeded, TaskStateExited (5); a retried attempt adds its Failed event and
 *    the next Scheduled and Started (3); a final failure is LambdaFunctionFailed (+ the exit
 *    when a Catch takes it);
 *  - Map (inline) and Parallel: Entered, Started, Succeeded, Exited (4), plus per Map iteration
 *    MapIterationStarted and MapIterationSucceeded/Failed (2) and the iteration's own states;
 *  - Pass, Choice, Wait, Succeed: Entered and Exited (2); Fail: Entered (the execution's
 *    failure event closes it).
 * A Distributed Map runs its iterations as child executions: the parent pays only
 * MapStateEntered, MapRunStarted, MapRunSucceeded, MapStateExited, whatever the item count
 * (see DISTRIBUTED_MAP_EVENTS); each child has its own history and its own quota.
 */

/** Events one Standard execution's history may hold. */
export const HISTORY_EVENT_LIMIT = 25_000;
/** Bytes (UTF-8 JSON) of one state's input or output, a task's result or an execution's input. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;
/** Events a Distributed Map state adds to its parent's history, whatever its item count. */
export const DISTRIBUTED_MAP_EVENTS = 4;

/** The part of an aws-local-stepfunctions event log entry the meter reads. */
export interface RawHistoryEvent {
  type: string;
  state?: { name: string; type?: string; input?: unknown; output?: unknown };
  input?: unknown;
  output?: unknown;
}

/** Byte size of a value as Step Functions measures a payload: its JSON text in UTF-8. */
export function payloadBytes(value: unknown): number {
  if (value === undefined) return 0;
  const s = JSON.stringify(value);
  return s === undefined ? 0 : Buffer.byteLength(s, 'utf8');
}

/** The counters of one execution. */
export interface HistoryFigures {
  /** events AWS would have written into this execution's history */
  events: number;
  /** the largest state (or execution) input or output, in bytes */
  maxPayloadBytes: number;
  /** the state whose input or output that was */
  maxPayloadState?: string;
}

/** Counts one execution's history events and payload sizes as AWS would, fed its event log. */
export class HistoryMeter implements HistoryFigures {
  events = 0;
  maxPayloadBytes = 0;
  maxPayloadState?: string;

  /** @param distributed names of this execution's Distributed Map states (run locally as tasks) */
  constructor(private readonly distributed: ReadonlySet<string> = new Set()) {}

  private payload(where: string, value: unknown): void {
    const n = payloadBytes(value);
    if (n > this.maxPayloadBytes) {
      this.maxPayloadBytes = n;
      this.maxPayloadState = where;
    }
  }

  /** Feeds one event of the interpreter's log. */
  add(ev: RawHistoryEvent): void {
    const kind = ev.state && this.distributed.has(ev.state.name) ? 'DistributedMap' : ev.state?.type;
    switch (ev.type) {
      case 'ExecutionStarted':
        this.events += 1;
        this.payload('(execution input)', ev.input);
        break;
      case 'ExecutionSucceeded':
        this.events += 1;
        this.payload('(execution output)', ev.output);
        break;
      case 'ExecutionFailed':
      case 'ExecutionTerminated':
        this.events += 1;
        break;
      case 'StateEntered':
        // a Distributed Map: MapStateEntered, MapRunStarted … MapRunSucceeded, MapStateExited
        this.events += kind === 'Task' ? 3 : kind === 'Map' || kind === 'Parallel' || kind === 'DistributedMap' ? 2 : 1;
        this.payload(ev.state?.name ?? '?', ev.state?.input);
        break;
      case 'StateExited':
        this.events += kind === 'Task' || kind === 'Map' || kind === 'Parallel' || kind === 'DistributedMap' ? 2 : kind === 'Fail' ? 0 : 1;
        this.payload(ev.state?.name ?? '?', ev.state?.output);
        break;
      case 'StateRetried':
        // the next attempt's Scheduled and Started (the interpreter reported the failed attempt)
        this.events += 2;
        break;
      case 'StateFailed':
        // every failed attempt, retried or not
        this.events += 1;
        break;
      case 'StateCaught':
        // the state exits towards the catcher's Next
        this.events += 1;
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.events += 1;
        break;
      default:
        // ParallelBranch* have no history event of their own on AWS
        break;
    }
  }

  figures(): HistoryFigures {
    return { events: this.events, maxPayloadBytes: this.maxPayloadBytes, ...(this.maxPayloadState ? { maxPayloadState: this.maxPayloadState } : {}) };
  }
}

/** A worded reason when an execution's figures break a quota, else undefined. */
export function quotaBreach(name: string, f: HistoryFigures): string | undefined {
  if (f.events > HISTORY_EVENT_LIMIT) return `execution ${name} would write ${f.events} history events; Step Functions stops a Standard execution at ${HISTORY_EVENT_LIMIT}`;
  if (f.maxPayloadBytes > PAYLOAD_LIMIT_BYTES) return `execution ${name}: state ${f.maxPayloadState ?? '?'} passes ${f.maxPayloadBytes} bytes; Step Functions' limit is ${PAYLOAD_LIMIT_BYTES} (256 KiB)`;
  return undefined;
}
