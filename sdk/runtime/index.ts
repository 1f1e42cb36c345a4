/**
 * The SDK runtime: what wraps every user function, on Lambda and on the local cloud.
 *
 * One invocation = one message (an Envelope, src/model/envelope.ts). The runtime decodes it,
 * takes a lease on the instance's execution (so a duplicate delivery does nothing while the
 * first runs), runs the user function, checkpoints what it asked for, and only then acts on
 * its call sites: publish to ordinary successors, write join slots, and resolve every skipped
 * or never-reached call site as a skip, so that no join downstream ever waits for a call that
 * will not come; a `done` marker ends it. A delivery that crashed or whose store calls failed
 * throws, so the platform retries it: the retry resumes from the checkpoint (Unum, NSDI'23)
 * and re-sends its effects, which the receivers deduplicate. User code thus runs at least
 * once; its effects happen exactly once (sdk/README.md). See docs/architecture.md "Runtime".
 */
import type { Context, InvokeOptions, JoinContext, Workflow, FunctionHandler, JoinHandler } from '../index';
import type { RuntimeEnv } from './env';
import { RuntimeDag, RuntimeInstance, slotKey } from './dag';
import { toJson } from './json';
import { Outgoing, RunFields, Sent, homeOverrides, isRegionUnreachable, newId, send, spillKey } from './send';
import { isTransient, resilient } from './retry';
import { createHash } from 'crypto';
import * as t from 'io-ts';
import {
  Checkpoint,
  CheckpointAction,
  DoneValue,
  LeaseValue,
  ENVELOPE_VERSION,
  Envelope,
  EnvelopeError,
  FiredValue,
  RunFailure,
  SkipReason,
  SlotValue,
  byteSize,
  decodeEnvelope,
  executionKey,
  instanceRunKey,
  runStatusKey,
  slotField,
} from '../../src/model/envelope';
import { decodeOrThrow } from '../../src/model/decode';
import { LOG_VERSION, LogEvent, formatLogLine } from '../../src/model/log-event';
import { RunRoute, WorkflowPlacementDecision, routeForRun } from '../../src/model/placement';
import { TABLES } from '../../src/model/tables';
import type { WorkflowConfig } from '../../src/model/workflow-config';
import type { KeyValueStore } from '../../src/cloud/ports';
import { joinKey } from '../../src/cloud/join-scope';

export { RuntimeDag, RuntimeConfigError, slotKey } from './dag';
export { NotJsonError } from './json';
export { EnvelopeError } from '../../src/model/envelope';
export { TransientError, isTransient } from './retry';
export type { RuntimeEnv } from './env';

/** Caribou's MAXIMUM_HOPS_FROM_CLIENT_REQUEST: a chain may be at most this many functions long. */
export const HOP_LIMIT = 20;
const GB = 1024 ** 3;
const SYNC = TABLES.syncMessages;
/** All slots of a join share one item; DynamoDB caps an item at 400 KB, so slot data above its share of this spills to storage. */
const JOIN_ITEM_BUDGET = 350_000;
/** Room per slot for its field name and the slot record around the data. */
const SLOT_OVERHEAD = 100;

/**
 * What one invocation did.
 * - executed: the user function ran and returned; its call sites were acted on
 * - failed: the user function threw (USER_CODE_FAILURE) or a call could not be delivered
 *   (USER_CODE_FAILURE with origin runtime); the run is marked failed
 *   (a timeout is a failure with an error starting "timeout:")
 * - duplicate: this instance's execution is already done; nothing done
 * - busy: another delivery holds a live lease on this instance; nothing done (if that one
 *   dies, its own retry, or any delivery after the lease expired, takes over)
 * - hop-limit: the run exceeded HOP_LIMIT; the function did not run; the run is marked failed
 * Errors that a later delivery may get past (store or messaging calls failing after the
 * in-process retries, a simulated crash) are thrown, for the platform to retry the delivery.
 */
export type Outcome = 'executed' | 'failed' | 'duplicate' | 'busy' | 'hop-limit';

/** The result of `handle`: enough for the local cloud to build a run's status and timeline. */
export interface HandleResult {
  workflow_id: string;
  run_id: string;
  instance: string;
  region: string;
  outcome: Outcome;
  /** the error, for `failed` and `hop-limit` */
  error?: string;
  /** ISO times from env.now(): start of handling, end of handling */
  start: string;
  end: string;
  /** messages published (ordinary successors and join triggers) */
  sent: Sent[];
  /** true when this delivery replayed an earlier delivery's checkpoint instead of running the function */
  replayed?: boolean;
  /** what a function without call sites (a final instance) returned, when it is JSON */
  result?: unknown;
}

