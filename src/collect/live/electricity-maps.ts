/**
 * Electricity Maps live carbon source: hourly history from `/carbon-intensity/past-range` and,
 * for hours of the requested date not yet in the past, a seasonal forecast from that history
 * (Holt–Winters averaged with seasonal naive; see ../forecast.ts).
 */
import * as t from 'io-ts';
import { decodeOrThrow, DecodeError } from '../../model/decode';
import { seasonalForecaster } from '../forecast';
import type { ElectricityMapsConfig, FetchLike } from '../options';
import { getJson, LiveSourceError } from './http';

const HOUR = 3_600_000;
/** Caribou fitted on 7 days of hourly data; so do we. */
const HISTORY_HOURS = 7 * 24;
/** Fewer than two seasons cannot fit a seasonal model. */
const MIN_HISTORY_HOURS = 48;
/** Forecasting further than this from the last observation is not trustworthy: use the snapshot. */
const MAX_FORECAST_HOURS = 72;
/** Gaps up to this many hours inside the history are bridged linearly; longer ones cut the series. */
const MAX_BRIDGED_GAP_HOURS = 3;

/** The part of a past-range response we read. */
export const PastRangeResponse = t.type({
  data: t.array(
    t.type({
      datetime: t.string,
      carbonIntensity: t.union([t.number, t.null]),
    }),
  ),
});

/** Hourly points [UTC epoch ms at the hour start, gCO2eq/kWh], oldest first, one per hour. */
export type HourlySeries = Array<[number, number]>;

/** Parses a past-range response into hourly points, dropping null or implausible values; throws LiveSourceError if malformed. */
export function parsePastRange(body: unknown, zone: string): HourlySeries {
  let parsed: t.TypeOf<typeof PastRangeResponse>;
  try {
    parsed = decodeOrThrow(PastRangeResponse, body, `Electricity Maps past-range response for ${zone}`);
  } catch (e) {
    throw new LiveSourceError(e instanceof DecodeError ? e.message : String(e));
  }
  const byHour = new Map<number, number>();
  for (const p of parsed.data) {
    const ms = Date.parse(p.datetime);
    // values outside 0–5000 g/kWh are data errors, not grids
    if (!Number.isFinite(ms) || p.carbonIntensity === null || !(p.carbonIntensity >= 0 && p.carbonIntensity <= 5000)) continue;
    byHour.set(Math.floor(ms / HOUR) * HOUR, p.carbonIntensity);
  }
  return [...byHour.entries()].sort((a, b) => a[0] - b[0]);
}

/** The history window for a date: the 7 days up to the end of that date or now, whichever is earlier. */
export function historyWindow(date: Date, now: Date): { start: Date; end: Date } {
  const dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const end = Math.min(dayStart + 24 * HOUR, Math.floor(now.getTime() / HOUR) * HOUR);
  return { start: new Date(end - HISTORY_HOURS * HOUR), end: new Date(end) };
}

/** Fetches the hourly history of a zone between start and end (UTC). */
export async function fetchPastRange(fetch: FetchLike, cfg: ElectricityMapsConfig, zone: string, start: Date, end: Date, timeoutMs?: number): Promise<HourlySeries> {
  const url = `${cfg.baseUrl}/carbon-intensity/past-range?zone=${encodeURIComponent(zone)}&start=${start.toISOString()}&end=${end.toISOString()}`;
  return parsePastRange(await getJson(fetch, url, { 'auth-token': cfg.token }, timeoutMs), zone);
}

/** The newest stretch of the series without a gap longer than MAX_BRIDGED_GAP_HOURS, with short gaps interpolated. */
function contiguousTail(series: HourlySeries): number[] {
  const out: number[] = [];
  let lastMs = NaN;
  for (const [ms, v] of series) {
    const gap = Number.isNaN(lastMs) ? 1 : (ms - lastMs) / HOUR;
    if (gap > MAX_BRIDGED_GAP_HOURS + 1) out.length = 0;
    else if (gap > 1) {
      const prev = out[out.length - 1];
      for (let k = 1; k < gap; k++) out.push(prev + ((v - prev) * k) / gap);
    }
    out.push(v);
    lastMs = ms;
  }
  return out;
}

/** A day's 24 hourly values and how each was obtained. */
export interface CarbonDay {
  hours: number[];
  measuredHours: number;
  forecastHours: number;
}

/**
 * The 24 hourly intensities of the date: measured where the history has the hour, else a
 * Holt–Winters forecast from the contiguous tail of the history. Throws LiveSourceError when the
 * history is too short or the date lies too far past it.
 */
export function carbonDayFromHistory(series: HourlySeries, date: Date, zone: string): CarbonDay {
  const dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const measured = new Map(series);
  const hours: number[] = [];
  let measuredHours = 0;
  let forecastHours = 0;
  let forecast: ((h: number) => number) | undefined;
  const lastMs = series.length ? series[series.length - 1][0] : NaN;
  for (let h = 0; h < 24; h++) {
    const ms = dayStart + h * HOUR;
    const v = measured.get(ms);
    if (v !== undefined) {
      hours.push(v);
      measuredHours++;
      continue;
    }
    if (!forecast) {
      const tail = contiguousTail(series);
      if (tail.length < MIN_HISTORY_HOURS) throw new LiveSourceError(`Electricity Maps history for ${zone} has ${tail.length} contiguous hours; ${MIN_HISTORY_HOURS} needed to forecast`);
      forecast = seasonalForecaster(tail.slice(-HISTORY_HOURS));
    }
    const step = (ms - lastMs) / HOUR;
    if (!(step >= 1 && step <= MAX_FORECAST_HOURS)) {
      throw new LiveSourceError(`${new Date(ms).toISOString()} is ${Number.isFinite(step) ? step : '?'} h past the Electricity Maps history for ${zone} (at most ${MAX_FORECAST_HOURS} h can be forecast)`);
    }
    hours.push(forecast(step));
    forecastHours++;
  }
  return { hours, measuredHours, forecastHours };
}
