/**
 * The Monte Carlo simulator: scores a deployment (node → region id) by simulating N workflow
 * runs on a compiled Model, with Caribou's semantics (DESIGN §5):
 *  - an edge fires with its measured probability if its source ran (Bernoulli);
 *  - a node runs if an incoming edge fired; an ordinary node starts when its edge arrives, a
 *    join when the last of its slots is written (fired edges and skip markers alike) and only
 *    if at least one slot fired (a join whose callers all skipped never runs);
 *  - durations, call offsets (jointly, from one observed execution), transfer sizes and latencies
 *    are drawn uniformly over all samples (Caribou's Python never drew the last one);
 *  - runtime is the critical path (latest finish of any node that ran); cost and carbon are sums,
 *    including join DynamoDB writes/reads and the placement-decision read at the entry.
 * Nothing is allocated per simulated run: scratch arrays live in the Simulator. Seeded (sfc32).
 */
import type { DeploymentMetrics } from '../model/staging';
import { FallbackLog, gridIntensity, readUnits } from './calculators';
import * as C from './constants';
import type { Model } from './compile';
import type { SolveInput } from './input';

/** Hour-specific data: grid intensity of every region of the model. */
export interface HourData {
  hour: string | null;
  /** gCO2e/kWh per region id (all of model.regions) */
  intensity: Float64Array;
  fallbacks: string[];
}

/** Reads the grid intensities for one hour key ("0"…"23", or null for the daily overall). */
export function hourData(input: SolveInput, model: Model, hour: string | null, slotEnd?: number): HourData {
  const log = new FallbackLog();
  const from = hour === null ? 0 : Number(hour);
  // a plan serves its hour slot [hour, next key): score it on the slot's mean intensity, not on
  // its first hour alone (Caribou did; a region clean at 00 UTC then won the whole day)
  const span = hour === null || slotEnd === undefined ? 1 : Math.max(1, slotEnd - from);
  const intensity = Float64Array.from(
    model.regions.map((r) => {
      if (span === 1) return gridIntensity(input, r, hour, log);
      let sum = 0;
      for (let k = from; k < from + span; k++) sum += gridIntensity(input, r, String(k), log);
      return sum / span;
    }),
  );
  return { hour, intensity, fallbacks: log.list() };
}

/** The end (exclusive) of the hour slot of `keys[i]`: the next key, or 24; undefined for the daily average. */
export function slotEndOf(keys: ReadonlyArray<string | null>, i: number): number | undefined {
  const k = keys[i];
  if (k === null || k === undefined) return undefined;
  let end = 24;
  for (const other of keys) if (other !== null && Number(other) > Number(k) && Number(other) < end) end = Number(other);
  return end;
}

/** Options of one evaluation. */
export interface SimOptions {
  runs: number;
  /** percentile reported as the tail, e.g. 95 */
  tail: number;
  /** PRNG seed; every candidate of a solve uses the same seed (common random numbers) */
  seed: number;
}

/** Per-run samples of the last evaluation, for tests and diagnostics (views into scratch arrays). */
export interface RunSamples {
  cost: Float64Array;
  runtime: Float64Array;
  carbon: Float64Array;
  /** how often each node ran */
  nodeRuns: Float64Array;
}

