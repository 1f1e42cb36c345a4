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
import type { DeploymentMetrics } from '../../src/model/staging';
import { FallbackLog, gridIntensity, readUnits } from '../../src/solve/calculators';
import * as C from '../../src/solve/constants';
import type { Model } from '../../src/solve/compile';
import type { SolveInput } from '../../src/solve/input';

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
  private readonly eLatBase: Int32Array;
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
  // per-run scratch
  private readonly ran: Uint8Array;
  private readonly start: Float64Array;
  private readonly fired: Uint8Array;
  private readonly arrival: Float64Array;
  private readonly size: Float64Array;
  private readonly order: Int32Array;
  private readonly rbuf: Float64Array;
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
    this.eLatBase = new Int32Array(E);
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
    this.ran = new Uint8Array(N);
    this.start = new Float64Array(N);
    this.fired = new Uint8Array(E);
    this.arrival = new Float64Array(E);
    this.size = new Float64Array(E);
    this.order = new Int32Array(Math.max(1, E));
    this.rbuf = new Float64Array(1 + N + 3 * E);
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
      this.eLatBase[e] = m.slotBucketBase[m.slotBase[e] + m.pairSlot[at]];
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
   */
  evaluateHours(deployment: ArrayLike<number>, hds: readonly HourData[], opts: SimOptions): DeploymentMetrics[] {
    const runs = opts.runs;
    if (!(runs >= 1 && runs <= this.maxRuns)) throw new Error(`runs must be 1 to ${this.maxRuns}; got ${runs}`);
    this.check(deployment);
    this.prepare(deployment);
    this.evaluations++;
    const m = this.model;
    const N = m.N;
    const { isJoin, execPool, execStride, outStart, inStart, inEdges, edgeDst, edgeOffset, edgeProb, sizePool, sizeChunks, sizeBucket, sizeStart, sizeCount, latStart, latCount, latPool, clientSizes, clientChunks } = m;
    const { nCostPerSec, nInv, nCol, nCarbonPerSec, nExecStart, nExecCount, nScale, nWrite, nRead, nSns, eLatBase, eAdd, eEgress, eSns, eColA, eColB, eSyncCost, edgeSync, ran, start, fired, arrival, size, order, coef } = this;
    const K = this.ncols;
    const homeCol = this.homeCol[0];
    const outCost = this.samples.cost;
    const outRuntime = this.samples.runtime;
    const nodeRuns = this.samples.nodeRuns;
    nodeRuns.fill(0);
    coef.fill(0, 0, runs * K);
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

    // sfc32 PRNG, state in locals. Each run first fills a buffer with one draw per fixed slot
    // (client, each node, three per edge), so a node or edge sees the same random numbers in
    // every candidate deployment (common random numbers) and the generator runs in a tight loop.
    let sa = opts.seed >>> 0;
    let sb = 0x9e3779b9;
    let sc = 0x243f6a88;
    let sd = 1;
    const rb = this.rbuf;
    const B = rb.length;
    const nodeSlot = 1;
    const edgeSlot = 1 + N;
    for (let i = 0; i < 12; i++) {
      const t = (((sa + sb) | 0) + sd) | 0;
      sd = (sd + 1) | 0;
      sa = sb ^ (sb >>> 9);
      sb = (sc + (sc << 3)) | 0;
      sc = (sc << 21) | (sc >>> 11);
      sc = (sc + t) | 0;
    }

    for (let run = 0; run < runs; run++) {
      for (let k = 0; k < B; k++) {
        const t = (((sa + sb) | 0) + sd) | 0;
        sd = (sd + 1) | 0;
        sa = sb ^ (sb >>> 9);
        sb = (sc + (sc << 3)) | 0;
        sc = (sc << 21) | (sc >>> 11);
        sc = (sc + t) | 0;
        rb[k] = (t >>> 0) * 2.3283064365386963e-10; // 2^-32
      }
      let cost = wpdCost;
      let runtime = 0;
      const cb = run * K; // this run's carbon coefficients: coef[cb + column]
      coef[cb + sysCol] += wpdHalf;
      coef[cb + entryCol] += wpdHalf;
      let carbon0 = 0; // the constant term
      {
        const q = (rb[0] * nClient) | 0;
        cost += clientChunks[q] * clientSns;
        carbon0 += clientSizes[q] * clientCarbonPerGb;
      }
      for (let i = 0; i < N; i++) {
        let didRun = 0;
        let t0 = 0;
        if (i === 0) {
          didRun = 1;
        } else if (isJoin[i] === 0) {
          const e = inEdges[inStart[i]];
          didRun = fired[e];
          t0 = arrival[e];
        } else {
          // a join: slots written in arrival order onto one growing item (one UpdateItem each)
          const lo = inStart[i];
          const hi = inStart[i + 1];
          let n = 0;
          for (let k = lo; k < hi; k++) {
            const e = inEdges[k];
            if (fired[e]) didRun = 1;
            if (arrival[e] > t0) t0 = arrival[e];
            // insertion sort by arrival (a handful of slots)
            let j = n++;
            while (j > 0 && arrival[order[j - 1]] > arrival[e]) {
              order[j] = order[j - 1];
              j--;
            }
            order[j] = e;
          }
          let cum = 0;
          let wru = 0;
          for (let j = 0; j < n; j++) {
            cum += size[order[j]] * KB; // KB; a skip marker adds nothing measurable
            const u = Math.ceil(cum - 1e-9);
            wru += u > 1 ? u : 1;
          }
          cost += wru * nWrite[i];
          if (didRun) {
            const rru = Math.ceil(cum / 4 - 1e-9);
            // the join reads the item once, and the last writer publishes one small SNS message
            cost += (rru > 1 ? rru : 1) * nRead[i] + nSns[i];
          }
        }
        ran[i] = didRun;
        start[i] = t0;
        const oLo = outStart[i];
        const oHi = outStart[i + 1];
        if (didRun) {
          nodeRuns[i]++;
          const stride = execStride[i];
          const base = nExecStart[i] + ((rb[nodeSlot + i] * nExecCount[i]) | 0) * stride;
          const scale = nScale[i];
          const dur = execPool[base] * scale;
          const fin = t0 + dur;
          if (fin > runtime) runtime = fin;
          cost += dur * nCostPerSec[i] + nInv[i];
          coef[cb + nCol[i]] += dur * nCarbonPerSec[i];
          const dt = execPool[base + 1];
          carbon0 += dt * dtConst;
          coef[cb + homeCol] += dt * dtQuarter;
          coef[cb + nCol[i]] += dt * dtQuarter;
          for (let e = oLo; e < oHi; e++) {
            const tCall = t0 + execPool[base + edgeOffset[e]] * scale;
            const r = edgeSlot + 3 * e;
            const q = sizeStart[e] + ((rb[r] * sizeCount[e]) | 0);
            const li = eLatBase[e] + sizeBucket[q];
            const lat = latPool[latStart[li] + ((rb[r + 1] * latCount[li]) | 0)] + eAdd[e];
            if (rb[r + 2] < edgeProb[e]) {
              const s = sizePool[q];
              fired[e] = 1;
              arrival[e] = tCall + lat;
              size[e] = s;
              cost += s * eEgress[e];
              // input data of the target, over the route: the mean of both ends' intensities
              const g = isJoin[edgeDst[e]] === 0 ? s * half : (s + edgeSync[e]) * half;
              coef[cb + eColA[e]] += g;
              coef[cb + eColB[e]] += g;
              if (isJoin[edgeDst[e]] === 0) cost += sizeChunks[q] * eSns[e];
              else cost += eSyncCost[e];
            } else {
              fired[e] = 0;
              size[e] = 0;
              if (isJoin[edgeDst[e]] === 0) arrival[e] = tCall; // when the skip was decided
              else {
                // the skip marker is written into the join's item
                arrival[e] = tCall + lat;
                cost += eSyncCost[e];
                coef[cb + eColA[e]] += edgeSync[e] * half;
                coef[cb + eColB[e]] += edgeSync[e] * half;
              }
            }
          }
        } else {
          // a node that did not run: whoever skipped it marks its join slots at the skip time
          for (let e = oLo; e < oHi; e++) {
            fired[e] = 0;
            size[e] = 0;
            if (isJoin[edgeDst[e]] === 0) arrival[e] = t0;
            else {
              const r = edgeSlot + 3 * e;
              const q = sizeStart[e] + ((rb[r] * sizeCount[e]) | 0);
              const li = eLatBase[e] + sizeBucket[q];
              arrival[e] = t0 + latPool[latStart[li] + ((rb[r + 1] * latCount[li]) | 0)] + eAdd[e];
              cost += eSyncCost[e];
              coef[cb + eColA[e]] += edgeSync[e] * half;
              coef[cb + eColB[e]] += edgeSync[e] * half;
            }
          }
        }
      }
      outCost[run] = cost;
      outRuntime[run] = runtime;
      coef[cb] = carbon0;
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

  private stat(xs: Float64Array, n: number, tail: number): { mean: number; tail: number } {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[i];
    const w = this.work;
    w.set(n === xs.length ? xs : xs.subarray(0, n));
    return { mean: s / n, tail: percentileInPlace(w, n, tail) };
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
