import * as fs from 'fs';
import { EnvSecrets } from '../secrets';
import * as path from 'path';
import type { Cloud, Messaging, StateMachines } from '../ports';
import { singleEndpointStore } from '../aws/dynamodb-store';
import { hasSnapshotRegion, sampleLatencyS, snapshotRegions } from '../../data/snapshot';
import { SYSTEM_REGION, TABLES } from '../../model/tables';
import { UserError } from '../../model/errors';
import { startDynalite, type EmbeddedDynamo } from './dynalite';
import { checkLevelDb } from './leveldb-check';
import { LocalEngine, PROJECT_ROOT, type LatencyModel, type LocalKnobs } from './engine';
import { LocalFunctions } from './functions';
import { StateLock } from './lock';
import { LocalLogs } from './logs';
import { LocalMessaging, TopicRegistry } from './messaging';
import { LocalPackageStore } from './packages';
import { seedOf, seededRandom } from './rng';
import { LocalSchedules } from './schedules';
import { StateShapes, readJson, writeJson } from './json-file';

export { SNS_MAX_BYTES, topicArn } from './messaging';
export type { LocalKnobs, RunTrace, InstanceTrace, LatencyModel } from './engine';

/** The embedded cloud: the `Cloud` ports plus what only a simulation can do. */
export interface LocalCloud extends Cloud {
  target: 'local';
  /** the state folder (tables, packages, logs, topics, functions, schedules) */
  home: string;
  /** every simulated region (the regions of the bundled data) */
  regions: string[];
  knobs: LocalKnobs;
  engine: LocalEngine;
  /** Messaging as a client outside the cloud sees it, publishing at the times `clock` gives. */
  messagingAt(clock: () => number): Messaging;
  /** Runs the virtual clock until no message is pending. */
  drain(): Promise<void>;
  /** Moves the virtual clock forward to `t` (e.g. to simulate the next hour). */
  advanceTo(t: Date): void;
  /** Removes a function's log stream (CloudWatch keeps them; the local cloud cleans up on remove). */
  removeLogStream(region: string, functionName: string): void;
}

export interface LocalCloudOptions {
  /** state folder; default CARIBOU_HOME or `.caribou/local` of the current directory */
  home?: string;
  /** knob overrides; the rest come from CARIBOU_LOCAL_* */
  knobs?: Partial<LocalKnobs>;
  /** latency model; default draws from the bundled data */
  latency?: LatencyModel;
  /** virtual time at open; default the wall clock */
  start?: Date;
  /** keep tables in memory instead of on disk (fast tests that need no second process) */
  inMemory?: boolean;
  /**
   * start from an empty cloud: everything in the state folder is removed, under its lock (so a
   * live cloud of another process is never wiped: that one holds the lock and this open fails)
   */
  fresh?: boolean;
  /** how long to wait for another process's lock (default CARIBOU_LOCAL_LOCK_WAIT_S) */
  lockWaitMs?: number;
}

/** The state folder: CARIBOU_HOME, else `.caribou/local` of the current directory. */
export function defaultLocalHome(): string {
  return path.resolve(process.env.CARIBOU_HOME ?? path.join(process.cwd(), '.caribou', 'local'));
}

/**
 * Deliveries run at once by default: one, so that a function's measured time is its own
 * (in one thread, overlapping invocations would each count their neighbours' work).
 */
export const DEFAULT_CONCURRENCY = 1;

