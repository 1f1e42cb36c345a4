/**
 * Performance collector: writes performance_region_table[region] = one-way latency distributions
 * (seconds, 100 equal-mass quantile samples) to every collection region. Source: the snapshot's
 * median with its documented spread model, or a CloudPing-style percentile API when configured,
 * falling back to the snapshot per region with a warning.
 */
import { PerformanceRegionRecord } from '../model/region-data';
import { decodeOrThrow } from '../model/decode';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import type { KeyValueStore } from '../cloud/ports/key-value';
import { hasSnapshotRegion, latencyMedianS, latencySpreadModel } from '../data/snapshot';
import { CollectOptions, CollectReport, resolveFetch, resolveLive, warner } from './options';
import { collectionRegions, ensureSystemTable, stampCollected } from './regions';
import { spreadModelSamples, samplesFromPercentiles } from './quantiles';
import { fetchLatencyPercentiles, LatencyMatrix } from './live/cloudping';

/** Samples per distribution (Caribou drew 100 random ones; ours are quantiles, so reproducible). */
export const LATENCY_SAMPLES = 100;
/** Cross-region CPU speed is not measured anywhere; 1 as in Caribou (documented in docs/architecture.md). */
const RELATIVE_PERFORMANCE = 1;

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Snapshot distribution for a pair: the median one-way latency spread by the documented model. */
export function snapshotLatencySamples(from: string, to: string): number[] {
  return spreadModelSamples(latencyMedianS(from, to), latencySpreadModel(), LATENCY_SAMPLES).map(round6);
}

/** A pair's round trip at one percentile, symmetrised like the snapshot (both directions measure the same path). */
function pairValue(m: LatencyMatrix, a: string, b: string): number | undefined {
  const ab = m[a]?.[b];
  const ba = m[b]?.[a];
  if (ab !== undefined && ba !== undefined) return (ab + ba) / 2;
  return ab ?? ba;
}

/** Live distribution (one-way seconds) for a pair, or undefined when the median is missing. */
function liveLatencySamples(matrices: Map<number, LatencyMatrix>, from: string, to: string): number[] | undefined {
  const known: Array<[number, number]> = [];
  for (const [p, m] of matrices) {
    const v = pairValue(m, from, to);
    if (v !== undefined) known.push([p, v / 2 / 1000]);
  }
  const median = known.find(([p]) => p === 50);
  if (!median) return undefined;
  const samples = known.length >= 3 ? samplesFromPercentiles(known, LATENCY_SAMPLES) : spreadModelSamples(median[1], latencySpreadModel(), LATENCY_SAMPLES);
  return samples.map(round6);
}

/** Writes performance_region_table for every collection region (see collectionRegions). */
export async function collectPerformance(tables: KeyValueStore, opts: CollectOptions = {}): Promise<CollectReport> {
  const { warnings, warn } = warner(opts);
  const now = new Date();
  const { targets, all } = await collectionRegions(tables, opts.regions);
  // records are written for the targets, each with a distribution to every available region
  const codes = all.map((r) => r.code);
  const targetCodes = targets.map((r) => r.code);
  await ensureSystemTable(tables, TABLES.performanceRegion);
  const live = resolveLive(opts).latency;
  const report: CollectReport = { collector: 'performance', written: { [TABLES.performanceRegion]: [] }, sources: {}, warnings };

  let matrices: Map<number, LatencyMatrix> | undefined;
  let liveSource = '';
  if (live) {
    try {
      const got = await fetchLatencyPercentiles(resolveFetch(opts), live, opts.timeoutMs);
      matrices = got.matrices;
      const ps = [...matrices.keys()].sort((a, b) => a - b);
      liveSource = `cloudping ${live.timeframe} p${ps.join('/p')}` + (ps.length < 3 ? ' + snapshot spread model' : '');
      for (const f of got.failures) warn(`performance: a latency percentile failed (${f}); distributions use the others`);
    } catch (e) {
      warn(`performance: latency source failed (${(e as Error).message}); using the snapshot for ${targetCodes.join(', ')}`);
    }
  }

  for (const from of targetCodes) {
    let transmission_latency: PerformanceRegionRecord['transmission_latency'] | undefined;
    let source = '';
    if (matrices) {
      const t: PerformanceRegionRecord['transmission_latency'] = {};
      const missing: string[] = [];
      for (const to of codes) {
        const s = liveLatencySamples(matrices, from, to);
        if (s) t[to] = { latency_distribution: s, unit: 's' };
        else missing.push(to);
      }
      if (missing.length === 0) {
        transmission_latency = t;
        source = liveSource;
      } else {
        warn(`performance: ${from}: the latency source lacks ${from} ↔ ${missing.join(', ')}; using the snapshot for ${from}`);
      }
    }
    if (!transmission_latency) {
      if (!hasSnapshotRegion(from)) {
        warn(`performance: ${from}: not in the bundled snapshot; not written`);
        continue;
      }
      transmission_latency = {};
      for (const to of codes) if (hasSnapshotRegion(to)) transmission_latency[to] = { latency_distribution: snapshotLatencySamples(from, to), unit: 's' };
      const skipped = codes.filter((c) => !hasSnapshotRegion(c));
      if (skipped.length) warn(`performance: ${from}: no snapshot latency to ${skipped.join(', ')}; those pairs are left out`);
      source = 'snapshot: cloudping p50 1Y (to 2025-05-29), one-way = RTT/2, documented spread model';
    }
    const rec = decodeOrThrow(
      PerformanceRegionRecord,
      { region: from, relative_performance: RELATIVE_PERFORMANCE, transmission_latency, source, filled: [] },
      `${TABLES.performanceRegion}[${from}]`,
    );
    await tables.put(SYSTEM_REGION, TABLES.performanceRegion, from, rec);
    await stampCollected(tables, from, 'performance_collected_at', now);
    report.written[TABLES.performanceRegion].push(from);
    report.sources[from] = source;
  }
  return report;
}