/** The runtime of one workflow: handles each message sent to any of its functions. */
export interface FunctionRuntime {
  readonly workflowId: string;
  readonly dag: RuntimeDag;
  /** Handles one SNS message; throws EnvelopeError for a message that is not an envelope of this workflow. */
  handle(env: RuntimeEnv, message: string): Promise<HandleResult>;
}

/** Builds the runtime of a workflow from its code and its deployed config; checks that they fit together. */
export function createRuntime(workflow: Workflow, config: WorkflowConfig): FunctionRuntime {
  const dag = new RuntimeDag(workflow, config);
  return {
    workflowId: config.workflow_id,
    dag,
    handle: (env, message) => new Invocation(env, dag, message).run(),
  };
}

/** What `startRun` returns. */
export interface StartedRun {
  runId: string;
  route: RunRoute;
  /** the region the entry message was published to (home when the planned region was unreachable) */
  entryRegion: string;
}

/**
 * Starts a run (what `caribou run` does): chooses the run's route once with routeForRun at
 * env.now() and publishes the entry envelope to the entry instance's topic.
 */
export async function startRun(
  env: RuntimeEnv,
  wpd: WorkflowPlacementDecision,
  config: WorkflowConfig,
  payload: unknown,
  opts?: { runId?: string },
): Promise<StartedRun> {
  if (wpd.workflow_id !== config.workflow_id) throw new Error(`the placement decision is for ${wpd.workflow_id}, the config for ${config.workflow_id}`);
  const entry = wpd.entry_instance;
  const cfgEntry = config.instances.find((i) => i.entry_point)?.instance_name;
  if (cfgEntry !== undefined && cfgEntry !== entry) throw new Error(`the placement decision starts at ${entry} but the config's entry point is ${cfgEntry}`);
  const json = toJson(payload, 'the run argument');
  const route = routeForRun(wpd, env.now());
  // every instance needs a placement; finding a hole mid-run would fail the run half-way
  const unplaced = config.instances.map((i) => i.instance_name).filter((i) => !route.placements[i]);
  if (unplaced.length > 0) throw new Error(`the placement decision of ${config.workflow_id} places no region for ${unplaced.join(', ')}`);
  const runId = opts?.runId ?? newId();
  const run: RunFields = { v: ENVELOPE_VERSION, workflow_id: config.workflow_id, run_id: runId, route, home: homeOverrides(wpd.home_deployment, route.placements) };
  const homeRegion = (wpd.home_deployment[entry] ?? route.placements[entry])?.region;
  if (!homeRegion) throw new Error(`the placement decision has no placement for the entry instance ${entry}`);
  const sent = await send(resilient(env), run, 0, entry, { kind: 'inline', value: payload === undefined ? null : payload, json }, homeRegion, (from, to) =>
    env.log(
      formatLogLine({
        v: LOG_VERSION,
        time: env.now().toISOString(),
        run_id: runId,
        workflow_id: config.workflow_id,
        instance: entry,
        region: env.region,
        event: 'REGION_UNREACHABLE',
        unreachable_region: from,
        fallback_region: to,
      }),
    ),
  );
  return { runId, route, entryRegion: sent.region };
}

/** The failure marker of a run, if any instance of it failed (read from the home region's join table). */
export async function readRunFailure(tables: KeyValueStore, homeRegion: string, runId: string, scope?: { workflowId: string }): Promise<RunFailure | undefined> {
  const item = (await tables.get(homeRegion, SYNC, joinKey(scope !== undefined, scope?.workflowId ?? '', runStatusKey(runId)))) as Record<string, unknown> | undefined;
  if (!item || item.failed === undefined) return undefined;
  return decodeOrThrow(RunFailure, item.failed, `failure record of run ${runId}`);
}

// ---------------------------------------------------------------------------------------

type Common = 'v' | 'time' | 'run_id' | 'workflow_id' | 'instance' | 'region';
type EventBody = LogEvent extends infer E ? (E extends unknown ? Omit<E, Common> : never) : never;

/** What the user code asked for at one call site. */
type Intent = { kind: 'invoke'; value: unknown; json: string; at: number } | { kind: 'skip'; at: number };

/** A taint that every delivery of a run derives alike (the trigger of a join, which any of its writers may send). */
function derivedTaint(runId: string, what: string): string {
  return createHash('sha256').update(`${runId}/${what}`).digest('hex').slice(0, 32);
}

/** Room for a checkpoint in its item; larger action lists go to package storage. */
const CHECKPOINT_ITEM_BUDGET = 300_000;

/** Beyond its timeout a lease stays valid this long, for the clock skew between regions. */
const LEASE_MARGIN_MS = 30_000;

