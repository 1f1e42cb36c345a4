import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { format } from 'util';
import { AsyncLocalStorage } from 'async_hooks';
import type { KeyValueStore, PackageStore } from '../ports';
import type { RuntimeEnv } from '../../../sdk/runtime/env';
import { MinHeap } from './heap';
import type { LocalFunctions } from './functions';
import type { LocalLogs } from './logs';
import type { DeliverySink, LocalMessaging } from './messaging';
import type { LocalPackageStore } from './packages';
import { packageRoot } from '../../paths';
import { faultyMessaging, faultyPackages, faultyTables, randomFaults, type FaultOptions } from './faults';
import { mulberry32 } from '../../random/mulberry32';

/** Testing knobs of the local cloud (from CARIBOU_LOCAL_* unless given). */
export interface LocalKnobs {
  /** probability that a message is delivered twice */
  duplicates: number;
  /** deliver pending messages in a random order instead of by arrival time */
  reorder: boolean;
  /** regions whose topics and tables cannot be reached */
  outage: string[];
  /**
   * probability that each store write or read and each publish of a function fails (half
   * before taking effect, half after: a lost response), and that an invocation is killed
   * right after taking its execution lease (0: none)
   */
  faults: number;
  seed: number;
  /** how many deliveries run at once (1, the default: one after another, each timed alone) */
  concurrency: number;
}

/** One-way latency in seconds between two regions (sender undefined: a client next to the region). */
export type LatencyModel = (from: string | undefined, to: string, rand: () => number) => number;

interface Delivery {
  time: number;
  seq: number;
  region: string;
  fn: string;
  message: string;
  /** 0 for the first delivery; Lambda retries a failed asynchronous invocation twice */
  attempt: number;
  /** the delivery's id, kept by its retries (Lambda's request id): the runtime's lease owner */
  id: string;
}

/** Lambda's retries of a failed asynchronous invocation (SNS → Lambda), and its delays. */
export const LAMBDA_ASYNC_RETRIES = 2;
const RETRY_DELAY_MS = [60_000, 120_000];

/** What one instance did in a run. */
export interface InstanceTrace {
  instance: string;
  region: string;
  start: string;
  end: string | null;
  /** executed, failed (its function threw or timed out, or its delivery exhausted its retries), hop-limit, or incomplete (never finished) */
  outcome?: 'executed' | 'failed' | 'hop-limit' | 'incomplete';
  /** deliveries that reached it: retries and duplicates included */
  attempts?: number;
  error?: string;
  /** what a final instance (no call sites) returned, when JSON */
  result?: unknown;
}

/**
 * What the engine knows about a run it was asked to watch. succeeded: every instance that
 * was reached finished; failed: a function threw, timed out or hit the hop limit, or a
 * delivery exhausted its retries; incomplete: the cloud could not finish it (a message was
 * dropped, an instance was left unfinished). Never succeeded with work missing.
 */
export interface RunTrace {
  run_id: string;
  status: 'succeeded' | 'failed' | 'incomplete';
  instances: InstanceTrace[];
  errors: string[];
  /** faults injected into the run's calls (CARIBOU_LOCAL_FAULTS) */
  faults_injected: number;
}

interface RunState {
  failed: boolean;
  incomplete: boolean;
  instances: Map<string, InstanceTrace>;
  errors: string[];
  faults: number;
}

/** The part of a deployed bundle the engine calls. */
interface LoadedBundle {
  runtime: { handle(env: RuntimeEnv, message: string): Promise<HandleResultLike> };
}

/**
 * The local cloud's engine: a virtual clock and a priority queue of message deliveries.
 * Nothing sleeps: delivering a message advances the clock to its arrival time and runs
 * the subscribed function in this process; the function's own duration is its real,
 * measured time, added to the virtual time it started at.
 */
export class LocalEngine implements DeliverySink {
  private readonly queue = new MinHeap<Delivery>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  private seq = 0;
  private clock: number;
  private draining: Promise<void> | undefined;
  private readonly bundles = new Map<string, LoadedBundle>();
  private readonly watched = new Map<string, RunState>();
  messaging!: LocalMessaging;
  private readonly faultRand: () => number;
  private nextDelivery = 0;

  constructor(
    private readonly deps: {
      tables: KeyValueStore;
      packages: LocalPackageStore & PackageStore;
      functions: LocalFunctions;
      logs: LocalLogs;
      latency: LatencyModel;
      knobs: LocalKnobs;
      rand: () => number;
      /** where `require` of a bundle looks for packages it left external */
      nodeModulesFrom: string;
    },
    start: number,
  ) {
    this.clock = start;
    // its own stream, so turning faults on leaves the latencies and the order as they were
    this.faultRand = mulberry32(Math.floor(deps.rand() * 2 ** 32));
  }