/** Reads the CARIBOU_LOCAL_* knobs, with clear errors for bad values. */
export function knobsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalKnobs {
  const dup = env.CARIBOU_LOCAL_DUPLICATES === undefined || env.CARIBOU_LOCAL_DUPLICATES === '' ? 0 : Number(env.CARIBOU_LOCAL_DUPLICATES);
  if (!(dup >= 0 && dup <= 1)) throw new UserError(`CARIBOU_LOCAL_DUPLICATES must be a probability from 0 to 1, got "${env.CARIBOU_LOCAL_DUPLICATES}"`);
  const reorder = ['1', 'true', 'yes'].includes((env.CARIBOU_LOCAL_REORDER ?? '').toLowerCase());
  const outage = (env.CARIBOU_LOCAL_OUTAGE ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const r of outage) if (!hasSnapshotRegion(r)) throw new UserError(`CARIBOU_LOCAL_OUTAGE names "${r}", which is not a simulated region`);
  const seed = env.CARIBOU_LOCAL_SEED ? seedOf(env.CARIBOU_LOCAL_SEED) : 1;
  const concurrency = env.CARIBOU_LOCAL_CONCURRENCY === undefined || env.CARIBOU_LOCAL_CONCURRENCY === '' ? DEFAULT_CONCURRENCY : Number(env.CARIBOU_LOCAL_CONCURRENCY);
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new UserError(`CARIBOU_LOCAL_CONCURRENCY must be a whole number ≥ 1, got "${env.CARIBOU_LOCAL_CONCURRENCY}"`);
  const faults = env.CARIBOU_LOCAL_FAULTS === undefined || env.CARIBOU_LOCAL_FAULTS === '' ? 0 : Number(env.CARIBOU_LOCAL_FAULTS);
  if (!(faults >= 0 && faults <= 1)) throw new UserError(`CARIBOU_LOCAL_FAULTS must be a probability from 0 to 1, got "${env.CARIBOU_LOCAL_FAULTS}"`);
  return { duplicates: dup, reorder, outage, seed, concurrency, faults };
}

/** One-way latency from the bundled data; a client (no sender region) sits next to the target region. */
export const dataLatency: LatencyModel = (from, to, rand) => sampleLatencyS(from ?? to, to, rand);

// A process that opens the same state folder twice shares one cloud (dynalite's LevelDB
// can only be opened once); the last close releases it.
interface OpenEntry {
  cloud: Promise<LocalCloud>;
  refs: number;
}
const open = new Map<string, OpenEntry>();

/** Opens (or joins, within this process) the embedded local cloud of a state folder. */
export async function openLocalCloud(opts: LocalCloudOptions = {}): Promise<LocalCloud> {
  const home = path.resolve(opts.home ?? defaultLocalHome());
  const existing = open.get(home);
  if (existing) {
    // joining gives the cloud as first opened: asking for other knobs, a clock or a network would be silently ignored
    if (opts.knobs || opts.start || opts.latency || opts.inMemory || opts.fresh) {
      throw new UserError(`the local cloud at ${home} is already open in this process; close it before opening it with other options (knobs, start, latency, inMemory, fresh)`);
    }
    existing.refs++;
    return existing.cloud;
  }
  const entry: OpenEntry = { cloud: undefined as unknown as Promise<LocalCloud>, refs: 1 };
  entry.cloud = create(home, opts, entry);
  open.set(home, entry);
  entry.cloud.catch(() => open.delete(home));
  return entry.cloud;
}

/** Empties a state folder except its lock file (which the caller holds). */
function clearStateFolder(home: string, lockFile: string): void {
  for (const name of fs.readdirSync(home)) {
    const p = path.join(home, name);
    if (p !== lockFile) fs.rmSync(p, { recursive: true, force: true });
  }
}

/** Where the virtual clock's high-water mark survives between processes. */
function clockFile(home: string): string {
  return path.join(home, 'clock.json');
}

