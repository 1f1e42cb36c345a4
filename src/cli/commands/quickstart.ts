import type { Command } from 'commander';
import * as path from 'path';
import { UserError } from '../../model/errors';
import { quickstart, type QuickstartResult } from '../../quickstart';
import type { MetricSet } from '../../report/html';
import { describeChange, usdPerMillion } from '../../quickstart/ab';
import { progressRenderer } from './cycle';

/** Registers `caribou quickstart`: deploy, run, CaribouCycle, run again, compare — on the local cloud. */
export function register(program: Command): void {
  program
    .command('quickstart')
    .description('the whole story on the local cloud in about a minute: deploy an example (home us-east-1), run it a few hundred times, run CaribouCycle, run it again under the new placement, and compare before/after (table + HTML report)')
    .option('--example <name>', 'example workflow under examples/', 'small_sync_example')
    .option('--runs <n>', 'runs before and after the cycle', '240')
    .option('--dir <path>', 'state folder: new, empty, or one a quickstart made (marked .caribou-quickstart); its local cloud is cleared first, under its lock', path.join('.caribou', 'quickstart'))
    .option('--report <file>', 'where to write the HTML report (default <dir>/report.html); never overwrites a file caribou did not write')
    .option('--solves-per-day <n>', 'hour slots CaribouCycle solves: 1,2,3,4,6,8,12,24, or auto (the deployment manager\'s budget decides)', '24')
    .option('--regions <codes>', "replace the example's allowed regions, comma-separated (home is kept), e.g. us-east-1,us-west-1,us-west-2")
    .option('--json', 'print one line: {"workflow_id","home":{"carbon","cost","runtime_p95"},"optimized":{…},"carbon_reduction_pct","carbon_reduction_ci_pct","significant","migrated_instances","report"}')
    .action(async (opts: { example: string; runs: string; dir: string; report?: string; regions?: string; solvesPerDay: string; json?: boolean }) => {
      const n = Number(opts.runs);
      if (!Number.isInteger(n) || n < 10) throw new UserError(`--runs must be an integer ≥ 10 (the manager never solves below 10 invocations); got "${opts.runs}"`);
      const spd = opts.solvesPerDay === 'auto' ? 'auto' : Number(opts.solvesPerDay);
      if (spd !== 'auto' && ![1, 2, 3, 4, 6, 8, 12, 24].includes(spd)) throw new UserError(`--solves-per-day must be one of 1,2,3,4,6,8,12,24 or auto; got "${opts.solvesPerDay}"`);
      const say = (s: string) => process.stderr.write(s + '\n');
      const r = await quickstart({
        example: opts.example,
        before: n,
        after: n,
        dir: opts.dir,
        report: opts.report,
        solvesPerDay: spd,
        regions: opts.regions?.split(',').map((r) => r.trim()).filter(Boolean),
        log: opts.json ? undefined : say,
        onEvent: opts.json ? undefined : progressRenderer(),
      });
      if (opts.json) {
        const { detail: _detail, ...line } = r;
        void _detail;
        console.log(JSON.stringify(line));
      } else console.log(formatQuickstart(r));
    });
}

/** Compresses 24 hourly regions into "0–7 ca-central-1, 8–23 us-east-1". */
export function hourRanges(regions: string[]): string {
  const out: string[] = [];
  let start = 0;
  for (let h = 1; h <= regions.length; h++) {
    if (h === regions.length || regions[h] !== regions[start]) {
      out.push(`${start === h - 1 ? `${start}` : `${start}–${h - 1}`} ${regions[start]}`);
      start = h;
    }
  }
  return out.join(', ');
}

function num(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 0.01 ? v.toPrecision(3) : v.toExponential(2);
}

/** The before/after table for people. */
export function formatQuickstart(r: QuickstartResult): string {
  const d = r.detail;
  const lines: string[] = ['', `Placement of ${r.workflow_id} by hour (UTC), after CaribouCycle:`];
  const w = Math.max(...Object.keys(d.placement).map((k) => k.length));
  for (const [fn, regions] of Object.entries(d.placement)) lines.push(`  ${fn.padEnd(w)}  ${hourRanges(regions)}`);
  const cols = ['home est.', 'optimized est.', 'home measured', 'optimized measured'];
  const sets: Array<MetricSet | undefined> = [d.estimated?.home, d.estimated?.optimized, d.measured.home, d.measured.optimized];
  lines.push('', `Per run (${d.ab.pairs} A/B pairs after ${d.ab.warmup_pairs} warm-up pairs; est. = the solver's Monte Carlo estimate, measured = priced from the runtime's log lines with the same terms):`);
  lines.push(`  ${''.padEnd(26)}${cols.map((c) => c.padStart(19)).join('')}`);
  // units a person reads: mg CO2e per 1,000 runs, USD per million runs
  for (const [k, unit, scale] of [
    ['carbon', 'mg/1k runs', 1e6],
    ['cost', 'USD/1M runs', 1e6],
    ['runtime', 's', 1],
  ] as const)
    for (const s of ['mean', 'p95'] as const) lines.push(`  ${`${k} ${s} (${unit})`.padEnd(26)}${sets.map((m) => (m ? num(m[k][s] * scale) : '–').padStart(19)).join('')}`);
  lines.push(
    '',
    d.headline,
    `Cost: ${describeChange(d.ab.cost)} (${usdPerMillion(r.home.cost)} at home). Runtime p95: ${describeChange(d.ab.runtime_p95)}.`,
    `Runs after the cycle executed in: ${Object.entries(d.routed_to).map(([k, v]) => `${k} (${v})`).join(', ')}.`,
    `Timings (s): ${Object.entries(d.timings_s).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}.`,
    `Report: ${r.report}`,
  );
  return lines.join('\n');
}