/** Scores deployments of one Model; reuses its scratch arrays across evaluations (not re-entrant). */
export class Simulator {
  // per-deployment constants
  private readonly nCostPerSec: Float64Array;
  private readonly nInv: Float64Array;
  private readonly nCol: Int32Array; // carbon column of the node's region
  private readonly nCarbonPerSec: Float64Array; // gCO2e per s per unit of grid intensity
  private readonly homeCol: number[] = [0];
  private readonly nExecStart: Int32Array;
  private readonly nExecCount: Int32Array;
  private readonly nScale: Float64Array;
  private readonly nWrite: Float64Array;
  private readonly nRead: Float64Array;
  private readonly nSns: Float64Array;
  private readonly eAdd: Float64Array;
  private readonly eEgress: Float64Array;
  private readonly eSns: Float64Array;
  private readonly eColA: Int32Array; // carbon columns of the edge's two ends
  private readonly eColB: Int32Array;
  private readonly eSyncCost: Float64Array;
  /** region id → carbon column of this deployment (−1 if unused); column 0 is the constant term */
  private readonly col: Int32Array;
  private readonly colRegion: Int32Array;
  private ncols = 1;
  /** per run: carbon as coefficients of [1, I(colRegion[1]), I(colRegion[2]), …] */
  private readonly coef: Float64Array;
  private readonly intensity: Float64Array;
  private readonly edgeSync: Float64Array;
  // per-block scratch (CHUNK runs): per edge × run, per node × run, per join slot
  private readonly fired: Uint8Array;
  private readonly arrival: Float64Array;
  private readonly size: Float64Array;
  private readonly nodeRan: Uint8Array;
  private readonly nodeT0: Float64Array;
  private readonly nodeBase: Int32Array;
  private readonly slotArrival: Float64Array;
  private readonly slotSize: Float64Array;
  /** join-slot sort scratch: the order, bucket counts and each slot's bucket */
  private readonly order: Int32Array;
  private readonly count: Int32Array;
  private readonly spare: Int32Array;
  /** random draws per run: the client, one per node, three per edge */
  private readonly slots: number;
  private readonly rng = new Sfc32();
  /** per edge: its latency slot (slotBase + pairSlot) in this deployment */
  private readonly eSlot: Int32Array;
  /** the last seed's random blocks, when they fit; else one block drawn again each time */
  private rnd: { seed: number; runs: number; blocks: Block[] } | null = null;
  private scratch: Block | null = null;
  /** one block's draws of every slot, as the generator produces them */
  private draws: Float64Array | null = null;
  // results
  readonly samples: RunSamples;
  private readonly work: Float64Array;
  /** evaluations done by this simulator */
  evaluations = 0;

  constructor(
    readonly model: Model,
    readonly maxRuns = C.DEFAULT_RUNS,
  ) {
    const { N, E } = model;
    this.nCostPerSec = new Float64Array(N);
    this.nInv = new Float64Array(N);
    this.nCol = new Int32Array(N);
    this.nCarbonPerSec = new Float64Array(N);
    this.nExecStart = new Int32Array(N);
    this.nExecCount = new Int32Array(N);
    this.nScale = new Float64Array(N);
    this.nWrite = new Float64Array(N);
    this.nRead = new Float64Array(N);
    this.nSns = new Float64Array(N);
    this.eAdd = new Float64Array(E);
    this.eEgress = new Float64Array(E);
    this.eSns = new Float64Array(E);
    this.eColA = new Int32Array(E);
    this.eColB = new Int32Array(E);
    this.eSyncCost = new Float64Array(E);
    this.col = new Int32Array(model.regions.length);
    this.colRegion = new Int32Array(model.regions.length + 1);
    this.coef = new Float64Array(maxRuns * (model.regions.length + 1));
    this.intensity = new Float64Array(model.regions.length + 1);
    this.edgeSync = model.edgeSyncGb;
    let maxIn = 1;
    for (let i = 0; i < N; i++) maxIn = Math.max(maxIn, model.inStart[i + 1] - model.inStart[i]);
    this.fired = new Uint8Array(Math.max(1, E) * CHUNK);
    this.arrival = new Float64Array(Math.max(1, E) * CHUNK);
    this.size = new Float64Array(Math.max(1, E) * CHUNK);
    this.nodeRan = new Uint8Array(CHUNK);
    this.nodeT0 = new Float64Array(CHUNK);
    this.nodeBase = new Int32Array(CHUNK);
    this.slotArrival = new Float64Array(maxIn);
    this.slotSize = new Float64Array(maxIn);
    this.order = new Int32Array(maxIn);
    this.count = new Int32Array(maxIn + 1);
    this.spare = new Int32Array(maxIn);
    this.slots = 1 + N + 3 * E;
    this.eSlot = new Int32Array(E);
    this.samples = { cost: new Float64Array(maxRuns), runtime: new Float64Array(maxRuns), carbon: new Float64Array(maxRuns), nodeRuns: new Float64Array(N) };
    this.work = new Float64Array(maxRuns);
  }

