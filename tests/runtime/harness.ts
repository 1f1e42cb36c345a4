/**
 * A small in-memory cloud for testing the runtime's logic: queues instead of SNS, maps
 * instead of S3, MemoryKeyValueStore instead of DynamoDB, and a delivery loop whose order,
 * duplicates and concurrency a seeded PRNG decides. The local cloud proper is tested elsewhere.
 */
import type { CaribouFunction, Context, InvokeOptions } from '../../sdk';
import type { RuntimeEnv } from '../../sdk/runtime/env';
import type { FunctionRuntime, HandleResult } from '../../sdk/runtime';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { KeyValueStore, Messaging, PackageStore, RegionUnreachableError } from '../../src/cloud/ports';
import { SNS_MAX_BYTES, byteSize } from '../../src/model/envelope';
import type { WorkflowPlacementDecision, PlacementMap } from '../../src/model/placement';
import { TABLES } from '../../src/model/tables';
import type { WorkflowConfig } from '../../src/model/workflow-config';
import { mulberry32 } from '../../src/random/mulberry32';
import { FaultPlan, faultyMessaging, faultyPackages, faultyTables } from '../../src/cloud/local/faults';

/** Calls ctx.invoke with an explicit call-site index, as the instrumented bundle does. */
export function call<P>(ctx: Context, target: CaribouFunction<P>, payload: P, site: number, options?: InvokeOptions): void {
  (ctx.invoke as unknown as (t: unknown, p: unknown, o: unknown, s: number) => void)(target, payload, options, site);
}

export interface Published {
  region: string;
  topic: string;
  message: string;
  /** set on a retry: the delivery it retries (Lambda's request id stays the same) */
  deliveryId?: string;
  attempt?: number;
}

/** A delivery whose every attempt threw (Lambda gives up after 2 retries). */
export interface GaveUp {
  message: string;
  error: string;
}

export class MemoryMessaging implements Messaging {
  readonly queue: Published[] = [];
  readonly unreachable = new Set<string>();
  /** topics whose publish fails with an ordinary error (e.g. a topic that was never created) */
  readonly broken = new Set<string>();
  publishedCount = 0;
  async createTopic(region: string, name: string): Promise<string> {
    return `${region}:${name}`;
  }
  async subscribe(): Promise<void> {}
  async publish(region: string, topic: string, message: string): Promise<void> {
    if (this.unreachable.has(region)) throw new RegionUnreachableError(region);
    if (this.broken.has(topic)) throw Object.assign(new Error(`topic ${topic} does not exist`), { name: 'NotFoundException' }); // as SNS says it
    if (byteSize(message) > SNS_MAX_BYTES) throw new Error(`SNS refuses a ${byteSize(message)}-byte message`);
    this.publishedCount++;
    this.queue.push({ region, topic, message });
  }
  async deleteTopic(): Promise<void> {}
  async listTopics(): Promise<string[]> {
    return [];
  }
}

export class MemoryPackages implements PackageStore {
  readonly blobs = new Map<string, Uint8Array>();
  async put(region: string, key: string, body: Uint8Array): Promise<void> {
    this.blobs.set(`${region}/${key}`, body);
  }
  async get(region: string, key: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(`${region}/${key}`);
  }
  async delete(region: string, key: string): Promise<void> {
    this.blobs.delete(`${region}/${key}`);
  }
  async list(region: string, prefix: string): Promise<string[]> {
    return [...this.blobs.keys()].filter((k) => k.startsWith(`${region}/${prefix}`)).map((k) => k.slice(region.length + 1));
  }
}

/** mulberry32: a tiny seeded PRNG, so delivery schedules are reproducible. */
export const prng = mulberry32;

export interface InstanceSpec {
  name: string;
  fn: string;
  entry?: boolean;
  join?: boolean;
  /** call sites in order: [site, successor instance] */
  sites?: Array<[number, string]>;
}

/** Builds a WorkflowConfig by hand; join slots in (instance order, site order). */
export function buildConfig(workflowName: string, instances: InstanceSpec[], homeRegion = 'us-east-1'): WorkflowConfig {
  const preds = new Map<string, string[]>();
  const slots = new Map<string, string[]>();
  for (const i of instances) {
    for (const [site, succ] of i.sites ?? []) {
      preds.set(succ, [...(preds.get(succ) ?? []), i.name]);
      slots.set(succ, [...(slots.get(succ) ?? []), `${i.name}#${site}`]);
    }
  }
  const fns = new Map<string, boolean>();
  for (const i of instances) fns.set(i.fn, i.join === true);
  return {
    workflow_id: `${workflowName}-0.0.1`,
    workflow_name: workflowName,
    workflow_version: '0.0.1',
    home_region: { provider: 'aws', region: homeRegion },
    instances: instances.map((i) => ({
      instance_name: i.name,
      function_name: i.fn,
      succeeding_instances: [...new Set((i.sites ?? []).map(([, s]) => s))],
      preceding_instances: [...new Set(preds.get(i.name) ?? [])],
      call_sites: (i.sites ?? []).map(([site, successor]) => ({ site, successor })),
      ...(i.entry ? { entry_point: true } : {}),
      ...(i.join ? { join_slots: slots.get(i.name) ?? [] } : {}),
    })),
    functions: [...fns].map(([name, isJoin]) => ({
      name,
      entry_point: instances.some((i) => i.fn === name && i.entry),
      is_join: isJoin,
      memory: 256,
      timeout: 60,
      architecture: 'x86_64' as const,
      environment: {},
    })),
  };
}

