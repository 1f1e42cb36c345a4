import { strict as assert } from 'assert';
import fc from 'fast-check';
import { LOG_VERSION, LogEvent, formatLogLine } from '../../src/model/log-event';
import { SKIP_REASONS, parseLogLine } from '../../src/sync/parse';

const SEED = 20261122;
const nonNeg = fc.double({ min: 0, max: 1e4, noNaN: true, noDefaultInfinity: true });
const id = fc.stringMatching(/^[a-z0-9]{6,32}$/);
const region = fc.constantFrom('us-east-1', 'eu-north-1', 'ca-central-1');
const time = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

const common = fc.record({ v: fc.constant(LOG_VERSION), time, run_id: id, workflow_id: fc.constant('wf-0.0.1'), instance: id, region });

/** Valid events of several kinds, with random field values. */
const validEvent: fc.Arbitrary<LogEvent> = fc.oneof(
  fc.tuple(common, fc.record({ taint: fc.option(id, { nil: null }), hops: fc.nat(20), payload_gb: nonNeg })).map(([c, b]) => ({ ...c, event: 'INVOKED' as const, ...b })),
  fc.tuple(common, fc.record({ user_s: nonNeg, total_s: nonNeg, cpu_s: fc.option(nonNeg, { nil: null }), memory_mb: fc.integer({ min: 128, max: 10240 }) })).map(([c, b]) => ({ ...c, event: 'EXECUTED' as const, ...b })),
  fc
    .tuple(common, fc.record({ successor: id, successor_region: region, site: fc.nat(9), taint: id, payload_gb: nonNeg, offset_s: nonNeg, spilled: fc.boolean() }))
    .map(([c, b]) => ({ ...c, event: 'INVOKING_SUCCESSOR' as const, ...b })),
  fc.tuple(common, fc.record({ successor: id, site: fc.nat(9), reached: fc.boolean(), offset_s: nonNeg })).map(([c, b]) => ({ ...c, event: 'CONDITIONAL_NON_EXECUTION' as const, ...b })),
  fc.tuple(common, fc.record({ error: fc.string() })).map(([c, b]) => ({ ...c, event: 'USER_CODE_FAILURE' as const, ...b })),
);

/** What the Lambda Node runtime writes before console.log's text. */
const lambdaPrefix = fc.tuple(time, id).map(([t, r]) => `${t}\t${r}\tINFO\t`);

function assertWellFormed(r: ReturnType<typeof parseLogLine>): void {
  if (r.ok) {
    assert.ok(LogEvent.is(r.event), 'an accepted line satisfies the log contract');
    assert.ok(Number.isFinite(r.ms));
  } else assert.ok(SKIP_REASONS.includes(r.reason), `reason ${r.reason}`);
}

describe('log line parser: properties (fast-check, seeded)', () => {
  it('never throws on arbitrary text, and anything without the prefix is foreign', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.json(), fc.string().map((s) => `[CARIBOU] ${s}`)), (line) => {
        const r = parseLogLine(line);
        assertWellFormed(r);
        if (!line.includes('[CARIBOU]')) assert.deepEqual(r, { ok: false, reason: 'foreign' });
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('reads back every event the runtime formats, with or without the Lambda runtime prefix', () => {
    fc.assert(
      fc.property(validEvent, fc.option(lambdaPrefix, { nil: '' }), (ev, prefix) => {
        const r = parseLogLine(prefix + formatLogLine(ev), 'wf-0.0.1');
        assert.ok(r.ok, JSON.stringify(r));
        assert.deepEqual(r.event, ev);
        assert.equal(r.ms, Date.parse(ev.time));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('a truncated or corrupted line is skipped with a reason, never accepted with a wrong shape', () => {
    const corrupt = fc.tuple(validEvent, fc.nat(), fc.constantFrom('truncate', 'delete', 'replace-field')).chain(([ev, k, how]) => {
      const line = formatLogLine(ev);
      if (how === 'truncate') return fc.constant(line.slice(0, k % line.length));
      if (how === 'delete') return fc.constant(line.slice(0, k % line.length) + line.slice((k % line.length) + 1));
      const keys = Object.keys(ev);
      return fc.jsonValue().map((v) => formatLogLine({ ...ev, [keys[k % keys.length]]: v } as unknown as LogEvent));
    });
    fc.assert(
      fc.property(corrupt, (line) => assertWellFormed(parseLogLine(line, 'wf-0.0.1'))),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