  /** Checks a deployment's shape and region ids; throws a clear error otherwise. */
  check(deployment: ArrayLike<number>): void {
    const m = this.model;
    if (deployment.length !== m.N) throw new Error(`a deployment of ${m.workflowId} places ${m.N} instances; got ${deployment.length}`);
    for (let i = 0; i < m.N; i++) {
      const r = deployment[i];
      if (!Number.isInteger(r) || r < 0 || r >= m.R) throw new Error(`deployment[${i}] (${m.instances[i]}): region id ${r} is not one of the ${m.R} candidate regions`);
    }
  }

  /** Precomputes every per-node and per-edge constant of a deployment (hour-independent). */
  private prepare(d: ArrayLike<number>): void {
    const m = this.model;
    const { N, E, R } = m;
    // carbon columns: the constant, then every region the deployment touches (home and the
    // system region included): carbon is linear in their grid intensities
    this.col.fill(-1);
    let nc = 1;
    const use = (r: number): number => {
      if (this.col[r] < 0) {
        this.col[r] = nc;
        this.colRegion[nc++] = r;
      }
      return this.col[r];
    };
    this.homeCol[0] = use(m.homeIndex);
    use(m.systemIndex);
    for (let i = 0; i < N; i++) {
      const r = d[i];
      const p = m.params[r];
      const at = i * R + r;
      this.nCostPerSec[i] = m.costPerSec[at];
      this.nInv[i] = m.invocationCost[at];
      this.nCol[i] = use(r);
      this.nCarbonPerSec[i] = (m.powerKw[at] / 3600) * p.pue;
      this.nExecStart[i] = m.execStart[at];
      this.nExecCount[i] = m.execCount[at];
      this.nScale[i] = m.execScale[at];
      this.nWrite[i] = p.dynamoWriteCost;
      this.nRead[i] = p.dynamoReadCost;
      this.nSns[i] = p.snsRequestCost;
    }
    this.ncols = nc;
    for (let e = 0; e < E; e++) {
      const a = d[m.edgeSrc[e]];
      const b = d[m.edgeDst[e]];
      const at = e * R * R + a * R + b;
      this.eSlot[e] = m.slotBase[e] + m.pairSlot[at];
      this.eAdd[e] = m.pairAdd[at];
      const cross = a !== b;
      this.eEgress[e] = cross ? m.params[a].egressCost : 0;
      this.eSns[e] = m.params[b].snsRequestCost;
      // route intensity: the mean of both ends (which is the region's own inside a region)
      this.eColA[e] = this.col[a];
      this.eColB[e] = this.col[b];
      // a join slot write returns a response to the caller (Caribou's sync size, 1 KB by default)
      this.eSyncCost[e] = cross ? m.edgeSyncGb[e] * m.params[b].egressCost : 0;
    }
  }

  /** Scores one deployment at one hour: mean and tail of cost (USD), runtime (s), carbon (gCO2e) per run. */
  evaluate(deployment: ArrayLike<number>, hd: HourData, opts: SimOptions): DeploymentMetrics {
    return this.evaluateHours(deployment, [hd], opts)[0];
  }