/** A WPD placing each instance in `regionOf(instance)` (home: `homeRegion`), optionally with a current plan. */
export function buildWpd(config: WorkflowConfig, plan?: (instance: string) => string, expiry = '2099-01-01T00:00:00.000Z'): WorkflowPlacementDecision {
  const place = (region: string, fn: string) => ({ region, topic: `${fn}_messaging_topic@${region}`, function_name: `${config.workflow_name}-0_0_1-${fn}_aws-${region}` });
  const home: PlacementMap = {};
  const cur: PlacementMap = {};
  for (const i of config.instances) {
    home[i.instance_name] = place(config.home_region.region, i.function_name);
    if (plan) cur[i.instance_name] = place(plan(i.instance_name), i.function_name);
  }
  const entry = config.instances.find((i) => i.entry_point)!.instance_name;
  return {
    workflow_id: config.workflow_id,
    entry_instance: entry,
    home_deployment: home,
    ...(plan ? { current_deployment: { expiry_time: expiry, time_keys: ['0'], instances: { '0': cur } } } : {}),
  };
}

/** The in-memory cloud and a delivery loop over it. */
export class TestCloud {
  readonly tables: KeyValueStore;
  readonly messaging = new MemoryMessaging();
  readonly packages = new MemoryPackages();
  readonly logs: string[] = [];
  readonly results: HandleResult[] = [];
  readonly gaveUp: GaveUp[] = [];
  /** faults injected into the functions' calls (see src/cloud/local/faults.ts) */
  faults = 0;
  private deliveries = 0;
  clock = Date.parse('2026-11-22T00:30:00.000Z');

  constructor(readonly regions: string[], tables?: KeyValueStore) {
    this.tables = tables ?? new MemoryKeyValueStore();
  }

  async init(): Promise<void> {
    for (const r of this.regions) await this.tables.ensureTable(r, TABLES.syncMessages);
  }

  env(region: string, o: { deliveryId?: string; faults?: FaultPlan } = {}): RuntimeEnv {
    const fo = { plan: o.faults, onFault: () => void this.faults++ };
    return {
      region,
      tables: o.faults ? faultyTables(this.tables, fo) : this.tables,
      messaging: o.faults ? faultyMessaging(this.messaging, fo) : this.messaging,
      packages: o.faults ? faultyPackages(this.packages, fo) : this.packages,
      ...(o.deliveryId ? { deliveryId: o.deliveryId } : {}),
      now: () => new Date(this.clock),
      log: (line) => this.logs.push(line),
    };
  }

  /**
   * Delivers queued messages until none is left: each step takes 1..`concurrency` messages at
   * random positions and handles them concurrently; each delivery is repeated with
   * probability `duplicates` (at-least-once delivery).
   */
  async drain(runtime: FunctionRuntime, opts: { rand?: () => number; duplicates?: number; concurrency?: number; maxSteps?: number; faults?: FaultPlan } = {}): Promise<void> {
    const rand = opts.rand ?? (() => 0);
    const q = this.messaging.queue;
    let steps = 0;
    while (q.length > 0) {
      if (++steps > (opts.maxSteps ?? 10_000)) throw new Error('delivery loop did not settle');
      const n = 1 + Math.floor(rand() * Math.min(opts.concurrency ?? 1, q.length));
      const batch: Published[] = [];
      const fresh = () => `d${++this.deliveries}`;
      for (let i = 0; i < n; i++) {
        const [m] = q.splice(Math.floor(rand() * q.length), 1);
        batch.push({ ...m!, deliveryId: m!.deliveryId ?? fresh() });
        // a duplicate delivery is a delivery of its own
        if (rand() < (opts.duplicates ?? 0)) batch.push({ ...m!, deliveryId: fresh(), attempt: 0 });
      }
      this.clock += 1000;
      const out = await Promise.all(
        batch.map(async (m) => {
          try {
            return await runtime.handle(this.env(m.region, { deliveryId: m.deliveryId, faults: opts.faults }), m.message);
          } catch (err) {
            if ((err as Error)?.name === 'EnvelopeError') throw err;
            // as Lambda: a failed asynchronous invocation is retried twice, then dropped
            const attempt = m.attempt ?? 0;
            if (attempt < 2) q.push({ ...m, attempt: attempt + 1 });
            else this.gaveUp.push({ message: m.message, error: (err as Error)?.message ?? String(err) });
            return undefined;
          }
        }),
      );
      for (const r of out) if (r) this.results.push(r);
    }
  }

  /** Parsed log events. */
  events(): Array<Record<string, unknown>> {
    return this.logs.map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)) as Record<string, unknown>);
  }
}
