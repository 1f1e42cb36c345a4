/**
 * Compiles a solve input once into a flat model: the DAG in topological order as CSR arrays,
 * execution samples, transfer sizes and latency distributions in typed-array pools, and every
 * per-region parameter. The simulator then scores any deployment without touching a record.
 *
 * Latency of an edge for a sampled size, region pair (a, b), in this order (DESIGN §5):
 *  1. samples measured for (a, b) in the size's 10 KB bucket;
 *  2. the pair's best-fit line by size, clamped to [0.7, 1.3] × its mean;
 *  3. home→home latency for the size (samples, else home best-fit line, else the home region's ping, else 0.22 s)
 *     + max(0, mean ping(a, b) − mean ping(home, home)), × 5 on an edge into a join (Caribou).
 */
import { UserError } from '../model/errors';
import { SYSTEM_REGION } from '../model/tables';
import type { InstanceConfig } from '../model/workflow-config';
import { FallbackLog, RegionParams, bestFitLatency, executionPowerKw, fitLatencyLine, latencyBucketKb, meanPing, regionParams, snsChunks } from './calculators';
import * as C from './constants';
import type { SolveInput } from './input';

/** The compiled, hour-independent model of one workflow's solve. */
export interface Model {
  workflowId: string;
  /** candidate regions (index = region id), sorted; the system region is appended after them if not a candidate */
  regions: string[];
  /** number of candidate regions */
  R: number;
  /** index of the system region (where the placement decision is read) in `regions` */
  systemIndex: number;
  homeIndex: number;
  /** instance names in topological order (index = node id); node 0 is the entry */
  instances: string[];
  N: number;
  E: number;
  /** identifies regions and instances, so a batch built for one model is never scored on another */
  fingerprint: string;
  /** per node: permitted candidate region ids (home always included), ascending */
  permitted: number[][];
  isJoin: Uint8Array;
  memoryMb: Float64Array;
  /** per node×region (N×R): USD per second of execution, USD per request, kW drawn */
  costPerSec: Float64Array;
  invocationCost: Float64Array;
  powerKw: Float64Array;
  /** execution samples: pool of [duration, data transfer GB, offset of each distinct successor…] records */
  execPool: Float64Array;
  execStride: Int32Array; // per node
  execStart: Int32Array; // N×R
  execCount: Int32Array; // N×R
  execScale: Float64Array; // N×R: relative performance applied to borrowed samples
  /** edges, grouped by source node in topological order (CSR) */
  outStart: Int32Array; // N+1
  inStart: Int32Array; // N+1, into inEdges
  inEdges: Int32Array;
  edgeSrc: Int32Array;
  edgeDst: Int32Array;
  edgeOffset: Int32Array; // index within the source's sample record of this successor's call offset
  edgeProb: Float64Array;
  edgeSyncGb: Float64Array; // response a join's DynamoDB update sends back to the predecessor
  sizePool: Float64Array;
  sizeChunks: Float64Array; // SNS chunks of each size sample
  sizeBucket: Int32Array; // bucket index (within the edge) of each size sample
  sizeStart: Int32Array; // per edge
  sizeCount: Int32Array;
  /** latency: per edge×a×b (E×R×R) a slot (0 = home→home fallback) and an added ping difference */
  pairSlot: Int32Array;
  pairAdd: Float64Array;
  slotBase: Int32Array; // per edge: first slot index
  bucketCount: Int32Array; // per edge
  slotBucketBase: Int32Array; // per slot: first entry in latStart/latCount
  latStart: Int32Array;
  latCount: Int32Array;
  latPool: Float64Array;
  /** start hop: client payload sizes and the placement decision read */
  clientSizes: Float64Array;
  clientChunks: Float64Array;
  wpdSizeGb: number;
  /** per region (all of `regions`): prices and power constants */
  params: RegionParams[];
  fallbacks: string[];
}