  /**
   * Scores one deployment at several hours from one simulation: only grid intensity depends on
   * the hour, and every run's carbon is linear in the intensities, so each run records its
   * carbon as coefficients per region and each hour is a dot product. Same result as
   * evaluating each hour on its own with the same seed.
   *
   * Runs are simulated a block of CHUNK at a time, node by node and edge by edge with the runs
   * innermost: a node's or edge's constants and its small sample tables stay in registers and
   * L1 while it is applied to every run of the block, instead of every run walking the whole
   * model (a 100-instance fan-out then missed the caches on every lookup). Each run still sees
   * exactly the same operations in the same order as a run simulated alone (its cost, carbon
   * coefficients and runtime are the same floating-point sums, bit for bit; see
   * tests/solve/reference-simulator.ts), and the random numbers are the same sfc32 stream, drawn
   * once per seed and kept while they fit (common random numbers: every candidate of a solve
   * uses the same seed).
   */
  evaluateHours(deployment: ArrayLike<number>, hds: readonly HourData[], opts: SimOptions): DeploymentMetrics[] {
    const runs = opts.runs;
    if (!(runs >= 1 && runs <= this.maxRuns)) throw new Error(`runs must be 1 to ${this.maxRuns}; got ${runs}`);
    this.check(deployment);
    this.prepare(deployment);
    this.evaluations++;
    const m = this.model;
    const N = m.N;
    const { isJoin, execPool, execStride, outStart, inStart, inEdges, edgeDst, edgeOffset, edgeProb, sizePool, sizeChunks, clientSizes, clientChunks } = m;
    const { nCostPerSec, nInv, nCol, nCarbonPerSec, nExecStart, nExecCount, nScale, nWrite, nRead, nSns, eAdd, eEgress, eSns, eColA, eColB, eSyncCost, edgeSync, fired, arrival, size, order, count, spare, coef } = this;
    const { nodeRan, nodeT0, nodeBase, slotArrival, slotSize } = this;
    const K = this.ncols;
    const homeCol = this.homeCol[0];
    const outCost = this.samples.cost;
    const outRuntime = this.samples.runtime;
    const nodeRuns = this.samples.nodeRuns;
    nodeRuns.fill(0);
    coef.fill(0, 0, runs * K);
    outRuntime.fill(0, 0, runs);
    const entry = deployment[0];
    // placement decision read at the entry from the system region: RRUs there, data over the route
    const sys = m.systemIndex;
    const wpdCost = readUnits(m.wpdSizeGb) * m.params[sys].dynamoReadCost + (sys === entry ? 0 : m.wpdSizeGb * m.params[sys].egressCost);
    const wpdHalf = 0.5 * m.wpdSizeGb * C.TRANSMISSION_KWH_PER_GB;
    const sysCol = this.col[sys];
    const entryCol = this.col[entry];
    // the client's payload arrives from an unknown region: 410 gCO2e/kWh, SNS at the entry's price
    const clientCarbonPerGb = C.TRANSMISSION_KWH_PER_GB * C.GRID_CARBON_DEFAULT;
    // data moved during execution: half at 410, half over the home→region route (Caribou)
    const dtConst = 0.5 * C.TRANSMISSION_KWH_PER_GB * C.GRID_CARBON_DEFAULT;
    const dtQuarter = 0.25 * C.TRANSMISSION_KWH_PER_GB;
    const half = 0.5 * C.TRANSMISSION_KWH_PER_GB;
    const clientSns = m.params[entry].snsRequestCost;
    const nClient = clientSizes.length;
    const KB = C.KB_PER_GB;
    const nodeSlot = 1;

    for (let r0 = 0; r0 < runs; r0 += CHUNK) {
      const nr = Math.min(CHUNK, runs - r0);
      // this block's random numbers: rb[slot * CHUNK + j] is run r0 + j's draw for that slot
      const block = this.randomBlock(opts.seed, r0, runs);
      const rb = block.rb;
      const qs = block.q;
      const fires = block.fire;
      // the start of every run: the placement decision read and the client's payload
      for (let j = 0; j < nr; j++) {
        const cb = (r0 + j) * K;
        let cost = wpdCost;
        coef[cb + sysCol] += wpdHalf;
        coef[cb + entryCol] += wpdHalf;
        const q = (rb[j] * nClient) | 0;
        cost += clientChunks[q] * clientSns;
        coef[cb] += clientSizes[q] * clientCarbonPerGb; // column 0: the constant term
        outCost[r0 + j] = cost;
      }
      for (let i = 0; i < N; i++) {
        const rn = (nodeSlot + i) * CHUNK;
        const join = isJoin[i] !== 0;
        // when node i starts in each run, and whether it runs
        if (i === 0) {
          nodeRan.fill(1, 0, nr);
          nodeT0.fill(0, 0, nr);
        } else if (!join) {
          const e = inEdges[inStart[i]];
          const eb = e * CHUNK;
          for (let j = 0; j < nr; j++) {
            nodeRan[j] = fired[eb + j];
            nodeT0[j] = arrival[eb + j];
          }
        } else {
          // a join: slots written in arrival order onto one growing item (one UpdateItem each)
          const lo = inStart[i];
          const n = inStart[i + 1] - lo;
          const wCost = nWrite[i];
          const rCost = nRead[i];
          const sCost = nSns[i];
          for (let j = 0; j < nr; j++) {
            let didRun = 0;
            let t0 = 0;
            let tMin = Infinity;
            for (let k = 0; k < n; k++) {
              const at = inEdges[lo + k] * CHUNK + j;
              if (fired[at]) didRun = 1;
              const a = arrival[at];
              slotArrival[k] = a;
              slotSize[k] = size[at];
              if (a > t0) t0 = a;
              if (a < tMin) tMin = a;
            }
            sortSlots(n, slotArrival, order, t0 > tMin ? tMin : t0, t0, count, spare);
            let cum = 0;
            let wru = 0;
            for (let k = 0; k < n; k++) {
              cum += slotSize[order[k]] * KB; // KB; a skip marker adds nothing measurable
              const u = Math.ceil(cum - 1e-9);
              wru += u > 1 ? u : 1;
            }
            let cost = outCost[r0 + j];
            cost += wru * wCost;
            if (didRun) {
              const rru = Math.ceil(cum / 4 - 1e-9);
              // the join reads the item once, and the last writer publishes one small SNS message
              cost += (rru > 1 ? rru : 1) * rCost + sCost;
            }
            outCost[r0 + j] = cost;
            nodeRan[j] = didRun;
            nodeT0[j] = t0;
          }
        }
        // the node's own execution
        {
          const stride = execStride[i];
          const execStart = nExecStart[i];
          const execCount = nExecCount[i];
          const scale = nScale[i];
          const costPerSec = nCostPerSec[i];
          const inv = nInv[i];
          const colI = nCol[i];
          const carbonPerSec = nCarbonPerSec[i];
          let ranCount = 0;
          for (let j = 0; j < nr; j++) {
            if (!nodeRan[j]) continue;
            ranCount++;
            const cb = (r0 + j) * K;
            const base = execStart + ((rb[rn + j] * execCount) | 0) * stride;
            nodeBase[j] = base;
            const dur = execPool[base] * scale;
            const fin = nodeT0[j] + dur;
            if (fin > outRuntime[r0 + j]) outRuntime[r0 + j] = fin;
            outCost[r0 + j] += dur * costPerSec + inv;
            coef[cb + colI] += dur * carbonPerSec;
            const dt = execPool[base + 1];
            coef[cb] += dt * dtConst;
            coef[cb + homeCol] += dt * dtQuarter;
            coef[cb + colI] += dt * dtQuarter;
          }
          nodeRuns[i] += ranCount;
        }
        // its outgoing edges, in order: each run sees them in the same order as before
        for (let e = outStart[i]; e < outStart[i + 1]; e++) {
          const eb = e * CHUNK;
          const off = edgeOffset[e];
          const scale = nScale[i];
          const lats = this.latencies(block, e, nr);
          const add = eAdd[e];
          const egress = eEgress[e];
          const toJoin = isJoin[edgeDst[e]] !== 0;
          const sync = edgeSync[e];
          const syncCost = eSyncCost[e];
          const sns = eSns[e];
          const cA = eColA[e];
          const cB = eColB[e];
          for (let j = 0; j < nr; j++) {
            const cb = (r0 + j) * K;
            if (nodeRan[j]) {
              const tCall = nodeT0[j] + execPool[nodeBase[j] + off] * scale;
              const q = qs[eb + j];
              const lat = lats[j] + add;
              if (fires[eb + j]) {
                const s = sizePool[q];
                fired[eb + j] = 1;
                arrival[eb + j] = tCall + lat;
                size[eb + j] = s;
                let cost = outCost[r0 + j];
                cost += s * egress;
                // input data of the target, over the route: the mean of both ends' intensities
                const g = !toJoin ? s * half : (s + sync) * half;
                coef[cb + cA] += g;
                coef[cb + cB] += g;
                if (!toJoin) cost += sizeChunks[q] * sns;
                else cost += syncCost;
                outCost[r0 + j] = cost;
              } else {
                fired[eb + j] = 0;
                size[eb + j] = 0;
                if (!toJoin) arrival[eb + j] = tCall; // when the skip was decided
                else {
                  // the skip marker is written into the join's item
                  arrival[eb + j] = tCall + lat;
                  outCost[r0 + j] += syncCost;
                  coef[cb + cA] += sync * half;
                  coef[cb + cB] += sync * half;
                }
              }
            } else {
              // a node that did not run: whoever skipped it marks its join slots at the skip time
              fired[eb + j] = 0;
              size[eb + j] = 0;
              if (!toJoin) arrival[eb + j] = nodeT0[j];
              else {
                arrival[eb + j] = nodeT0[j] + lats[j] + add;
                outCost[r0 + j] += syncCost;
                coef[cb + cA] += sync * half;
                coef[cb + cB] += sync * half;
              }
            }
          }
        }
      }
    }
    const costStat = this.stat(outCost, runs, opts.tail);
    const runtimeStat = this.stat(outRuntime, runs, opts.tail);
    const outCarbon = this.samples.carbon;
    const intensity = this.intensity;
    return hds.map((hd) => {
      intensity[0] = 1;
      for (let c = 1; c < K; c++) intensity[c] = hd.intensity[this.colRegion[c]];
      for (let run = 0, cb = 0; run < runs; run++, cb += K) {
        let g = 0;
        for (let c = 0; c < K; c++) g += coef[cb + c] * intensity[c];
        outCarbon[run] = g;
      }
      return { cost: costStat, runtime: runtimeStat, carbon: this.stat(outCarbon, runs, opts.tail) };
    });
  }

