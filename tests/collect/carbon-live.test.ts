import { strict as assert } from 'assert';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { collectCarbon } from '../../src/collect';
import { carbonDayFromHistory, historyWindow, parsePastRange } from '../../src/collect/live/electricity-maps';
import { LiveSourceError } from '../../src/collect/live/http';
import { carbonProfile } from '../../src/data/snapshot';
import { decodeOrThrow } from '../../src/model/decode';
import { CarbonRegionRecord } from '../../src/model/region-data';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { Answer, fakeFetch, fixture } from './helpers';

const HISTORY = {
  DE: fixture('electricitymaps/past-range-DE-2024-03-04_2024-03-11.json'),
  'US-MIDA-PJM': fixture('electricitymaps/past-range-US-MIDA-PJM-2024-03-04_2024-03-11.json'),
} as Record<string, unknown>;
const NEXT_DAY = fixture('electricitymaps/past-range-DE-2024-03-11_2024-03-12.json') as { data: Array<{ carbonIntensity: number }> };
const CONFIG = { carbon: { token: 'secret-token', baseUrl: 'https://em.example/v3' } };

/** Serves the recorded history for each zone; `broken` zones get the given answer instead. */
function emFetch(broken: Record<string, Answer> = {}) {
  return fakeFetch((url) => {
    const zone = new URL(url).searchParams.get('zone')!;
    return broken[zone] ?? (HISTORY[zone] ? { json: HISTORY[zone] } : { status: 404 });
  });
}

describe('Electricity Maps live carbon source (recorded responses)', () => {
  it('parses a past-range response into one point per hour, oldest first', () => {
    const s = parsePastRange(HISTORY.DE, 'DE');
    assert.equal(s.length, 168);
    assert.equal(new Date(s[0][0]).toISOString(), '2024-03-04T00:00:00.000Z');
    for (let i = 1; i < s.length; i++) assert.equal(s[i][0] - s[i - 1][0], 3_600_000);
  });

  it('rejects malformed responses with the path of the problem', () => {
    assert.throws(() => parsePastRange({ data: [{ datetime: 5 }] }, 'DE'), (e: unknown) => e instanceof LiveSourceError && /data\[0\]\.datetime/.test(e.message));
    assert.throws(() => parsePastRange({ error: 'no' }, 'DE'), LiveSourceError);
  });

  it('uses measured hours for a past date and forecasts a day ahead of the history', () => {
    const s = parsePastRange(HISTORY.DE, 'DE');
    const past = carbonDayFromHistory(s, new Date('2024-03-10T12:00:00Z'), 'DE');
    assert.equal(past.measuredHours, 24);
    assert.deepEqual(past.hours, s.slice(144).map(([, v]) => v));
    const ahead = carbonDayFromHistory(s, new Date('2024-03-11T00:00:00Z'), 'DE');
    assert.equal(ahead.forecastHours, 24);
    // day-ahead accuracy on the real next day: a forecast, not a constant
    const actual = NEXT_DAY.data.map((p) => p.carbonIntensity);
    const mae = ahead.hours.reduce((a, v, h) => a + Math.abs(v - actual[h]), 0) / 24;
    const meanActual = actual.reduce((a, b) => a + b) / 24;
    assert.ok(mae < 0.35 * meanActual, `MAE ${mae.toFixed(1)} vs mean ${meanActual.toFixed(1)}`);
    assert.throws(() => carbonDayFromHistory(s, new Date('2024-03-20T00:00:00Z'), 'DE'), /at most 72 h/);
    assert.throws(() => carbonDayFromHistory(s.slice(0, 30), new Date('2024-03-05T12:00:00Z'), 'DE'), /48 needed/);
  });

  it('asks for the 7 days up to the end of the date, or now when the date is today', () => {
    const w = historyWindow(new Date('2024-03-10T15:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    assert.equal(w.end.toISOString(), '2024-03-11T00:00:00.000Z');
    assert.equal(w.start.toISOString(), '2024-03-04T00:00:00.000Z');
    const today = historyWindow(new Date('2024-03-11T00:00:00Z'), new Date('2024-03-11T05:42:00Z'));
    assert.equal(today.end.toISOString(), '2024-03-11T05:00:00.000Z');
  });

  it('writes records that decode, fetching each zone once and sending the token as auth-token', async () => {
    const kv = new MemoryKeyValueStore();
    const fetch = emFetch();
    const report = await collectCarbon(kv, { live: CONFIG, fetch, date: new Date('2024-03-10T00:00:00Z'), regions: ['us-east-1', 'us-east-2', 'eu-central-1'] });
    assert.deepEqual(report.warnings, []);
    assert.equal(fetch.calls.length, 2, 'us-east-1 and us-east-2 share US-MIDA-PJM');
    assert.ok(fetch.headers.every((h) => h['auth-token'] === 'secret-token'));
    assert.ok(fetch.calls.every((u) => !u.includes('secret-token')), 'the token never appears in a URL');
    const r = decodeOrThrow(CarbonRegionRecord, await kv.get(SYSTEM_REGION, TABLES.carbonRegion, 'eu-central-1'), 'c');
    assert.match(r.source, /^electricitymaps DE: 24 h measured$/);
    assert.equal(r.averages['0'].carbon_intensity, parsePastRange(HISTORY.DE, 'DE')[144][1]);
  });

  for (const [what, answer] of [
    ['an HTTP error', { status: 503 }],
    ['a network error', { networkError: 'ECONNRESET' }],
    ['a body that is not JSON', { notJson: true }],
    ['a malformed body', { json: { data: 'nope' } }],
    ['an empty history', { json: { zone: 'DE', data: [] } }],
  ] as Array<[string, Answer]>) {
    it(`falls back to the snapshot for the region, with a warning naming it, on ${what}`, async () => {
      const kv = new MemoryKeyValueStore();
      const warned: string[] = [];
      const date = new Date('2024-03-10T00:00:00Z');
      const report = await collectCarbon(kv, { live: CONFIG, fetch: emFetch({ DE: answer }), date, regions: ['eu-central-1', 'us-east-1'], warn: (m) => warned.push(m) });
      assert.equal(report.warnings.length, 1);
      assert.deepEqual(warned, report.warnings);
      assert.match(report.warnings[0], /eu-central-1 \(DE\).*using the snapshot for eu-central-1/);
      const de = decodeOrThrow(CarbonRegionRecord, await kv.get(SYSTEM_REGION, TABLES.carbonRegion, 'eu-central-1'), 'c');
      assert.match(de.source, /^snapshot/);
      assert.equal(de.averages['5'].carbon_intensity, carbonProfile('eu-central-1', 3)[5]);
      const us = decodeOrThrow(CarbonRegionRecord, await kv.get(SYSTEM_REGION, TABLES.carbonRegion, 'us-east-1'), 'c');
      assert.match(us.source, /^electricitymaps/, 'other regions keep their live data');
    });
  }
});
