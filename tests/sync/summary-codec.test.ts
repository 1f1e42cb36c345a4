import { strict as assert } from 'assert';
import type { LogEvent } from '../../src/model/log-event';
import {
  WorkflowSummaryItem,
  decodeSummaryItem,
  encodeSummaryItem,
  toStoredGb,
  toStoredSeconds,
  type RunSample,
  type WorkflowSummary,
} from '../../src/model/workflow-summary';
import { decodeOrThrow } from '../../src/model/decode';

const GB = 1024 ** 3;

function run(start: number): RunSample {
  return {
    start_ms: start,
    runtime_s: 1.2345678,
    entry: { instance: 'a:entry_point:0', region: 'us-east-1', payload_gb: 1234 / GB, wpd_gb: 999 / GB, client_latency_s: null },
    executions: [
      { instance: 'a:entry_point:0', region: 'us-east-1', start_s: 0, duration_s: 0.1234567, cpu_s: null, memory_mb: 512, data_transfer_gb: 0, calls: { 'b:a_0_0:1': 0.05 } },
      { instance: 'b:a_0_0:1', region: 'eu-west-1', start_s: 0.2, duration_s: 0.5, cpu_s: 0.01, memory_mb: 128, data_transfer_gb: 77 / GB, calls: {} },
    ],
    transmissions: [{ from: 'a:entry_point:0', to: 'b:a_0_0:1', from_region: 'us-east-1', to_region: 'eu-west-1', size_gb: 4321 / GB, latency_s: 0.0731, sync_gb: null }],
    skipped: [['a:entry_point:0', 'c:a_0_1:2']],
  };
}

describe('workflow summary codec', () => {
  it('round-trips runs at the stored resolution (1 µs, 1 byte) and keeps pending events as logged', () => {
    const pendingEvent = { v: '1', time: '2026-11-20T00:00:00.000Z', run_id: 'p', workflow_id: 'w-1', instance: 'a', region: 'us-east-1', event: 'ENTRY_POINT', payload_gb: 0, wpd_gb: 0, time_key: 'home', route_reason: 'no-plan', client_latency_s: 0.012 } as LogEvent;
    const s: WorkflowSummary = {
      workflow_id: 'w-1',
      synced_until_ms: Date.parse('2026-11-20T01:00:00.000Z'),
      updated_at: '2026-11-20T01:15:00.000Z',
      runs: [run(Date.parse('2026-11-19T00:00:00.000Z')), run(Date.parse('2026-11-19T00:00:01.500Z'))],
      pending: [{ run_id: 'p', events: [pendingEvent] }],
      daily_invocation_counts: { '2026-11-19': 2 },
      daily_failure_counts: {},
    };
    const item = encodeSummaryItem(s);
    // the item is what the table holds: JSON only, readable watermark
    decodeOrThrow(WorkflowSummaryItem, JSON.parse(JSON.stringify(item)), 'item');
    assert.equal(item.synced_until, '2026-11-20T01:00:00.000Z');
    const back = decodeSummaryItem(JSON.parse(JSON.stringify(item)));
    assert.equal(back.synced_until_ms, s.synced_until_ms);
    assert.deepEqual(back.pending[0]!.events[0], pendingEvent, 'fields the runtime adds later survive');
    assert.equal(back.runs.length, 2);
    assert.equal(back.runs[1]!.start_ms, s.runs[1]!.start_ms);
    assert.equal(back.runs[0]!.runtime_s, toStoredSeconds(1.2345678));
    assert.equal(back.runs[0]!.executions[0]!.duration_s, toStoredSeconds(0.1234567));
    assert.equal(back.runs[0]!.entry.payload_gb, toStoredGb(1234 / GB));
    assert.equal(back.runs[0]!.entry.payload_gb, 1234 / GB, 'whole bytes are exact');
    assert.deepEqual(back.runs[0]!.transmissions, s.runs[0]!.transmissions);
    assert.deepEqual(back.runs[0]!.skipped, s.runs[0]!.skipped);
    assert.deepEqual(back.runs[0]!.executions[1], s.runs[0]!.executions[1]);
    assert.deepEqual(back.daily_invocation_counts, { '2026-11-19': 2 });
  });

  it('names what is wrong with a damaged item', () => {
    const item = encodeSummaryItem({ workflow_id: 'w-1', synced_until_ms: 0, updated_at: '2026-11-20T00:00:00.000Z', runs: [], pending: [], daily_invocation_counts: {}, daily_failure_counts: {} });
    assert.throws(() => decodeSummaryItem({ ...item, data: 'bm90IGRlZmxhdGU=' }, 'S[w-1]'), /S\[w-1\]\.data is not valid compressed JSON/);
    assert.throws(() => decodeSummaryItem({ ...item, format: 'zstd' }, 'S[w-1]'), /S\[w-1\] is invalid:\nformat/);
  });
});