  /** The virtual time, ms since epoch. */
  now(): number {
    return this.clock;
  }

  /** Moves the virtual clock forward to `t` (never back). */
  advanceTo(t: number): void {
    if (t > this.clock) this.clock = t;
  }

  /** Number of deliveries not made yet. */
  get pending(): number {
    return this.queue.size;
  }

  enqueue(from: string | undefined, region: string, subscribers: string[], message: string, sentAt: number): void {
    const { knobs, rand, latency } = this.deps;
    for (const fn of subscribers) {
      this.queue.push({ time: sentAt + latency(from, region, rand) * 1000, seq: this.seq++, region, fn, message, attempt: 0, id: this.deliveryId() });
      // at-least-once delivery: a second copy with its own latency
      if (knobs.duplicates > 0 && rand() < knobs.duplicates)
        this.queue.push({ time: sentAt + latency(from, region, rand) * 1000, seq: this.seq++, region, fn, message, attempt: 0, id: this.deliveryId() });
    }
  }

  private deliveryId(): string {
    return `local-${(++this.nextDelivery).toString(36)}`;
  }

  /** Delivers messages until none is pending (including those the deliveries publish). */
  async drain(): Promise<void> {
    // one drain loop at a time; a caller arriving meanwhile waits for it, and goes again if
    // it queued messages after that loop had seen the queue empty
    while (this.draining || this.queue.size > 0) {
      this.draining ??= this.drainLoop().finally(() => {
        this.draining = undefined;
        this.deps.logs.flush();
      });
      await this.draining;
    }
  }

  /**
   * Takes deliveries in virtual-time order (or at random with `reorder`) and runs up to
   * `concurrency` of them at once. One at a time (the default) keeps each function's
   * measured time its own; more overlap the table I/O for throughput, at the price of
   * durations that include the neighbours' work.
   */
  private async drainLoop(): Promise<void> {
    const { knobs, rand } = this.deps;
    const limit = Math.max(1, Math.floor(knobs.concurrency));
    const running = new Set<Promise<void>>();
    const restore = routeConsole();
    const restoreExit = containExit();
    try {
      for (;;) {
        while (running.size < limit && this.queue.size > 0) {
          const d = knobs.reorder && this.queue.size > 1 ? this.queue.removeAt(Math.floor(rand() * this.queue.size))! : this.queue.pop()!;
          this.advanceTo(d.time);
          const p: Promise<void> = this.deliver(d).finally(() => running.delete(p));
          running.add(p);
        }
        if (running.size === 0) return;
        await Promise.race(running);
      }
    } finally {
      restoreExit();
      restore();
    }
  }