  /**
   * The random numbers of runs [r0, r0 + CHUNK) for a seed: the sfc32 stream of the old
   * run-by-run simulator (one draw per slot per run, in run order), the client's and nodes'
   * draws slot-major (rb[slot × CHUNK + j]), and what each edge's three draws decide alone:
   * its transfer-size sample, whether it fires, and the latency draw (turned into a latency per
   * slot on first use). The whole stream of `runs` is kept for the last seed when it fits in
   * RANDOM_CACHE numbers; otherwise each block is drawn again from the generator's state.
   */
  private randomBlock(seed: number, r0: number, runs: number): Block {
    const m = this.model;
    const B = this.slots;
    const E = Math.max(1, m.E);
    const blocks = Math.ceil(runs / CHUNK);
    const cacheable = blocks * CHUNK * (1 + m.N + 2 * E + m.slotBucketBase.length) <= RANDOM_CACHE;
    if (cacheable && this.rnd && this.rnd.seed === seed && this.rnd.runs >= runs) return this.rnd.blocks[r0 / CHUNK];
    if (r0 === 0) this.rng.set(seed);
    const fresh = (): Block => ({ rb: new Float64Array((1 + m.N) * CHUNK), q: new Int32Array(E * CHUNK), fire: new Uint8Array(E * CHUNK), latDraw: new Float64Array(E * CHUNK), lat: new Array(m.slotBucketBase.length) });
    let block: Block;
    if (cacheable) {
      // built block by block during one evaluation; valid once its last block is drawn
      if (r0 === 0) this.rnd = { seed, runs: -1, blocks: [] };
      block = fresh();
      const rnd = this.rnd as { seed: number; runs: number; blocks: Block[] };
      rnd.blocks.push(block);
      if (rnd.blocks.length === blocks) rnd.runs = runs;
    } else {
      this.rnd = null;
      block = this.scratch ??= fresh();
      block.lat.fill(undefined);
    }
    const nr = Math.min(CHUNK, runs - r0);
    const all = (this.draws ??= new Float64Array(B * CHUNK));
    this.rng.fill(all, B, nr);
    block.rb.set(all.subarray(0, (1 + m.N) * CHUNK));
    const { sizeStart, sizeCount, edgeProb } = m;
    for (let e = 0; e < m.E; e++) {
      const r = (1 + m.N + 3 * e) * CHUNK;
      const eb = e * CHUNK;
      const start = sizeStart[e];
      const n = sizeCount[e];
      const prob = edgeProb[e];
      for (let j = 0; j < nr; j++) {
        block.q[eb + j] = start + ((all[r + j] * n) | 0);
        block.latDraw[eb + j] = all[r + CHUNK + j];
        block.fire[eb + j] = all[r + 2 * CHUNK + j] < prob ? 1 : 0;
      }
    }
    return block;
  }