async function create(home: string, opts: LocalCloudOptions, entry: OpenEntry): Promise<LocalCloud> {
  const lock = await StateLock.acquire(home, opts.lockWaitMs);
  let dynamo: EmbeddedDynamo | undefined;
  try {
    if (opts.fresh) clearStateFolder(home, lock.file);
    const dbDir = path.join(home, 'dynamodb');
    fs.mkdirSync(dbDir, { recursive: true });
    if (!opts.inMemory) checkLevelDb(dbDir, home); // a damaged store is a worded error, not a LevelDB stack
    dynamo = await startDynalite(opts.inMemory ? undefined : dbDir);
    // the SDK's "future releases need Node 22" notice is about AWS, not the embedded cloud
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // one dynalite serves every simulated region: the region is part of the table name
    const { store: tables, destroy: destroyClient } = singleEndpointStore(dynamo.endpoint, { activePollMs: 5 });
    for (const t of Object.values(TABLES)) if (t !== TABLES.syncMessages) await tables.ensureTable(SYSTEM_REGION, t);

    const regions = snapshotRegions().map((r) => r.code);
    const regionSet = new Set(regions);
    const knobs = { ...knobsFromEnv(), ...opts.knobs };
    const rand = seededRandom(knobs.seed);
    const packages = new LocalPackageStore(path.join(home, 'packages'));
    const logs = new LocalLogs(path.join(home, 'logs'));
    const functions = new LocalFunctions(home, regionSet);
    const engine = new LocalEngine(
      { tables, packages, functions, logs, latency: opts.latency ?? dataLatency, knobs, rand, nodeModulesFrom: PROJECT_ROOT },
      (opts.start ?? new Date(Math.max(Date.now(), readJson<{ now?: number }>(clockFile(home), {}, StateShapes.clock).now ?? 0))).getTime(),
    );
    const messaging = new LocalMessaging(new TopicRegistry(home), regionSet, new Set(knobs.outage), engine);
    engine.messaging = messaging;

    let closed = false;
    const d = dynamo;
    const cloud: LocalCloud = {
      target: 'local',
      home,
      regions,
      knobs,
      engine,
      tables,
      messaging,
      functions,
      logs,
      packages,
      schedules: new LocalSchedules(home),
      stateMachines: undefined as unknown as StateMachines,
      // locally a secret is an environment variable of the process (nothing is written to the home)
      secrets: new EnvSecrets(),
      now: () => new Date(engine.now()),
      drain: () => engine.drain(),
      messagingAt: (clock) => messaging.from_(undefined, clock),
      advanceTo: (t) => engine.advanceTo(t.getTime()),
      removeLogStream: (region, fn) => logs.removeStream(region, fn),
      async close() {
        if (closed) return;
        if (--entry.refs > 0) return; // another user in this process still has it open
        closed = true;
        if (open.get(home) === entry) open.delete(home);
        try {
          await engine.drain();
          // a run --at a future time moved the clock: the next process must not go back before it
          if (!opts.inMemory) writeJson(clockFile(home), { now: Math.max(engine.now(), logs.latest) + 1 });
        } finally {
          logs.flush();
          destroyClient();
          await d.close();
          lock.releaseSync();
        }
      },
    };
    cloud.stateMachines = localStateMachines(cloud);
    return cloud;
  } catch (err) {
    await dynamo?.close().catch(() => undefined);
    lock.releaseSync();
    throw err;
  }
}

/**
 * Step Functions locally: the control-plane engineer's interpreter in ./state-machines
 * (aws-local-stepfunctions over state-machines/*.asl.json). Loaded lazily so that commands
 * that never start an execution do not pay for it.
 */
function localStateMachines(cloud: LocalCloud): StateMachines {
  let impl: StateMachines | undefined;
  const get = (): StateMachines => {
    if (impl) return impl;
    let mod: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require('./state-machines');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new UserError('local state machines are not available yet');
      throw err;
    }
    const factory = (mod.createLocalStateMachines ?? mod.default) as ((c: Cloud) => StateMachines) | undefined;
    if (typeof factory !== 'function') throw new UserError('local state machines are not available yet');
    return (impl = factory(cloud));
  };
  return {
    start: (sm, input, name) => get().start(sm, input, name),
    follow: (id, onEvent) => get().follow(id, onEvent),
  };
}
