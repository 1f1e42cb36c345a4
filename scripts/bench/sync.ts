/**
 * Log sync benchmark: `npm run bench -- sync [--runs N]`.
 *
 * On synthetic runtime logs (tests/sync/fixtures: a 4-instance workflow with a conditional
 * edge and a join, seeded), it measures
 *   - parsing throughput (lines/s through parseLogLine),
 *   - end-to-end sync throughput (lines/s through syncWorkflowLogs, commits included),
 *   - the stored summary's size at the 5,000-run cap, and what other codecs would give,
 *   - the workflow collector's time and record size at the cap.
 */
import { brotliCompressSync, constants, deflateRawSync, gzipSync } from 'node:zlib';
import { buildWorkflowInstanceRecord } from '../../src/collect/workflow';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { itemBytes, toSummaryBody, type WorkflowSummaryItem } from '../../src/model/workflow-summary';
import { readSummary, syncWorkflowLogs } from '../../src/sync';
import { parseLogLine } from '../../src/sync/parse';
import { MemoryLogs, WF, makeRuns, tablesWithWorkflow } from '../../tests/sync/fixtures';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const H = 3_600_000;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const runsN = arg('--runs', 8000);
  const gap = 20_000; // one run every 20 s: 8,000 runs span ~44 h, i.e. 2–3 day chunks
  const runs = makeRuns(42, runsN, T0, gap);
  const lines = runs.flatMap((r) => r.lines.map((l) => l.line.line));
  console.log(`Log sync benchmark (node ${process.version}); ${runsN} synthetic runs, ${lines.length} lines`);

  // 1. a whole sync: read, rebuild, retain, compress, write (a first sync: 30 day-chunks); best of 3 on fresh tables
  const logs = new MemoryLogs();
  logs.addRuns(runs);
  const now = T0 + runsN * gap + 3 * H;
  let tables = await tablesWithWorkflow();
  let best = Infinity;
  let r: Awaited<ReturnType<typeof syncWorkflowLogs>> | undefined;
  for (let k = 0; k < 3; k++) {
    tables = await tablesWithWorkflow();
    const t = process.hrtime.bigint();
    r = await syncWorkflowLogs({ tables, logs, now: () => now }, WF);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  console.log(`sync:         ${Math.round(r!.lines / best).toLocaleString('en')} lines/s end to end (${r!.lines} lines, ${r!.chunks} chunks, ${best.toFixed(2)} s); kept ${r!.summary.runs}, over cap ${r!.runs.over_cap}, trimmed for size ${r!.runs.size_trimmed}`);

  // 2. parsing alone (best of 3)
  best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    let ok = 0;
    for (const l of lines) if (parseLogLine(l, WF).ok) ok++;
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    if (ok !== lines.length) throw new Error('parse failed');
  }
  console.log(`parse:        ${Math.round(lines.length / best).toLocaleString('en')} lines/s`);

  // 3. the summary at the cap
  const item = (await tables.get(SYSTEM_REGION, TABLES.workflowSummary, WF)) as WorkflowSummaryItem;
  const summary = (await readSummary(tables, WF))!;
  const json = Buffer.from(JSON.stringify(toSummaryBody(summary)));
  const verbose = Buffer.from(JSON.stringify(summary.runs));
  console.log(`summary:      ${summary.runs.length} runs → item ${itemBytes(item).toLocaleString('en')} bytes (limit 409,600; the syncer targets ≤ 380,000)`);
  console.log(`  per run:    ${(itemBytes(item) / summary.runs.length).toFixed(1)} bytes stored; compact JSON ${(json.length / summary.runs.length).toFixed(0)} B, field-named JSON ${(verbose.length / summary.runs.length).toFixed(0)} B`);
  const size = (b: Buffer) => `${(b.length / 1024).toFixed(1)} KB`;
  const time = (f: () => Buffer): [Buffer, number] => {
    const t0 = process.hrtime.bigint();
    const b = f();
    return [b, Number(process.hrtime.bigint() - t0) / 1e6];
  };
  for (const [name, f] of [
    ['deflate-raw 6', () => deflateRawSync(json, { level: 6 })],
    ['deflate-raw 9 (used)', () => deflateRawSync(json, { level: 9 })],
    ['gzip 9', () => gzipSync(json, { level: 9 })],
    ['brotli 9', () => brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })],
    ['brotli 11', () => brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })],
  ] as Array<[string, () => Buffer]>) {
    const [b, ms] = time(f);
    console.log(`  ${name.padEnd(20)} ${size(b).padStart(9)} (base64 ${((Math.ceil(b.length / 3) * 4) / 1024).toFixed(1)} KB) in ${ms.toFixed(0)} ms`);
  }

  // 4. the collector at the cap
  const tc = process.hrtime.bigint();
  const rec = buildWorkflowInstanceRecord(summary, new Date(now));
  const cms = Number(process.hrtime.bigint() - tc) / 1e6;
  console.log(`collector:    ${cms.toFixed(0)} ms at the cap; record ${Buffer.byteLength(JSON.stringify(rec)).toLocaleString('en')} bytes; entry samples kept ${Object.values(rec.instance_summary)[0]!.executions['us-east-1']!.samples.length}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