  /** Edge e's latency draws (before the added ping difference) for the block's runs, from its slot in this deployment; kept in the block. */
  private latencies(block: Block, e: number, nr: number): Float64Array {
    const gs = this.eSlot[e];
    const got = block.lat[gs];
    if (got) return got;
    const { sizeBucket, latStart, latCount, latPool, slotBucketBase } = this.model;
    const lats = new Float64Array(CHUNK);
    const eb = e * CHUNK;
    const latBase = slotBucketBase[gs];
    for (let j = 0; j < nr; j++) {
      const li = latBase + sizeBucket[block.q[eb + j]];
      lats[j] = latPool[latStart[li] + ((block.latDraw[eb + j] * latCount[li]) | 0)];
    }
    block.lat[gs] = lats;
    return lats;
  }

  private stat(xs: Float64Array, n: number, tail: number): { mean: number; tail: number } {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[i];
    const w = this.work;
    w.set(n === xs.length ? xs : xs.subarray(0, n));
    return { mean: s / n, tail: percentileInPlace(w, n, tail) };
  }
}

/** Runs simulated together: their per-edge state stays in the L2 cache. */
const CHUNK = 128;
/** Random numbers kept per simulator (one seed's stream): 4 M doubles, 32 MB. */
const RANDOM_CACHE = 1 << 22;