  /** Runs the function a message was delivered to, as Lambda would for an SNS event. */
  private async deliver(d: Delivery): Promise<void> {
    const { functions, logs } = this.deps;
    const startVirtual = d.time;
    let realStart = performance.now();
    const now = () => startVirtual + (performance.now() - realStart);
    const spec = functions.spec(d.region, d.fn);
    const runId = runIdOf(d.message);
    const run = runId ? this.watched.get(runId) : undefined;
    const instance = instanceOf(d.message);
    if (run && instance) this.instance(run, instance, d.region, new Date(d.time).toISOString()).attempts! += 1;
    if (!spec) {
      // the function was removed after the publish: SNS would drop it; say so in the logs
      this.giveUp(d, `delivery to ${d.fn} in ${d.region} failed: the function does not exist`, 'incomplete');
      return;
    }
    const { knobs } = this.deps;
    const fo: FaultOptions = {
      ...(knobs.faults > 0 ? { plan: randomFaults(knobs.faults, this.faultRand) } : {}),
      outage: new Set(knobs.outage),
      onFault: (kind, call) => {
        if (run) run.faults++;
        if (kind === 'kill') logs.append(d.region, d.fn, now(), `KILLED the invocation (injected crash after ${call.port}.${call.op}${call.field ? ` of ${call.field}` : ''})`);
      },
    };
    const env: RuntimeEnv = {
      region: d.region,
      tables: knobs.faults > 0 || knobs.outage.length > 0 ? faultyTables(this.deps.tables, fo) : this.deps.tables,
      messaging: knobs.faults > 0 ? faultyMessaging(this.messaging.from_(d.region, now), fo) : this.messaging.from_(d.region, now),
      packages: knobs.faults > 0 ? faultyPackages(this.deps.packages, fo) : this.deps.packages,
      deliveryId: d.id,
      now: () => new Date(now()),
      log: (line: string) => {
        const t = now();
        logs.append(d.region, d.fn, t, line);
      },
    };
    try {
      const bundle = this.load(d.region, spec.packageKey);
      // loading the code once (a cold start; Lambda reports it apart from the duration and
      // Caribou's log syncer drops runs with one) is not part of the function's time
      realStart = performance.now();
      // as on Lambda, the function's environment variables are in process.env while it runs;
      // only when deliveries run one at a time, or overlapping ones would see each other's
      const restoreEnv = this.deps.knobs.concurrency === 1 ? applyEnvironment(spec.environment) : () => undefined;
      try {
        this.record(await invocationLog.run(env.log, () => bundle.runtime.handle(env, d.message)));
      } finally {
        restoreEnv();
      }
    } catch (err) {
      // a failure of the runtime itself (not of user code, which the runtime catches and logs)
      const msg = `function ${d.fn} in ${d.region} failed: ${(err as Error)?.message ?? String(err)}`;
      logs.append(d.region, d.fn, now(), `ERROR ${msg}`);
      // as Lambda: an invocation that throws is retried (later, twice); a message that is not
      // an envelope never becomes one, so the Lambda glue drops it and so does the engine
      if ((err as Error)?.name !== 'EnvelopeError' && d.attempt < LAMBDA_ASYNC_RETRIES) {
        const time = now() + RETRY_DELAY_MS[d.attempt];
        logs.append(d.region, d.fn, now(), `RETRY attempt ${d.attempt + 2} of ${LAMBDA_ASYNC_RETRIES + 1} at ${new Date(time).toISOString()}`);
        this.queue.push({ ...d, time, seq: this.seq++, attempt: d.attempt + 1 });
        return;
      }
      // the invocation exhausted Lambda's retries: the run failed, with the last error
      if ((err as Error)?.name === 'EnvelopeError') this.giveUp(d, msg, 'incomplete');
      else this.giveUp(d, `${msg} (gave up after ${d.attempt + 1} attempts)`, 'failed');
    }
  }

  /** A delivery that will not be made again: the run failed (retries exhausted) or cannot finish (the message was dropped). */
  private giveUp(d: Delivery, msg: string, how: 'failed' | 'incomplete'): void {
    const runId = runIdOf(d.message);
    const run = runId ? this.watched.get(runId) : undefined;
    if (!run) return;
    if (how === 'failed') run.failed = true;
    else run.incomplete = true;
    run.errors.push(msg);
    const instance = instanceOf(d.message);
    if (instance) {
      const i = this.instance(run, instance, d.region, new Date(d.time).toISOString());
      if (i.outcome === undefined) {
        i.outcome = how;
        i.error = msg;
      }
    }
  }

  private instance(run: RunState, name: string, region: string, start: string): InstanceTrace {
    let i = run.instances.get(name);
    if (!i) run.instances.set(name, (i = { instance: name, region, start, end: null, attempts: 0 }));
    return i;
  }

