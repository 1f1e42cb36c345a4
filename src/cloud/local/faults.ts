import { RegionUnreachableError, type KeyValueStore, type Messaging, type PackageStore } from '../ports';

/**
 * Faults as a test input of the local cloud (CARIBOU_LOCAL_FAULTS=p) and of the runtime's
 * property tests: a store or messaging call fails before taking effect, or after it (the
 * response was lost, as on a network), or the invocation is killed right after the call
 * took effect (a crashed Lambda). The wrappers below sit between a function's runtime and
 * the real adapters; what to inject is decided per call by a FaultPlan.
 */
export type FaultKind = 'before' | 'after' | 'kill';

/** One port call, as a FaultPlan sees it. */
export interface PortCall {
  port: 'tables' | 'messaging' | 'packages';
  op: string;
  region: string;
  /** the field written, for setFieldOnce and replaceField (the runtime's lease is `claimed`) */
  field?: string;
}

export type FaultPlan = (call: PortCall) => FaultKind | undefined;

/** What a failing call throws: a fault the caller may retry. */
export class InjectedFault extends Error {
  constructor(call: PortCall, after: boolean) {
    super(`injected fault: ${call.port}.${call.op} in ${call.region} ${after ? 'took effect, then its response was lost' : 'failed before taking effect'}`);
    this.name = 'InjectedFault';
  }
}

/** The invocation was killed (its process died) right after a call took effect; nothing more of it runs. */
export class InvocationKilled extends Error {
  constructor(call: PortCall) {
    super(`injected crash: the invocation was killed after ${call.port}.${call.op}${call.field ? ` of ${call.field}` : ''} in ${call.region}`);
    this.name = 'InvocationKilled';
  }
}

/**
 * CARIBOU_LOCAL_FAULTS=p: each store write, read and publish fails with probability p, half
 * before taking effect and half after; and with probability p an invocation is killed right
 * after taking its execution lease.
 */
export function randomFaults(p: number, rand: () => number): FaultPlan {
  return (call) => {
    if (call.op === 'replaceField' && call.field === 'claimed' && rand() < p) return 'kill';
    if (rand() < p) return rand() < 0.5 ? 'before' : 'after';
    return undefined;
  };
}

/** Runs one port call under the plan; `onFault` is told of every fault injected. */
async function under<T>(plan: FaultPlan | undefined, call: PortCall, onFault: (k: FaultKind) => void, fn: () => Promise<T>): Promise<T> {
  const kind = plan?.(call);
  if (kind === 'before') {
    onFault(kind);
    throw new InjectedFault(call, false);
  }
  const r = await fn();
  if (kind === 'after') {
    onFault(kind);
    throw new InjectedFault(call, true);
  }
  if (kind === 'kill') {
    onFault(kind);
    throw new InvocationKilled(call);
  }
  return r;
}

export interface FaultOptions {
  plan?: FaultPlan;
  /** regions whose tables are unreachable (the outage knob) */
  outage?: ReadonlySet<string>;
  onFault?: (k: FaultKind, call: PortCall) => void;
}

/** The tables as a function sees them under faults and outages. */
export function faultyTables(t: KeyValueStore, o: FaultOptions): KeyValueStore {
  const down = (region: string) => {
    if (o.outage?.has(region)) throw new RegionUnreachableError(region);
  };
  const run = async <T>(op: string, region: string, fn: () => Promise<T>, field?: string): Promise<T> => {
    down(region);
    const call: PortCall = { port: 'tables', op, region, ...(field ? { field } : {}) };
    return under(o.plan, call, (k) => o.onFault?.(k, call), fn);
  };
  return {
    ensureTable: (r, tb) => t.ensureTable(r, tb),
    dropTable: (r, tb) => t.dropTable(r, tb),
    get: (r, tb, k) => run('get', r, () => t.get(r, tb, k)),
    put: (r, tb, k, v, opts) => run('put', r, () => t.put(r, tb, k, v, opts)),
    delete: (r, tb, k) => run('delete', r, () => t.delete(r, tb, k)),
    keys: (r, tb) => run('keys', r, () => t.keys(r, tb)),
    setFieldOnce: (r, tb, k, f, v) => run('setFieldOnce', r, () => t.setFieldOnce(r, tb, k, f, v), f),
    replaceField: (r, tb, k, f, e, v) => run('replaceField', r, () => t.replaceField(r, tb, k, f, e, v), f),
  };
}

/** Messaging as a function sees it under faults (publish only; the rest is the control plane's). */
export function faultyMessaging(m: Messaging, o: FaultOptions): Messaging {
  return {
    createTopic: (r, n) => m.createTopic(r, n),
    subscribe: (r, tp, f) => m.subscribe(r, tp, f),
    publish: (r, tp, msg) => {
      const call: PortCall = { port: 'messaging', op: 'publish', region: r };
      return under(o.plan, call, (k) => o.onFault?.(k, call), () => m.publish(r, tp, msg));
    },
    deleteTopic: (r, tp) => m.deleteTopic(r, tp),
    listTopics: (r) => m.listTopics(r),
  };
}

/** Package storage (spilled payloads) as a function sees it under faults. */
export function faultyPackages(p: PackageStore, o: FaultOptions): PackageStore {
  const run = <T>(op: string, region: string, fn: () => Promise<T>): Promise<T> => {
    const call: PortCall = { port: 'packages', op, region };
    return under(o.plan, call, (k) => o.onFault?.(k, call), fn);
  };
  return {
    put: (r, k, b) => run('put', r, () => p.put(r, k, b)),
    get: (r, k) => run('get', r, () => p.get(r, k)),
    delete: (r, k) => p.delete(r, k),
    list: (r, pre) => p.list(r, pre),
  };
}
