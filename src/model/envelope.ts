import * as t from 'io-ts';
import { DecodeError, decodeOrThrow } from './decode';
import { PlacementMap } from './placement';
import { IsoTime, NonEmptyString, RegionCode, WorkflowId, oneOf, refined } from './primitives';

/**
 * The message one hop of a workflow run sends to the next over SNS (a JSON string), and
 * the records the join protocol keeps in each region's `sync_messages_table`.
 *
 * Unlike Caribou, the envelope does not carry the whole placement decision: it carries the
 * run's route (the placements of the one time key chosen at the entry, so every hop of a
 * run agrees, even after the plan expires mid-run) and, for the instances whose home
 * placement differs, the home placement (the fallback when a region is unreachable).
 */

/** SNS's message size limit: 256 KiB, counting the whole envelope. */
export const SNS_MAX_BYTES = 256 * 1024;

/** Where a payload too large for a message was stored (package storage, i.e. S3 on AWS). */
export const PayloadRef = t.strict({ region: RegionCode, key: NonEmptyString, bytes: t.number });
export type PayloadRef = t.TypeOf<typeof PayloadRef>;

/** The payload of a message: inline JSON, a reference to spilled JSON, or a join trigger (data in the join table). */
export const EnvelopePayload = t.union([
  t.strict({ kind: t.literal('inline'), data: t.unknown }),
  t.strict({ kind: t.literal('ref'), ref: PayloadRef }),
  t.strict({ kind: t.literal('join') }),
]);
export type EnvelopePayload = t.TypeOf<typeof EnvelopePayload>;

/** The route of a run (src/model/placement RunRoute), as it travels. */
export const RouteCodec = t.strict({
  time_key: refined(t.string, (s) => s === 'home' || /^(?:[0-9]|1[0-9]|2[0-3])$/.test(s), 'an hour key "0" to "23" or "home"'),
  placements: PlacementMap,
  reason: oneOf(['plan', 'no-plan', 'expired'] as const),
});

const Hops = refined(t.number, (n) => Number.isInteger(n) && n >= 0, 'a whole number of hops ≥ 0');

export const ENVELOPE_VERSION = 1;

/** One message between two hops of a run. */
export const Envelope = t.intersection([
  t.strict({
    v: t.literal(ENVELOPE_VERSION),
    workflow_id: WorkflowId,
    run_id: NonEmptyString,
    /** the instance this message starts */
    instance: NonEmptyString,
    route: RouteCodec,
    /** home placements of the instances whose route placement differs (fallback on outage) */
    home: PlacementMap,
    /** hops taken before this one: 0 for the entry */
    hops: Hops,
    /** per edge, matches the sender's INVOKING_* log line */
    taint: NonEmptyString,
    payload: EnvelopePayload,
    /** when the sender published it (the sender's clock) */
    sent_at: IsoTime,
  }),
  t.exact(
    t.partial({
      /** set when this hop was sent to home because this region was unreachable */
      fallback_from: RegionCode,
    }),
  ),
]);
export type Envelope = t.TypeOf<typeof Envelope>;

/** A message that is not a Caribou envelope (not JSON, or not the expected shape). */
export class EnvelopeError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** Serialises an envelope as the SNS message string. */
export function encodeEnvelope(e: Envelope): string {
  return JSON.stringify(Envelope.encode(e));
}

/** Parses and validates an SNS message; throws EnvelopeError naming every problem with its path. */
export function decodeEnvelope(message: string): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch (err) {
    const preview = message.length > 60 ? `${message.slice(0, 57)}...` : message;
    throw new EnvelopeError(`message is not JSON (${(err as Error).message}): ${JSON.stringify(preview)}`);
  }
  try {
    return decodeOrThrow(Envelope, raw, 'Caribou message envelope');
  } catch (err) {
    if (err instanceof DecodeError) throw new EnvelopeError(err.message, err.problems.map((p) => `${p.path}: expected ${p.expected}; got ${p.found}`));
    throw err;
  }
}