/** The user function ran longer than its timeout. */
class TimeoutError extends Error {
  constructor(fn: string, timeoutS: number) {
    super(`timeout: ${fn} ran longer than its timeout of ${timeoutS} s and was stopped`);
    this.name = 'TimeoutError';
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return `thrown value ${JSON.stringify(err)}`;
  } catch {
    return `thrown value ${String(err)}`;
  }
}

/** One handled message. */
class Invocation {
  private readonly start: Date;
  private readonly env: RuntimeEnv;
  private envelope!: Envelope;
  private inst!: RuntimeInstance;
  private hops = 0;
  private readonly sent: Sent[] = [];
  /** who this delivery is for leases: the platform's delivery id (the same on its retries), else one of its own */
  private readonly owner: string;
  /** a store or messaging error met inside the user function (predecessorData): the delivery is retried, not failed */
  private infraError: unknown;

  constructor(env: RuntimeEnv, private readonly dag: RuntimeDag, private readonly message: string) {
    this.start = env.now();
    this.env = resilient(env);
    this.owner = env.deliveryId ?? `once-${newId()}`;
  }

  /** The stored key of a join-table item of this workflow (prefixed where the target scopes join keys). */
  private syncKey(key: string): string {
    return joinKey(this.env.scopeJoinKeys, this.dag.config.workflow_id, key);
  }

  private get runId(): string {
    return this.envelope.run_id;
  }

  private offset(at = this.env.now().getTime()): number {
    return (at - this.start.getTime()) / 1000;
  }

  /** Logs one event, stamped now or at `at` (ms) when the event happened earlier. */
  private emit(body: EventBody, at?: number): void {
    const ev = {
      v: LOG_VERSION,
      time: (at === undefined ? this.env.now() : new Date(at)).toISOString(),
      run_id: this.envelope.run_id,
      workflow_id: this.envelope.workflow_id,
      instance: this.inst.name,
      region: this.env.region,
      ...body,
    } as LogEvent;
    this.env.log(formatLogLine(ev));
  }

  private result(outcome: Outcome, extra: { error?: string; replayed?: boolean; result?: unknown } = {}): HandleResult {
    return {
      workflow_id: this.envelope.workflow_id,
      run_id: this.runId,
      instance: this.inst.name,
      region: this.env.region,
      outcome,
      ...(extra.error !== undefined ? { error: extra.error } : {}),
      start: this.start.toISOString(),
      end: this.env.now().toISOString(),
      sent: this.sent,
      ...(extra.replayed ? { replayed: true } : {}),
      ...(extra.result !== undefined ? { result: extra.result } : {}),
    };
  }

  /** Region of a join's table: its planned region for this run (every writer and the reader agree on it). */
  private joinRegion(join: string): string {
    const p = this.envelope.route.placements[join];
    if (!p) throw new Error(`the run's route has no placement for join ${join}`);
    return p.region;
  }

  /**
   * Runs a call on a join's table: in its planned region, or, when that region's tables are
   * unreachable (an outage), in the join's home region, as messages fall back to home. Every
   * writer and the join itself meet the same outage, so they all meet in the same table.
   */
  private async onJoinTable<T>(join: string, fn: (region: string) => Promise<T>): Promise<T> {
    const planned = this.joinRegion(join);
    try {
      return await fn(planned);
    } catch (err) {
      const home = this.envelope.home[join]?.region ?? planned;
      if (!isRegionUnreachable(err) || home === planned) throw err;
      this.emit({ event: 'REGION_UNREACHABLE', unreachable_region: planned, fallback_region: home });
      return fn(home);
    }
  }

  private runFields(): RunFields {
    const { v, workflow_id, run_id, route, home } = this.envelope;
    return { v, workflow_id, run_id, route, home };
  }

  private get execKey(): string {
    return this.syncKey(executionKey(this.inst.name, this.runId, this.inst.isJoin));
  }

  /** A call on this instance's execution record: in the region it runs in, or on its join table. */
  private onExecRecord<T>(fn: (region: string) => Promise<T>): Promise<T> {
    return this.inst.isJoin ? this.onJoinTable(this.inst.name, fn) : fn(this.env.region);
  }