/** One block of CHUNK runs' random numbers and what depends on them alone. */
interface Block {
  /** the client's and each node's draw: rb[slot × CHUNK + run], slot 0 the client, 1 + i node i */
  rb: Float64Array;
  /** per edge × run: the transfer-size sample (index into sizePool) */
  q: Int32Array;
  /** per edge × run: 1 if the edge fires (its draw is under its probability) */
  fire: Uint8Array;
  /** per edge × run: the latency draw */
  latDraw: Float64Array;
  /** per latency slot: its draws for the block's runs, computed on first use */
  lat: Array<Float64Array | undefined>;
}

/** sfc32, seeded as the simulator always was (a, 0x9e3779b9, 0x243f6a88, 1; 12 warm-up steps). */
class Sfc32 {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  set(seed: number): void {
    this.a = seed >>> 0;
    this.b = 0x9e3779b9;
    this.c = 0x243f6a88;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }
  private next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t;
  }
  /** nr runs of `slots` draws each, in run order, into out[slot × CHUNK + run]. */
  fill(out: Float64Array, slots: number, nr: number): void {
    let sa = this.a;
    let sb = this.b;
    let sc = this.c;
    let sd = this.d;
    for (let j = 0; j < nr; j++)
      for (let k = 0; k < slots; k++) {
        const t = (((sa + sb) | 0) + sd) | 0;
        sd = (sd + 1) | 0;
        sa = sb ^ (sb >>> 9);
        sb = (sc + (sc << 3)) | 0;
        sc = (sc << 21) | (sc >>> 11);
        sc = (sc + t) | 0;
        out[k * CHUNK + j] = (t >>> 0) * 2.3283064365386963e-10; // 2^-32
      }
    this.a = sa;
    this.b = sb;
    this.c = sc;
    this.d = sd;
  }
}

