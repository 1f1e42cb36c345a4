/**
 * Parsing one log line into a runtime log event, or a reason to skip it. Never throws:
 * Caribou's syncer let odd lines through (an `and` where an `or` belonged) and crashed on
 * others; here every line either yields a checked event or is counted under a reason.
 */
import * as t from 'io-ts';
import {
  ConditionalNonExecutionEvent,
  EntryPointEvent,
  ExecutedEvent,
  HopLimitEvent,
  InvokedEvent,
  InvokingSuccessorEvent,
  InvokingSyncNodeEvent,
  JoinDataEvent,
  LOG_PREFIX,
  LOG_VERSION,
  LogEvent,
  RegionUnreachableEvent,
  UserCodeFailureEvent,
} from '../model/log-event';

/** Why a line was not used (`corrupt`: the log store could not read the record at all, e.g. a line cut short). */
export type SkipReason = 'foreign' | 'malformed' | 'unknown_version' | 'unknown_event' | 'other_workflow' | 'corrupt';
export const SKIP_REASONS: readonly SkipReason[] = ['foreign', 'malformed', 'unknown_version', 'unknown_event', 'other_workflow', 'corrupt'];

/** What a line turned out to be. */
export type ParsedLine = { ok: true; event: LogEvent; ms: number } | { ok: false; reason: SkipReason; detail?: string };

// Dispatch on `event` to the one codec that can match: checking the whole union per line
// would try every member and cost several times more.
const BY_EVENT: Record<LogEvent['event'], t.Mixed> = {
  ENTRY_POINT: EntryPointEvent,
  INVOKED: InvokedEvent,
  INVOKING_SUCCESSOR: InvokingSuccessorEvent,
  INVOKING_SYNC_NODE: InvokingSyncNodeEvent,
  CONDITIONAL_NON_EXECUTION: ConditionalNonExecutionEvent,
  JOIN_DATA: JoinDataEvent,
  EXECUTED: ExecutedEvent,
  USER_CODE_FAILURE: UserCodeFailureEvent,
  HOP_LIMIT_EXCEEDED: HopLimitEvent,
  REGION_UNREACHABLE: RegionUnreachableEvent,
};

/**
 * Parses one line. The prefix is searched anywhere in the line, because the Lambda Node
 * runtime puts `<time>\t<request id>\tINFO\t` before whatever console.log printed.
 * Fields the runtime adds later are kept on the returned object (it is the parsed JSON).
 */
export function parseLogLine(line: string, workflowId?: string): ParsedLine {
  const at = line.indexOf(LOG_PREFIX);
  if (at < 0) return { ok: false, reason: 'foreign' };
  let value: unknown;
  try {
    value = JSON.parse(line.slice(at + LOG_PREFIX.length));
  } catch {
    return { ok: false, reason: 'malformed', detail: 'not JSON after the prefix' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'malformed', detail: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  if (o.v !== LOG_VERSION) return { ok: false, reason: 'unknown_version', detail: `version ${JSON.stringify(o.v)}` };
  const name = o.event;
  const codec = typeof name === 'string' && Object.hasOwn(BY_EVENT, name) ? BY_EVENT[name as LogEvent['event']] : undefined;
  if (!codec) return { ok: false, reason: 'unknown_event', detail: `event ${JSON.stringify(name)}` };
  if (!codec.is(o)) return { ok: false, reason: 'malformed', detail: `fields of ${String(name)} do not match the contract` };
  const ms = Date.parse(o.time as string);
  if (!Number.isFinite(ms)) return { ok: false, reason: 'malformed', detail: 'time is not an ISO timestamp' };
  if (!numbersFinite(o)) return { ok: false, reason: 'malformed', detail: 'a number is not finite' };
  if (workflowId !== undefined && o.workflow_id !== workflowId) return { ok: false, reason: 'other_workflow' };
  return { ok: true, event: o as LogEvent, ms };
}

/** JSON cannot carry NaN/Infinity, but a negative size or time is as wrong: reject both. */
function numbersFinite(o: Record<string, unknown>): boolean {
  for (const v of Object.values(o)) if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0)) return false;
  return true;
}