  async run(): Promise<HandleResult> {
    this.envelope = decodeEnvelope(this.message);
    if (this.envelope.workflow_id !== this.dag.config.workflow_id) {
      throw new EnvelopeError(`a message for workflow ${this.envelope.workflow_id} reached the runtime of ${this.dag.config.workflow_id}`);
    }
    const inst = this.dag.instances.get(this.envelope.instance);
    if (!inst) throw new EnvelopeError(`the message names instance ${this.envelope.instance}, which workflow ${this.dag.config.workflow_id} does not have`);
    this.inst = inst;
    this.hops = this.envelope.hops + 1;

    // one delivery at a time works on an instance, whether it runs the function or replays
    const leased = await this.lease();
    if (leased === 'done') return this.result('duplicate');
    if (!leased) return this.result('busy');
    let cp: Checkpoint;
    let replayed = false;
    if (leased.checkpoint !== undefined) {
      // an earlier delivery ran the function and crashed (or failed a call) during its effects
      cp = decodeOrThrow(Checkpoint, leased.checkpoint, `checkpoint of ${inst.name} in run ${this.runId}`);
      replayed = true;
    } else cp = await this.execute();
    const actions = await this.actionsOf(cp);
    const error = await this.applyEffects(cp, actions);
    const done: DoneValue = { owner: this.owner, at: this.env.now().toISOString() };
    await this.onExecRecord((r) => this.env.tables.setFieldOnce(r, SYNC, this.execKey, 'done', done));
    const extra = { replayed, ...(cp.result !== undefined ? { result: cp.result } : {}) };
    if (error !== undefined) return this.result(cp.outcome === 'hop-limit' ? 'hop-limit' : 'failed', { error, ...extra });
    return this.result('executed', extra);
  }

  /**
   * Takes the lease on this instance's execution: when there is none, when it is this
   * delivery's own (a retry of it: the earlier attempt is over), or when it has expired.
   * Returns the execution record as the lease write left it; 'done' when the execution is
   * over; undefined when another delivery holds a live lease (it is working on the instance).
   * The first delivery, the common case, takes it in one conditional write; others learn the
   * record from the failed condition and try once more against the lease they found.
   */
  private async lease(): Promise<Record<string, unknown> | 'done' | undefined> {
    const now = this.env.now();
    const value: LeaseValue = {
      owner: this.owner,
      nonce: newId(),
      at: now.toISOString(),
      until: new Date(now.getTime() + this.inst.timeoutS * 1000 + LEASE_MARGIN_MS).toISOString(),
      taint: this.envelope.taint,
    };
    const swap = (expected: unknown) => this.onExecRecord((region) => this.env.tables.replaceField(region, SYNC, this.execKey, 'claimed', expected, value));
    const first = await swap(undefined);
    if (first.set) return first.fields;
    if (first.fields.done !== undefined) return 'done';
    const current = first.fields.claimed;
    const held = LeaseValue.is(current) ? current : undefined;
    // a claim of the earlier protocol (no owner, no expiry) is final
    if (!held) return undefined;
    if (held.owner !== this.owner && Date.parse(held.until) > now.getTime()) return undefined;
    const second = await swap(current);
    if (second.set) return second.fields;
    // lost the race to another delivery that took it meanwhile
    return second.fields.done !== undefined ? 'done' : undefined;
  }