/** Below this many slots an insertion sort is as fast as bucketing. */
const SMALL_JOIN = 12;

/**
 * Writes into order[0, n) the slot indices 0…n−1 sorted by keys[k] (a join's slot arrivals),
 * stably (ties keep their slot order), so the join's item grows in exactly the order of the old
 * insertion sort and the floating-point sums match it bit for bit. A join with many slots (a
 * fan-out of 98) made that insertion sort O(k²) per simulated run; here the slots are
 * distributed over n buckets by arrival (the bucket index is monotone in the arrival, so equal
 * arrivals share a bucket) in slot order, and a final insertion pass only reorders within
 * buckets: O(k) for spread-out arrivals, never worse than before.
 */
export function sortSlots(n: number, keys: Float64Array, order: Int32Array, tMin: number, tMax: number, count: Int32Array, spare: Int32Array): void {
  if (n <= SMALL_JOIN || !(tMax > tMin) || !Number.isFinite(tMax - tMin)) {
    // few slots (or no spread to bucket by): the insertion pass below sorts them directly
    for (let k = 0; k < n; k++) order[k] = k;
  } else {
    const scale = n / (tMax - tMin);
    const last = n - 1;
    count.fill(0, 0, n + 1);
    for (let k = 0; k < n; k++) {
      let b = ((keys[k] - tMin) * scale) | 0;
      if (b > last) b = last;
      spare[k] = b;
      count[b + 1]++;
    }
    for (let b = 0; b < n; b++) count[b + 1] += count[b];
    for (let k = 0; k < n; k++) order[count[spare[k]]++] = k;
  }
  // insertion sort (stable): within a bucket; elements of earlier buckets are never larger
  for (let k = 1; k < n; k++) {
    const o = order[k];
    const a = keys[o];
    let j = k;
    while (j > 0 && keys[order[j - 1]] > a) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = o;
  }
}

/**
 * The q-th percentile (0–100) of the first n values, with numpy's default linear
 * interpolation; reorders `xs` (quickselect: O(n), no sort).
 */
export function percentileInPlace(xs: Float64Array, n: number, q: number): number {
  if (n === 1) return xs[0];
  const pos = ((n - 1) * q) / 100;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  const a = select(xs, 0, n - 1, lo);
  if (frac === 0 || lo + 1 >= n) return a;
  // after selecting lo, every element right of it is ≥ it: the next order statistic is their minimum
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (xs[i] < b) b = xs[i];
  return a + frac * (b - a);
}

function select(xs: Float64Array, left: number, right: number, k: number): number {
  while (right > left) {
    // median of three pivot keeps sorted and constant inputs linear
    const mid = (left + right) >>> 1;
    const a = xs[left];
    const b = xs[mid];
    const c = xs[right];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while (xs[i] < pivot) i++;
      while (xs[j] > pivot) j--;
      if (i <= j) {
        const t = xs[i];
        xs[i] = xs[j];
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return xs[k];
  }
  return xs[k];
}