/** UTF-8 size of a string in bytes (what SNS counts). */
export function byteSize(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// ---------------------------------------------------------------------------------------
// Join (sync) table records: one item per `<join instance>:<run_id>` in the join's region.
// Fields: `slot:<i>` (i = index in the join's `join_slots`) written once each; `fired`
// claimed once by whoever completed the item. The join's own execution record is beside it
// (executionKey). Only single-item conditional updates are used (dynalite has no transactions).

/** Why a slot carries no data. */
export const SkipReason = oneOf(['conditional', 'unreached', 'failed', 'not-run'] as const);
export type SkipReason = t.TypeOf<typeof SkipReason>;

/** The value of one join slot. */
export const SlotValue = t.union([
  // hops: the writer's hop count; the join runs one hop after the deepest writer that sent data
  t.strict({ kind: t.literal('data'), data: t.unknown, bytes: t.number, hops: t.number }),
  t.strict({ kind: t.literal('ref'), ref: PayloadRef, hops: t.number }),
  t.strict({ kind: t.literal('skip'), reason: SkipReason }),
]);
export type SlotValue = t.TypeOf<typeof SlotValue>;

/** The value of a join item's `fired` field: who completed it and whether any slot had data. */
// `by` names the slot whose writer completed the item, and nothing else varies: a retry or a
// replay of that writer finds exactly its own value (setFieldOnce reports `set`) and publishes
// the join's trigger again, which the join's execution record deduplicates. `at` and `nonce`
// are only read from records written before that rule.
export const FiredValue = t.intersection([t.strict({ by: NonEmptyString, data: t.boolean }), t.exact(t.partial({ at: IsoTime, nonce: t.string }))]);
export type FiredValue = t.TypeOf<typeof FiredValue>;

/**
 * An execution lease (`claimed` field of an instance's execution record): the delivery that
 * runs the instance (`owner`: Lambda's request id, the same on its retries) until `until`.
 * Another delivery may take it over only once it has expired; the owner's own retry may at once.
 */
export const LeaseValue = t.strict({ owner: NonEmptyString, nonce: t.string, at: IsoTime, until: IsoTime, taint: t.string });
export type LeaseValue = t.TypeOf<typeof LeaseValue>;

/** One call site's action in a checkpoint: a message (with its taint fixed once) or a skip. */
export const CheckpointAction = t.union([
  t.strict({ site: t.number, kind: t.literal('invoke'), value: t.unknown, taint: NonEmptyString, at: t.number }),
  t.strict({ site: t.number, kind: t.literal('skip'), reason: SkipReason, at: t.union([t.number, t.null]) }),
]);
export type CheckpointAction = t.TypeOf<typeof CheckpointAction>;

/**
 * The checkpoint of an instance (`checkpoint` field of its execution record), written once
 * after the user function returned (or failed) and before any of its effects (Unum's
 * checkpoint): a retry replays these actions instead of running the function again.
 * `actions_ref`: the actions were too large for the item and are in package storage.
 */
export const Checkpoint = t.intersection([
  t.strict({
    owner: NonEmptyString,
    at: IsoTime,
    outcome: oneOf(['executed', 'failed', 'hop-limit'] as const),
    user_s: t.number,
    actions: t.array(CheckpointAction),
  }),
  t.exact(t.partial({ error: t.string, actions_ref: PayloadRef, result: t.unknown })),
]);
export type Checkpoint = t.TypeOf<typeof Checkpoint>;

/** The `done` marker of an execution record: every effect of the checkpoint took place. */
export const DoneValue = t.strict({ owner: NonEmptyString, at: IsoTime });
export type DoneValue = t.TypeOf<typeof DoneValue>;

/** The value of a run's failure marker (`failed` field of `run:<run_id>` in the home region's join table). */
export const RunFailure = t.strict({ instance: NonEmptyString, error: t.string, at: IsoTime });
export type RunFailure = t.TypeOf<typeof RunFailure>;

/** Item key of a join's (or any instance's claim) record for a run. */
export function instanceRunKey(instance: string, runId: string): string {
  return `${instance}:${runId}`;
}

/**
 * Item key of an instance's execution record (lease, checkpoint, done): `<instance>:<run_id>`
 * for ordinary instances; a join's lives beside its join item, which keeps its 400 KB for slots.
 */
export function executionKey(instance: string, runId: string, isJoin: boolean): string {
  return isJoin ? `${instanceRunKey(instance, runId)}#exec` : instanceRunKey(instance, runId);
}

/** Item key of a run's status record. */
export function runStatusKey(runId: string): string {
  return `run:${runId}`;
}

/** Field name of slot `i`. */
export function slotField(i: number): string {
  return `slot:${i}`;
}