/** A FNV-1a hash of a string, as 8 hex digits (fingerprints and deployment keys). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function edgesOf(inst: InstanceConfig): string[] {
  // one edge per call site (a predecessor may call the same join from two sites: two slots)
  const out = inst.call_sites.map((c) => c.successor);
  for (const s of inst.succeeding_instances) if (!out.includes(s)) out.push(s);
  return out;
}

/** Topological order (Kahn, stable in config order); throws naming the instances on a cycle. */
function topologicalOrder(names: string[], succ: Map<string, string[]>, entry: string): string[] {
  const indeg = new Map(names.map((n) => [n, 0]));
  for (const n of names) for (const s of succ.get(n) ?? []) indeg.set(s, (indeg.get(s) ?? 0) + 1);
  const seenEdge = new Map<string, number>();
  const order: string[] = [];
  const queue = [entry, ...names.filter((n) => n !== entry && indeg.get(n) === 0)];
  while (queue.length) {
    const n = queue.shift() as string;
    order.push(n);
    for (const s of succ.get(n) ?? []) {
      const k = (seenEdge.get(s) ?? 0) + 1;
      seenEdge.set(s, k);
      if (k === indeg.get(s)) queue.push(s);
    }
  }
  if (order.length !== names.length) {
    const stuck = names.filter((n) => !order.includes(n));
    throw new UserError(`the workflow's instances form a cycle; cannot simulate: ${stuck.join(', ')}`);
  }
  return order;
}

/** The candidate regions of the workflow and each instance's permitted subset (home always permitted). */
function regionsOf(input: SolveInput, order: string[], byName: Map<string, InstanceConfig>): { regions: string[]; permitted: string[][] } {
  const cfg = input.config;
  const home = cfg.home_region.region;
  let regions = [...new Set([...input.available_regions, home])];
  if (cfg.allowed_regions && cfg.allowed_regions.length) regions = regions.filter((r) => cfg.allowed_regions?.includes(r));
  if (cfg.disallowed_regions) regions = regions.filter((r) => !cfg.disallowed_regions?.includes(r));
  if (!regions.includes(home)) regions.push(home);
  regions.sort();
  const fnByName = new Map(cfg.functions.map((f) => [f.name, f]));
  const permitted = order.map((name) => {
    const fn = fnByName.get(byName.get(name)?.function_name ?? '');
    let rs = regions;
    if (fn?.allowed_regions && fn.allowed_regions.length) rs = rs.filter((r) => fn.allowed_regions?.includes(r));
    if (fn?.disallowed_regions) rs = rs.filter((r) => !fn.disallowed_regions?.includes(r));
    if (!rs.includes(home)) rs = [...rs, home].sort();
    return rs;
  });
  return { regions, permitted };
}

