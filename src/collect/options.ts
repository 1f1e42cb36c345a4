/**
 * Options shared by the provider, carbon and performance collectors, and the configuration
 * that switches each one from the bundled snapshot to its live source.
 */

/** The subset of the WHATWG fetch the live sources use; injected so tests never touch the network. */
export type FetchLike = (
  url: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; statusText?: string; json(): Promise<unknown> }>;

/** Electricity Maps: past-range history (and a forecast from it) per grid zone. */
export interface ElectricityMapsConfig {
  token: string;
  /** API root, default https://api.electricitymap.org/v3 */
  baseUrl: string;
}

/** AWS Price List bulk API (public offer files, no credentials needed). */
export interface PriceListConfig {
  /** default https://pricing.us-east-1.amazonaws.com */
  baseUrl: string;
}

/** A CloudPing-style latency API: GET <url>?percentile=p_50&timeframe=1M → {data: {from: {to: ms}}}. */
export interface LatencyApiConfig {
  url: string;
  timeframe: string;
  /** percentiles to fetch, e.g. [10, 25, 50, 75, 90, 98, 99]; 50 is required */
  percentiles: number[];
}

/** Which live sources are on; a missing entry means that collector uses the snapshot. */
export interface LiveConfig {
  carbon?: ElectricityMapsConfig;
  prices?: PriceListConfig;
  latency?: LatencyApiConfig;
}

export interface CollectOptions {
  /** The date (UTC) the records describe; default now. */
  date?: Date;
  /** Restrict collection to these region codes; default every available region. */
  regions?: string[];
  /** Live sources; default from the environment (see liveConfigFromEnv). `false` forces the snapshot. */
  live?: LiveConfig | false;
  /** Environment to read live configuration from; default process.env. */
  env?: Record<string, string | undefined>;
  /** HTTP client for live sources; default the global fetch. */
  fetch?: FetchLike;
  /** Receives each warning as it happens (the report lists them too). */
  warn?: (message: string) => void;
  /** Per-request timeout for live sources, ms; default 10 000. */
  timeoutMs?: number;
}

/** What one collector wrote. */
export interface CollectReport {
  collector: 'provider' | 'carbon' | 'performance';
  /** table name → keys written */
  written: Record<string, string[]>;
  /** region → where its record came from */
  sources: Record<string, string>;
  warnings: string[];
}

/**
 * Reads live-source configuration from environment variables:
 * ELECTRICITY_MAPS_AUTH_TOKEN (carbon; CARIBOU_ELECTRICITY_MAPS_URL to override the API root),
 * CARIBOU_PRICE_SOURCE=aws-price-list (prices; CARIBOU_PRICE_LIST_URL),
 * CARIBOU_LATENCY_SOURCE=cloudping (latency; CARIBOU_LATENCY_URL, CARIBOU_LATENCY_TIMEFRAME),
 * CARIBOU_DATA_SOURCE=snapshot turns every live source off.
 */
export function liveConfigFromEnv(env: Record<string, string | undefined>): LiveConfig {
  if (env.CARIBOU_DATA_SOURCE === 'snapshot') return {};
  const live: LiveConfig = {};
  if (env.ELECTRICITY_MAPS_AUTH_TOKEN) {
    live.carbon = { token: env.ELECTRICITY_MAPS_AUTH_TOKEN, baseUrl: env.CARIBOU_ELECTRICITY_MAPS_URL ?? 'https://api.electricitymap.org/v3' };
  }
  if (env.CARIBOU_PRICE_SOURCE === 'aws-price-list') {
    live.prices = { baseUrl: env.CARIBOU_PRICE_LIST_URL ?? 'https://pricing.us-east-1.amazonaws.com' };
  }
  if (env.CARIBOU_LATENCY_SOURCE === 'cloudping') {
    live.latency = {
      url: env.CARIBOU_LATENCY_URL ?? 'https://www.cloudping.co/api/latencies',
      timeframe: env.CARIBOU_LATENCY_TIMEFRAME ?? '1M',
      percentiles: [10, 25, 50, 75, 90, 98, 99],
    };
  }
  return live;
}

/** The live configuration in force for these options. */
export function resolveLive(opts: CollectOptions): LiveConfig {
  if (opts.live === false) return {};
  return opts.live ?? liveConfigFromEnv(opts.env ?? process.env);
}

/** The fetch to use: the injected one, else the global one. */
export function resolveFetch(opts: CollectOptions): FetchLike {
  if (opts.fetch) return opts.fetch;
  if (typeof globalThis.fetch !== 'function') throw new Error('no fetch available for live data sources');
  return globalThis.fetch as unknown as FetchLike;
}

/** Collects warnings into a list and forwards each to opts.warn. */
export function warner(opts: CollectOptions): { warnings: string[]; warn: (m: string) => void } {
  const warnings: string[] = [];
  return {
    warnings,
    warn: (message: string) => {
      // decode errors span lines; a warning is one line so logs and the CLI stay readable
      const m = message.replace(/\s*\n\s*/g, '; ');
      warnings.push(m);
      opts.warn?.(m);
    },
  };
}