  /**
   * Runs the user function (or finds the run over its hop limit) and writes the checkpoint:
   * what each call site does, decided once. If another delivery checkpointed first (its lease
   * had expired while it still ran), that checkpoint is the one whose effects happen.
   */
  private async execute(): Promise<Checkpoint> {
    const inst = this.inst;
    const base = { owner: this.owner, at: this.env.now().toISOString() };
    const failAll = (): CheckpointAction[] => [...inst.sites.keys()].map((site) => ({ site, kind: 'skip', reason: 'failed', at: null }));
    let cp: Checkpoint;
    if (this.hops > HOP_LIMIT) {
      this.emit({ event: 'HOP_LIMIT_EXCEEDED', hops: this.hops, limit: HOP_LIMIT });
      cp = { ...base, outcome: 'hop-limit', user_s: 0, actions: failAll(), error: `the run reached ${this.hops} hops, more than the limit of ${HOP_LIMIT}; ${inst.name} did not run` };
    } else {
      const payload = await this.loadPayload();
      const payloadBytes = this.envelope.payload.kind === 'inline' ? byteSize(JSON.stringify(this.envelope.payload.data ?? null)) : this.envelope.payload.kind === 'ref' ? this.envelope.payload.ref.bytes : 0;
      this.emit({ event: 'INVOKED', taint: this.envelope.taint, hops: this.hops, payload_gb: payloadBytes / GB });
      if (inst.isEntry && this.envelope.hops === 0) {
        const { route, home } = this.envelope;
        this.emit({
          event: 'ENTRY_POINT',
          payload_gb: payloadBytes / GB,
          wpd_gb: byteSize(JSON.stringify({ route, home })) / GB,
          time_key: route.time_key,
          route_reason: this.envelope.fallback_from ? 'outage' : route.reason,
        });
      }
      // Run the user function; call sites are only recorded while it runs.
      const intents = new Map<number, Intent>();
      let returned = false;
      const ctx = this.context(intents, () => returned);
      const userStart = this.env.now();
      let value: unknown;
      try {
        value = await this.bounded(async () => {
          if (inst.isJoin) return (inst.fn.handler as JoinHandler<unknown>)(ctx as JoinContext<unknown>);
          return (inst.fn.handler as FunctionHandler<unknown>)(payload, ctx);
        }, userStart.getTime());
        returned = true;
      } catch (err) {
        returned = true;
        // the join's data could not be read: the delivery is retried, the function did not fail
        if (this.infraError !== undefined) throw this.infraError;
        const error = errorText(err);
        this.emit({ event: 'USER_CODE_FAILURE', error });
        // nothing it asked for is sent: its successors will not run and joins waiting on it see skips
        cp = { ...base, outcome: 'failed', user_s: (this.env.now().getTime() - userStart.getTime()) / 1000, actions: failAll(), error };
        return this.checkpoint(cp);
      }
      const actions: CheckpointAction[] = [...inst.sites.keys()].map((site) => {
        const intent = intents.get(site);
        if (intent?.kind === 'invoke') return { site, kind: 'invoke', value: intent.value, taint: newId(), at: intent.at };
        return { site, kind: 'skip', reason: intent ? 'conditional' : 'unreached', at: intent ? intent.at : null };
      });
      cp = { ...base, outcome: 'executed', user_s: (this.env.now().getTime() - userStart.getTime()) / 1000, actions };
      if (inst.sites.size === 0 && value !== undefined) {
        try {
          cp.result = JSON.parse(toJson(value, 'the result')) as unknown;
        } catch {
          // not JSON: a final instance's result is reported only when it can be
        }
      }
    }
    return this.checkpoint(cp);
  }

