/** A CloudPing-style latency source: round-trip percentiles (ms) between regions. */
import * as t from 'io-ts';
import { decodeOrThrow, DecodeError } from '../../model/decode';
import type { FetchLike, LatencyApiConfig } from '../options';
import { getJson, LiveSourceError } from './http';

/** `{metadata?: {unit}, data: {from: {to: ms}}}` as cloudping.co answers `/api/latencies`. */
export const LatencyMatrixResponse = t.intersection([
  t.type({ data: t.record(t.string, t.record(t.string, t.number)) }),
  t.partial({ metadata: t.partial({ unit: t.string, percentile: t.string, timeframe: t.string }) }),
]);

/** from → to → round trip ms */
export type LatencyMatrix = Record<string, Record<string, number>>;

/** Parses one percentile's matrix; throws LiveSourceError when malformed or not in milliseconds. */
export function parseLatencyMatrix(body: unknown, what: string): LatencyMatrix {
  let parsed: t.TypeOf<typeof LatencyMatrixResponse>;
  try {
    parsed = decodeOrThrow(LatencyMatrixResponse, body, what);
  } catch (e) {
    throw new LiveSourceError(e instanceof DecodeError ? e.message : String(e));
  }
  const unit = parsed.metadata?.unit;
  if (unit !== undefined && unit !== 'milliseconds') throw new LiveSourceError(`${what}: unit is "${unit}", expected milliseconds`);
  const out: LatencyMatrix = {};
  for (const [from, row] of Object.entries(parsed.data)) {
    for (const [to, ms] of Object.entries(row)) {
      // a round trip of 0 or over 10 s between AWS regions is a probe error
      if (!(ms > 0 && ms < 10_000)) continue;
      (out[from] ??= {})[to] = ms;
    }
  }
  return out;
}

/**
 * Fetches every configured percentile; returns percent → matrix for those that answered, plus
 * the failures. The median (50) must answer, otherwise the whole source fails.
 */
export async function fetchLatencyPercentiles(fetch: FetchLike, cfg: LatencyApiConfig, timeoutMs?: number): Promise<{ matrices: Map<number, LatencyMatrix>; failures: string[] }> {
  const matrices = new Map<number, LatencyMatrix>();
  const failures: string[] = [];
  const percentiles = cfg.percentiles.includes(50) ? cfg.percentiles : [...cfg.percentiles, 50];
  await Promise.all(
    percentiles.map(async (p) => {
      const url = `${cfg.url}?percentile=p_${p}&timeframe=${encodeURIComponent(cfg.timeframe)}`;
      try {
        matrices.set(p, parseLatencyMatrix(await getJson(fetch, url, {}, timeoutMs), `latency p${p} (${cfg.timeframe})`));
      } catch (e) {
        failures.push((e as Error).message);
      }
    }),
  );
  if (!matrices.has(50)) throw new LiveSourceError(`latency source gave no median: ${failures.join('; ')}`);
  return { matrices, failures };
}