/** Compiles a solve input into a Model (hour-independent). */
export function compileModel(input: SolveInput): Model {
  const log = new FallbackLog();
  const cfg = input.config;
  const home = cfg.home_region.region;
  const byName = new Map(cfg.instances.map((i) => [i.instance_name, i]));
  const names = cfg.instances.map((i) => i.instance_name);
  if (names.length === 0) throw new UserError(`workflow ${cfg.workflow_id} has no instances to place`);
  const succ = new Map(cfg.instances.map((i) => [i.instance_name, edgesOf(i)]));
  for (const [from, tos] of succ)
    for (const to of tos) if (!byName.has(to)) throw new UserError(`instance ${from} calls ${to}, which is not an instance of the workflow`);
  const hasIncoming = new Set([...succ.values()].flat());
  const flagged = cfg.instances.filter((i) => i.entry_point).map((i) => i.instance_name);
  const roots = names.filter((n) => !hasIncoming.has(n));
  const entries = flagged.length ? flagged : roots;
  if (entries.length !== 1) throw new UserError(`workflow ${cfg.workflow_id} must have exactly one entry instance; found ${entries.length}: ${entries.join(', ') || 'none'}`);
  const order = topologicalOrder(names, succ, entries[0]);
  if (roots.length > 1) throw new UserError(`instances ${roots.filter((r) => r !== entries[0]).join(', ')} can never run: nothing calls them`);

  const { regions: candidates, permitted: permittedNames } = regionsOf(input, order, byName);
  const regions = candidates.includes(SYSTEM_REGION) ? candidates : [...candidates, SYSTEM_REGION];
  const R = candidates.length;
  const rIndex = new Map(regions.map((r, i) => [r, i]));
  const homeIndex = rIndex.get(home) as number;
  const N = order.length;
  const nIndex = new Map(order.map((n, i) => [n, i]));
  const params = regions.map((r) => regionParams(input, r, log));
  const record = input.instance;
  if (!record) log.add(`measurements: no workflow_instance record yet; every instance and edge uses defaults`);
  const fnByName = new Map(cfg.functions.map((f) => [f.name, f]));

  // ---- nodes ----
  const isJoin = new Uint8Array(N);
  const memoryMb = new Float64Array(N);
  const costPerSec = new Float64Array(N * R);
  const invocationCost = new Float64Array(N * R);
  const powerKw = new Float64Array(N * R);
  const execStride = new Int32Array(N);
  const execStart = new Int32Array(N * R);
  const execCount = new Int32Array(N * R);
  const execScale = new Float64Array(N * R);
  const pool: number[] = [];
  const distinctSucc: string[][] = [];
  const indeg = new Int32Array(N);
  for (const n of order) for (const s of succ.get(n) ?? []) indeg[nIndex.get(s) as number]++;

  order.forEach((name, i) => {
    const inst = byName.get(name) as InstanceConfig;
    const fn = fnByName.get(inst.function_name);
    if (!fn) throw new UserError(`instance ${name} refers to function ${inst.function_name}, which the workflow config does not list`);
    isJoin[i] = indeg[i] > 1 || fn.is_join || (inst.join_slots?.length ?? 0) > 0 ? 1 : 0;
    memoryMb[i] = fn.memory;
    const ds = [...new Set(succ.get(name) ?? [])];
    distinctSucc.push(ds);
    const stride = 2 + ds.length;
    execStride[i] = stride;
    const summary = record?.instance_summary[name];
    const measured = Object.keys(summary?.executions ?? {})
      .filter((r) => (summary?.executions[r]?.samples.length ?? 0) > 0)
      .sort();
    // where borrowed samples come from: home, else the first measured region
    const source = measured.includes(home) ? home : measured[0];
    const blocks = new Map<string, number>();
    const block = (region: string | undefined): [number, number] => {
      const key = region ?? '';
      const samples = region ? (summary?.executions[region]?.samples ?? []) : [];
      if (!blocks.has(key)) {
        blocks.set(key, pool.length);
        if (samples.length === 0) {
          pool.push(C.DURATION_DEFAULT_S, 0, ...ds.map(() => C.DURATION_DEFAULT_S));
        } else
          for (const s of samples) {
            pool.push(s.duration_s, s.data_transfer_gb);
            // a successor not called in this sample is taken as called when the function returns
            for (const d of ds) pool.push(s.call_offsets_s[d] ?? s.duration_s);
          }
      }
      return [blocks.get(key) as number, Math.max(1, samples.length)];
    };
    if (!source) log.add(`durations ${name}: never observed; ${C.DURATION_DEFAULT_S} s assumed`);
    else if (source !== home) log.add(`durations ${name}: no samples at home ${home}; samples from ${source} used where a region has none`);
    let borrowed = 0;
    for (let r = 0; r < R; r++) {
      const region = regions[r];
      const own = measured.includes(region);
      const [start, count] = block(own ? region : source);
      if (!own && source) borrowed++;
      execStart[i * R + r] = start;
      execCount[i * R + r] = count;
      const perfSrc = params[rIndex.get(source ?? home) ?? homeIndex]?.relativePerformance ?? 1;
      execScale[i * R + r] = own ? 1 : params[r].relativePerformance / perfSrc;
      const util = own
        ? (summary?.executions[region]?.cpu_utilization ?? C.CPU_UTILIZATION_DEFAULT)
        : summary && summary.invocations > 0
          ? summary.cpu_utilization
          : C.CPU_UTILIZATION_DEFAULT;
      costPerSec[i * R + r] = params[r].computeCost[fn.architecture] * (fn.memory / 1024);
      invocationCost[i * R + r] = params[r].invocationCost[fn.architecture];
      powerKw[i * R + r] = executionPowerKw(fn.memory, util, params[r]);
    }
    if (borrowed > 0 && source) log.add(`durations ${name}: ${borrowed} of ${R} regions unmeasured, ${source} samples used`);
  });

  // ---- edges (CSR by source) ----
  const edgeList: Array<[number, number]> = [];
  const outStart = new Int32Array(N + 1);
  order.forEach((name, i) => {
    outStart[i] = edgeList.length;
    for (const s of succ.get(name) ?? []) edgeList.push([i, nIndex.get(s) as number]);
  });
  outStart[N] = edgeList.length;
  const E = edgeList.length;
  const inStart = new Int32Array(N + 1);
  const inEdges = new Int32Array(E);
  {
    const counts = new Int32Array(N);
    for (const [, d] of edgeList) counts[d]++;
    for (let i = 0; i < N; i++) inStart[i + 1] = inStart[i] + counts[i];
    const fill = inStart.slice(0, N);
    edgeList.forEach(([, d], e) => (inEdges[fill[d]++] = e));
  }
  const edgeSrc = new Int32Array(E);
  const edgeDst = new Int32Array(E);
  const edgeOffset = new Int32Array(E);
  const edgeProb = new Float64Array(E);
  const edgeSyncGb = new Float64Array(E);
  const sizes: number[] = [];
  const chunks: number[] = [];
  const buckets: number[] = [];
  const sizeStart = new Int32Array(E);
  const sizeCount = new Int32Array(E);
  const pairSlot = new Int32Array(E * R * R);
  const pairAdd = new Float64Array(E * R * R);
  const slotBase = new Int32Array(E);
  const bucketCount = new Int32Array(E);
  const slotBucketBase: number[] = [];
  const latStart: number[] = [];
  const latCount: number[] = [];
  const latPool: number[] = [];
  const pingHome = meanPing(input, home, home, log);
  const pingCache = new Map<string, number>();
  const ping = (a: string, b: string) => {
    const k = `${a}>${b}`;
    if (!pingCache.has(k)) pingCache.set(k, meanPing(input, a, b, log));
    return pingCache.get(k) as number;
  };

  edgeList.forEach(([s, d], e) => {
    const from = order[s];
    const to = order[d];
    const label = `${from}→${to}`;
    edgeSrc[e] = s;
    edgeDst[e] = d;
    edgeOffset[e] = 2 + distinctSucc[s].indexOf(to);
    const fromSummary = record?.instance_summary[from];
    const es = fromSummary?.to_instance[to];
    if (es) edgeProb[e] = es.invocation_probability;
    else if (fromSummary && fromSummary.invocations > 0) {
      // the source ran but was never seen calling this successor
      edgeProb[e] = 0;
      log.add(`edge ${label}: never observed although ${from} ran; probability 0`);
    } else {
      edgeProb[e] = 1;
      log.add(`edge ${label}: ${from} never observed; probability 1 assumed`);
    }
    edgeSyncGb[e] = es?.sync_size_gb ?? C.SMALL_MESSAGE_GB;
    let sz = es?.transfer_sizes_gb ?? [];
    if (sz.length === 0) {
      sz = [C.TRANSFER_SIZE_DEFAULT_GB];
      log.add(`edge ${label}: no transfer sizes; 1 KB assumed`);
    }
    const bucketKbs = [...new Set(sz.map(latencyBucketKb))].sort((x, y) => x - y);
    sizeStart[e] = sizes.length;
    sizeCount[e] = sz.length;
    for (const v of sz) {
      sizes.push(v);
      chunks.push(snsChunks(v));
      buckets.push(bucketKbs.indexOf(latencyBucketKb(v)));
    }
    const K = bucketKbs.length;
    bucketCount[e] = K;
    slotBase[e] = slotBucketBase.length;
    const pairs = es?.regions_to_regions ?? {};
    const addSlot = (dists: number[][]) => {
      slotBucketBase.push(latStart.length);
      for (const dist of dists) {
        latStart.push(latPool.length);
        latCount.push(dist.length);
        latPool.push(...dist);
      }
    };
    const distsOf = (samples: ReadonlyArray<readonly [number, number]>, line: { slope_s: number; intercept_s: number; min_latency_s: number; max_latency_s: number } | undefined): Array<number[] | undefined> => {
      const fit = line ?? fitLatencyLine(samples);
      return bucketKbs.map((kb) => {
        const inBucket = samples.filter(([size]) => latencyBucketKb(size) === kb).map(([, l]) => l);
        if (inBucket.length) return inBucket;
        return fit ? [bestFitLatency(fit, kb / C.KB_PER_GB)] : undefined;
      });
    };
    // slot 0: home→home, the base of the ping fallback
    const hh = pairs[home]?.[home];
    const homeDists = distsOf(hh?.samples ?? [], hh?.best_fit_line);
    // unmeasured (e.g. a join slot whose write rarely fires the join): the home region's own
    // ping from the performance data, which is 0.22 s (Caribou's constant) only when that is missing too
    if (homeDists.some((x) => !x)) log.add(`latency ${label}: no home→home samples for some sizes; the home region's ping ${pingHome.toPrecision(3)} s used`);
    addSlot(homeDists.map((x) => x ?? [pingHome]));
    let slots = 1;
    let viaPing = 0;
    let viaLine = 0;
    for (let a = 0; a < R; a++)
      for (let b = 0; b < R; b++) {
        const ra = regions[a];
        const rb = regions[b];
        const at = e * R * R + a * R + b;
        const m = pairs[ra]?.[rb];
        if (a === homeIndex && b === homeIndex) {
          pairSlot[at] = 0;
          continue;
        }
        if (m && m.samples.length + (m.best_fit_line ? 1 : 0) > 0) {
          const dists = distsOf(m.samples, m.best_fit_line);
          if (dists.every((x) => x)) {
            if (dists.some((x, k) => !m.samples.some(([size]) => latencyBucketKb(size) === bucketKbs[k]))) viaLine++;
            addSlot(dists as number[][]);
            pairSlot[at] = slots++;
            continue;
          }
        }
        viaPing++;
        pairSlot[at] = 0;
        pairAdd[at] = Math.max(0, ping(ra, rb) - pingHome) * (isJoin[d] ? C.JOIN_PING_MULTIPLIER : 1);
      }
    if (viaLine) log.add(`latency ${label}: ${viaLine} region pairs use the best-fit line for some sizes`);
    if (viaPing) log.add(`latency ${label}: ${viaPing} of ${R * R} region pairs use home→home latency + ping difference`);
  });

  // ---- start hop ----
  let client = record?.start_hop_summary.transfer_sizes_gb ?? [];
  if (client.length === 0) {
    client = [C.TRANSFER_SIZE_DEFAULT_GB];
    log.add(`start hop: no client payload sizes; 1 KB assumed`);
  }
  let wpdSizeGb = record?.start_hop_summary.wpd_size_gb ?? 0;
  if (!(wpdSizeGb > 0)) {
    wpdSizeGb = C.SMALL_MESSAGE_GB;
    log.add(`start hop: no placement-decision size; 1 KB assumed`);
  }

  const permitted = permittedNames.map((rs) => rs.map((r) => rIndex.get(r) as number).sort((x, y) => x - y));
  const fingerprint = fnv1a(`${regions.join(',')}|${order.join(',')}|${E}`).toString(16).padStart(8, '0');
  return {
    workflowId: input.workflow_id,
    regions,
    R,
    systemIndex: rIndex.get(SYSTEM_REGION) as number,
    homeIndex,
    instances: order,
    N,
    E,
    fingerprint,
    permitted,
    isJoin,
    memoryMb,
    costPerSec,
    invocationCost,
    powerKw,
    execPool: Float64Array.from(pool),
    execStride,
    execStart,
    execCount,
    execScale,
    outStart,
    inStart,
    inEdges,
    edgeSrc,
    edgeDst,
    edgeOffset,
    edgeProb,
    edgeSyncGb,
    sizePool: Float64Array.from(sizes),
    sizeChunks: Float64Array.from(chunks),
    sizeBucket: Int32Array.from(buckets),
    sizeStart,
    sizeCount,
    pairSlot,
    pairAdd,
    slotBase,
    bucketCount,
    slotBucketBase: Int32Array.from(slotBucketBase),
    latStart: Int32Array.from(latStart),
    latCount: Int32Array.from(latCount),
    latPool: Float64Array.from(latPool),
    clientSizes: Float64Array.from(client),
    clientChunks: Float64Array.from(client.map(snsChunks)),
    wpdSizeGb,
    params,
    fallbacks: log.list(),
  };
}