  /**
   * Runs the user function within its timeout: a timer stops waiting for it, and a function
   * that returns only after its timeout (a busy loop no timer can interrupt) failed all the
   * same, as Lambda would have stopped it.
   */
  private async bounded<T>(fn: () => Promise<T> | T, startMs: number): Promise<T> {
    const limitMs = this.inst.timeoutS * 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(this.inst.fn.name, this.inst.timeoutS)), limitMs);
      (timer as { unref?: () => void }).unref?.();
    });
    try {
      const v = await Promise.race([Promise.resolve().then(fn), timeout]);
      if (this.env.now().getTime() - startMs > limitMs) throw new TimeoutError(this.inst.fn.name, this.inst.timeoutS);
      return v;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes the checkpoint once; returns the one that was written first. */
  private async checkpoint(cp: Checkpoint): Promise<Checkpoint> {
    let stored: Checkpoint = cp;
    const json = JSON.stringify(cp.actions);
    if (byteSize(json) > CHECKPOINT_ITEM_BUDGET) {
      // the owner's nonce in the key: a competing checkpoint never overwrites this one's actions
      const key = spillKey(this.envelope.workflow_id, this.runId, `checkpoint-${this.inst.name}-${newId()}`.replace(/[^A-Za-z0-9_.-]/g, '_'));
      await this.env.packages.put(this.env.region, key, Buffer.from(json, 'utf8'));
      stored = { ...cp, actions: [], actions_ref: { region: this.env.region, key, bytes: byteSize(json) } };
    }
    const w = await this.onExecRecord((r) => this.env.tables.setFieldOnce(r, SYNC, this.execKey, 'checkpoint', stored));
    return w.set ? cp : decodeOrThrow(Checkpoint, w.fields.checkpoint, `checkpoint of ${this.inst.name} in run ${this.runId}`);
  }

  private async actionsOf(cp: Checkpoint): Promise<CheckpointAction[]> {
    if (!cp.actions_ref) return cp.actions;
    const raw = await this.fetchRef(cp.actions_ref.region, cp.actions_ref.key);
    return decodeOrThrow(t.array(CheckpointAction), raw, `checkpointed actions of ${this.inst.name} in run ${this.runId}`);
  }

  /**
   * Acts on a checkpoint: every call site's message, slot or skip, then the run's failure
   * marker if the function failed. Each effect is idempotent, so a replay repeats them all.
   * Errors worth a retry are thrown (after every effect was tried); an effect that can never
   * happen (a topic that does not exist, an unreachable home) fails the run: the returned error.
   */
  private async applyEffects(cp: Checkpoint, actions: CheckpointAction[]): Promise<string | undefined> {
    const inst = this.inst;
    const failures: string[] = [];
    const settled = await Promise.allSettled(
      actions.map(async (a) => {
        const succ = inst.sites.get(a.site);
        if (succ === undefined) throw new Error(`the checkpoint names call site ${a.site}, which ${inst.name} does not have`);
        try {
          if (a.kind === 'invoke') await this.call(a.site, succ, a);
          else {
            if (a.reason !== 'failed') this.emit({ event: 'CONDITIONAL_NON_EXECUTION', successor: succ, site: a.site, reached: a.reason === 'conditional', offset_s: this.offset() });
            await this.resolveSkipped(inst.name, a.site, succ, a.reason);
          }
        } catch (err) {
          if (isTransient(err)) throw err;
          const error = errorText(err);
          if (a.kind === 'invoke') {
            failures.push(`call site ${a.site} (${succ}): ${error}`);
            this.emit({ event: 'USER_CODE_FAILURE', error, origin: 'runtime', successor: succ });
            // the call did not go out: make sure nothing downstream waits for it (a join's
            // slot is written already, and writeSlot resolved what follows an unsent trigger)
            if (!this.dag.instance(succ).isJoin) await this.resolveSkipped(inst.name, a.site, succ, 'failed');
          } else failures.push(`resolving call site ${a.site} (${succ}) failed too: ${error}`);
        }
      }),
    );
    for (const r of settled) {
      if (r.status !== 'rejected') continue;
      if (isTransient(r.reason)) throw r.reason;
      failures.push(errorText(r.reason));
    }
    let error: string | undefined;
    if (cp.outcome !== 'executed') error = [cp.error ?? cp.outcome, ...failures].join('; ');
    else if (failures.length > 0) error = failures.join('; ');
    if (cp.outcome === 'executed' && failures.length === 0) {
      this.emit({
        event: 'EXECUTED',
        user_s: cp.user_s,
        total_s: this.offset(),
        cpu_s: null, // one process hosts many functions locally; Lambda Insights measures CPU on AWS
        memory_mb: inst.memoryMb,
      });
    }
    if (error !== undefined) await this.markFailed(`${inst.name}: ${error}`);
    return error;
  }

  /** Reads the incoming payload: inline, or fetched from package storage. Joins read theirs through predecessorData. */
  private async loadPayload(): Promise<unknown> {
    const p = this.envelope.payload;
    if (p.kind === 'inline') return p.data ?? null;
    if (p.kind === 'join') {
      if (!this.inst.isJoin) throw new EnvelopeError(`a join trigger reached ${this.inst.name}, which is not a join`);
      return undefined;
    }
    return this.fetchRef(p.ref.region, p.ref.key);
  }

  private async fetchRef(region: string, key: string): Promise<unknown> {
    const body = await this.env.packages.get(region, key);
    if (!body) throw new Error(`payload ${key} is missing from package storage in ${region}`);
    return JSON.parse(Buffer.from(body).toString('utf8'));
  }

  /**
   * Marks the run failed (the first failure wins). Throws what a retry may get past, so the
   * marker is never silently lost: the delivery is retried and its checkpoint replayed.
   */
  private async markFailed(error: string): Promise<void> {
    const value: RunFailure = { instance: this.inst.name, error, at: this.env.now().toISOString() };
    await this.env.tables.setFieldOnce(this.dag.config.home_region.region, SYNC, this.syncKey(runStatusKey(this.runId)), 'failed', value);
  }

  private fallbackLogger(): (from: string, to: string) => void {
    return (from, to) => this.emit({ event: 'REGION_UNREACHABLE', unreachable_region: from, fallback_region: to });
  }

  /** Acts on one invoked call site: a join slot write, or a message to an ordinary successor. */
  private async call(site: number, succ: string, action: Extract<CheckpointAction, { kind: 'invoke' }>): Promise<void> {
    const target = this.dag.instance(succ);
    const callOffset = action.at;
    const json = JSON.stringify(action.value ?? null);
    if (target.isJoin) {
      await this.writeSlot(succ, this.inst.name, site, { value: action.value, json }, 'conditional', callOffset);
      return;
    }
    const out: Outgoing = { kind: 'inline', value: action.value, json };
    const s = await send(this.env, this.runFields(), this.hops, succ, out, this.env.region, this.fallbackLogger(), action.taint);
    this.sent.push(s);
    this.emit({
      event: 'INVOKING_SUCCESSOR',
      successor: succ,
      successor_region: s.region,
      site,
      taint: s.taint,
      payload_gb: s.payloadBytes / GB,
      offset_s: this.offset(s.publishedAt),
      spilled: s.spilled,
      call_offset_s: callOffset,
    }, s.publishedAt);
  }

  /** Call site `site` of `pred` will not call `succ` in this run. */
  private async resolveSkipped(pred: string, site: number, succ: string, reason: SkipReason): Promise<void> {
    if (this.dag.instance(succ).isJoin) await this.writeSlot(succ, pred, site, null, reason);
    else await this.notRun(succ);
  }

  /** `name` (an ordinary instance, or a join none of whose slots had data) will not run: resolve its call sites as skipped, recursively. */
  private async notRun(name: string): Promise<void> {
    const inst = this.dag.instance(name);
    await Promise.all([...inst.sites].map(([site, succ]) => this.resolveSkipped(name, site, succ, 'not-run')));
  }

  /**
   * The join protocol. Writes slot `pred#site` of `join` once (setFieldOnce); whoever sees
   * the item complete claims `fired` once, with a value that names its slot and nothing
   * else, so a retry or replay of the same writer finds its own claim and acts again; the
   * claimant either publishes the join's trigger (some slot has data; the trigger's taint is
   * derived from the run, so every copy is the same message and the join's execution record
   * deduplicates them) or resolves the join as not run (all skipped; idempotent slot writes).
   * A duplicate writer finds its slot already set but still checks completion, so a writer
   * that died between its slot write and the fired claim is covered by its retry.
   */
  private async writeSlot(join: string, pred: string, site: number, data: { value: unknown; json: string } | null, reason: SkipReason, callOffset?: number): Promise<void> {
    const j = this.dag.instance(join);
    const key = slotKey(pred, site);
    const index = j.slotIndex.get(key);
    if (index === undefined) throw new Error(`join ${join} has no slot for ${key}`);
    const itemKey = this.syncKey(instanceRunKey(join, this.runId));
    let value: SlotValue;
    let payloadBytes = 0;
    if (data) {
      payloadBytes = byteSize(data.json);
      const share = Math.floor(JOIN_ITEM_BUDGET / j.slots.length) - SLOT_OVERHEAD;
      if (payloadBytes <= share) value = { kind: 'data', data: data.value, bytes: payloadBytes, hops: this.hops };
      else {
        const skey = spillKey(this.envelope.workflow_id, this.runId, `${join}-${index}`.replace(/[^A-Za-z0-9_.-]/g, '_'));
        await this.env.packages.put(this.env.region, skey, Buffer.from(data.json, 'utf8'));
        value = { kind: 'ref', ref: { region: this.env.region, key: skey, bytes: payloadBytes }, hops: this.hops };
      }
    } else value = { kind: 'skip', reason };
    let region = this.joinRegion(join);
    const w = await this.onJoinTable(join, (r) => {
      region = r;
      return this.env.tables.setFieldOnce(r, SYNC, itemKey, slotField(index), value);
    });
    const itemBytes = byteSize(JSON.stringify(w.fields));

    let fired = false;
    let taint: string | null = null;
    let publishedAt: number | undefined;
    if (j.slots.every((_, i) => w.fields[slotField(i)] !== undefined)) {
      const slots = j.slots.map((_, i) => decodeOrThrow(SlotValue, w.fields[slotField(i)], `slot ${i} of join ${join} in run ${this.runId}`));
      const anyData = slots.some((s) => s.kind !== 'skip');
      const claim: FiredValue = { by: key, data: anyData };
      const c = await this.env.tables.setFieldOnce(region, SYNC, itemKey, 'fired', claim);
      if (c.set && anyData) {
        // the join's depth is that of its deepest data-carrying predecessor, not of whoever
        // happened to resolve the last slot (possibly a skip found deep in the DAG)
        const hops = Math.max(...slots.map((s) => (s.kind === 'skip' ? 0 : s.hops)));
        let s: Sent;
        try {
          s = await send(this.env, this.runFields(), hops, join, { kind: 'join' }, this.env.region, this.fallbackLogger(), derivedTaint(this.runId, join));
        } catch (err) {
          // a retry re-fires (the claim is ours); a trigger that can never go out: resolve
          // what follows the join as not run, so joins further down do not wait for it
          if (!isTransient(err)) await this.notRun(join).catch(() => undefined);
          throw err;
        }
        this.sent.push(s);
        fired = true;
        taint = s.taint;
        publishedAt = s.publishedAt;
      } else if (c.set) {
        await this.notRun(join);
      }
    }
    this.emit({
      event: 'INVOKING_SYNC_NODE',
      successor: join,
      successor_region: region,
      site,
      taint,
      payload_gb: payloadBytes / GB,
      skipped: data === null,
      fired,
      offset_s: this.offset(publishedAt),
      sync_data_gb: itemBytes / GB,
      wcu: Math.max(1, Math.ceil(itemBytes / 1024)),
      ...(pred !== this.inst.name ? { predecessor: pred } : {}),
      ...(data === null ? { skip_reason: reason } : {}),
      ...(callOffset !== undefined ? { call_offset_s: callOffset } : {}),
    }, publishedAt);
  }

  /** The Context (JoinContext for joins) handed to the user function. */
  private context(intents: Map<number, Intent>, hasReturned: () => boolean): Context | JoinContext<unknown> {
    const inst = this.inst;
    const self = this;
    const invoke = function (target: { name: string }, payload: unknown, options?: InvokeOptions, site?: unknown): void {
      if (site === undefined) {
        throw new Error(
          `workflow source was not instrumented: ctx.invoke(${target?.name ?? '?'}) in ${inst.fn.name} has no call-site index; deploy the workflow with caribou deploy, which numbers the call sites`,
        );
      }
      if (typeof site !== 'number' || !Number.isInteger(site)) throw new Error(`ctx.invoke in ${inst.fn.name}: call-site index must be an integer, got ${JSON.stringify(site)}`);
      if (hasReturned()) {
        // Its call site was already resolved (as never reached). Throwing here would land in a
        // timer or a dangling promise and could bring down the host process, so say it in the
        // function's log and ignore the call.
        self.env.log(
          `WARNING ctx.invoke(${target?.name}) at call site ${site} of ${inst.fn.name} ran after the function returned and was ignored (run ${self.runId}); await every invoke path before returning`,
        );
        return;
      }
      const succ = inst.sites.get(site);
      if (succ === undefined) throw new Error(`${inst.fn.name} has no call site ${site} in the deployed DAG (redeploy after changing the code)`);
      const succFn = self.dag.instance(succ).fn.name;
      if (target?.name !== succFn) throw new Error(`call site ${site} of ${inst.fn.name} calls ${target?.name} but the deployed DAG says it calls ${succFn} (redeploy after changing the code)`);
      if (intents.has(site)) {
        throw new Error(`call site ${site} of ${inst.fn.name} (calling ${succFn}) ran twice in one run; each call site may run at most once (write one call site per call, not a loop)`);
      }
      const at = self.offset();
      if (options?.conditional === false) {
        intents.set(site, { kind: 'skip', at });
        return;
      }
      // refused here, inside the user function, so the error points at the call that made it
      const json = toJson(payload, `the payload of ctx.invoke(${succFn}) at call site ${site} of ${inst.fn.name}`);
      // a snapshot: the message goes out after the function returns, and the function may
      // change the object after invoking; the successor gets it as it was at the call
      intents.set(site, { kind: 'invoke', value: JSON.parse(json) as unknown, json, at });
    };
    const base: Context = { runId: this.runId, instance: inst.name, region: this.env.region, invoke: invoke as Context['invoke'] };
    if (!inst.isJoin) return base;
    let cached: Promise<unknown[]> | undefined;
    return { ...base, predecessorData: () => (cached ??= this.predecessorData()) };
  }

  /** Reads every slot of this join in slot order and returns the data of those that carried some. */
  private async predecessorData(): Promise<unknown[]> {
    try {
      return await this.readPredecessorData();
    } catch (err) {
      // the user function sees the error, but the delivery is retried rather than failed
      if (isTransient(err)) this.infraError = err;
      throw err;
    }
  }

  private async readPredecessorData(): Promise<unknown[]> {
    const key = this.syncKey(instanceRunKey(this.inst.name, this.runId));
    const item = ((await this.onJoinTable(this.inst.name, (r) => this.env.tables.get(r, SYNC, key))) ?? {}) as Record<string, unknown>;
    const out: unknown[] = [];
    let bytes = byteSize(JSON.stringify(item));
    for (let i = 0; i < this.inst.slots.length; i++) {
      const raw = item[slotField(i)];
      if (raw === undefined) throw new Error(`join ${this.inst.name} ran before slot ${i} (${this.inst.slots[i]}) was resolved in run ${this.runId}`);
      const slot = decodeOrThrow(SlotValue, raw, `slot ${i} of join ${this.inst.name} in run ${this.runId}`);
      if (slot.kind === 'data') out.push(slot.data);
      else if (slot.kind === 'ref') {
        out.push(await this.fetchRef(slot.ref.region, slot.ref.key));
        bytes += slot.ref.bytes;
      }
    }
    this.emit({ event: 'JOIN_DATA', download_gb: bytes / GB, count: out.length, rcu: Math.max(1, Math.ceil(byteSize(JSON.stringify(item)) / 4096)) });
    return out;
  }
}