  /** Loads (once) the bundle a function runs, with require, from the region's package store. */
  private load(region: string, packageKey: string): LoadedBundle {
    const file = this.deps.packages.pathOf(region, packageKey);
    const cached = this.bundles.get(file);
    if (cached) return cached;
    if (!fs.existsSync(file)) throw new Error(`code package ${packageKey} is missing in ${region}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Module = require('module') as {
      new (id: string): { filename: string; paths: string[]; exports: unknown; _compile(code: string, file: string): void };
      _nodeModulePaths(dir: string): string[];
    };
    const m = new Module(file);
    m.filename = file;
    // the bundle lives under the state folder; packages it leaves external resolve from the project
    m.paths = Module._nodeModulePaths(this.deps.nodeModulesFrom);
    m._compile(fs.readFileSync(file, 'utf8'), file);
    const exp = m.exports as Partial<LoadedBundle>;
    if (!exp.runtime || typeof exp.runtime.handle !== 'function') throw new Error(`code package ${packageKey} exports no runtime`);
    this.bundles.set(file, exp as LoadedBundle);
    return exp as LoadedBundle;
  }

  /** Appends a line to a stream outside any function (e.g. the run client's). */
  logClient(region: string, stream: string, time: number, line: string): void {
    this.deps.logs.append(region, stream, time, line);
  }

  /** Starts collecting the instances and status of a run from its log lines. */
  watch(runId: string): void {
    if (!this.watched.has(runId)) this.watched.set(runId, { failed: false, incomplete: false, instances: new Map(), errors: [], faults: 0 });
  }

  /** Marks a watched run failed (e.g. its start could not be published). */
  markFailed(runId: string, error: string): void {
    this.watch(runId);
    const r = this.watched.get(runId)!;
    r.failed = true;
    r.errors.push(error);
  }

  /** The trace of a watched run; with `forget`, stops watching it. */
  trace(runId: string, forget = false): RunTrace | undefined {
    const r = this.watched.get(runId);
    if (!r) return undefined;
    if (forget) this.watched.delete(runId);
    // reached by deliveries that all found it busy, and never finished: nothing will finish it now
    const errors = [...r.errors];
    for (const i of r.instances.values()) {
      if (i.outcome !== undefined) continue;
      i.outcome = 'incomplete';
      i.error = `${i.instance} never finished: the delivery that held its lease did not complete it`;
      errors.push(i.error);
    }
    const incomplete = r.incomplete || errors.length > r.errors.length;
    return {
      run_id: runId,
      status: r.failed ? 'failed' : incomplete ? 'incomplete' : 'succeeded',
      instances: [...r.instances.values()].sort((a, b) => a.start.localeCompare(b.start) || a.instance.localeCompare(b.instance)),
      errors,
      faults_injected: r.faults,
    };
  }

  /** Records what one handled message did for a watched run (the runtime's HandleResult). */
  private record(r: HandleResultLike): void {
    const run = this.watched.get(r.run_id);
    if (!run || r.outcome === 'duplicate' || r.outcome === 'busy') return;
    const i = this.instance(run, r.instance, r.region, r.start);
    // the delivery that completed it: where and when it ran (an earlier attempt may have crashed)
    Object.assign(i, { region: r.region, start: i.outcome === undefined ? r.start : i.start, end: r.end, outcome: r.outcome });
    if (r.result !== undefined) i.result = r.result;
    if (r.outcome === 'failed' || r.outcome === 'hop-limit') {
      i.error = r.error ?? r.outcome;
      run.failed = true;
      run.errors.push(`${r.instance}: ${r.error ?? r.outcome}`);
    }
  }
}

/** The fields of the runtime's HandleResult (sdk/runtime) the engine reads. */
interface HandleResultLike {
  run_id: string;
  instance: string;
  region: string;
  outcome: 'executed' | 'failed' | 'duplicate' | 'busy' | 'hop-limit';
  error?: string;
  start: string;
  end: string;
  result?: unknown;
}

/** Sets variables in process.env; returns the function that puts the previous values back. */
function applyEnvironment(vars: Record<string, string>): () => void {
  const saved = Object.keys(vars).map((k) => [k, process.env[k]] as const);
  for (const [k, v] of Object.entries(vars)) process.env[k] = v;
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** The log of the invocation the current async context belongs to. */
const invocationLog = new AsyncLocalStorage<(line: string) => void>();

/**
 * While the engine drains, console output of user code goes to the log stream of the
 * function that wrote it, as on Lambda (where stdout is the log); AsyncLocalStorage tells
 * concurrent invocations apart. Output outside any invocation goes where it always went.
 * Returns the function that puts the console back.
 */
function routeConsole(): () => void {
  const c = console as unknown as Record<string, (...args: unknown[]) => void>;
  const names = ['log', 'info', 'warn', 'error', 'debug'];
  const saved = names.map((n) => c[n]);
  names.forEach((n, i) => {
    c[n] = (...args: unknown[]) => {
      const log = invocationLog.getStore();
      if (log) log(format(...args));
      else saved[i].apply(console, args);
    };
  });
  return () => names.forEach((n, i) => (c[n] = saved[i]));
}

/**
 * While the engine drains, process.exit() inside a function fails that invocation (on
 * Lambda it would end the invocation's runtime, not the caller); anywhere else it exits as
 * always. Returns the function that puts process.exit back.
 */
function containExit(): () => void {
  const real = process.exit;
  process.exit = ((code?: number | string | null) => {
    if (invocationLog.getStore()) throw new Error(`the function called process.exit(${code ?? ''}); a function ends by returning (or throwing), never by exiting the process`);
    return real.call(process, code as number);
  }) as typeof process.exit;
  return () => {
    process.exit = real;
  };
}

/** The instance an envelope is for, without trusting its shape. */
function instanceOf(message: string): string | undefined {
  return /"instance"\s*:\s*"([^"]+)"/.exec(message)?.[1];
}

/** The run id of an envelope, without trusting its shape. */
function runIdOf(message: string): string | undefined {
  const m = /"run_id"\s*:\s*"([^"]+)"/.exec(message);
  return m?.[1];
}

/** The folder whose node_modules a bundle's external packages resolve from: this project. */
export const PROJECT_ROOT = packageRoot();
