import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hourRanges } from '../../src/cli/commands/quickstart';
import { quickstart } from '../../src/quickstart';
import { dumpDom, externalRefs, requireChromium } from '../report/browser';

const ROOT = path.join(__dirname, '..', '..');

describe('quickstart: npx caribou quickstart --json', function () {
  this.timeout(240_000);

  it('reports a carbon reduction and at least one migrated instance, and writes the report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-qs-'));
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'caribou.js'), 'quickstart', '--json', '--runs', '60', '--dir', dir], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, CARIBOU_HOME: '' },
      });
      assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1, `--json prints one line, got:\n${r.stdout}`);
      const out = JSON.parse(lines[0]);
      assert.deepEqual(Object.keys(out).sort(), ['carbon_reduction_ci_pct', 'carbon_reduction_pct', 'home', 'migrated_instances', 'optimized', 'report', 'significant', 'workflow_id'].sort());
      assert.equal(out.significant, true, `the move to hydro power is a significant change: ${lines[0]}`);
      assert.ok(out.carbon_reduction_ci_pct[0] > 0 && out.carbon_reduction_ci_pct[0] <= out.carbon_reduction_pct && out.carbon_reduction_pct <= out.carbon_reduction_ci_pct[1]);
      for (const k of ['home', 'optimized']) assert.deepEqual(Object.keys(out[k]).sort(), ['carbon', 'cost', 'runtime_p95']);
      assert.equal(out.workflow_id, 'small_sync_example-0.0.1');
      assert.ok(out.carbon_reduction_pct > 0, `no carbon reduction: ${lines[0]}`);
      assert.ok(out.optimized.carbon < out.home.carbon);
      assert.ok(out.migrated_instances >= 1);
      const html = fs.readFileSync(out.report, 'utf8');
      assert.ok((html.match(/<svg/g) ?? []).length >= 4, 'the report has its plots');
      assert.match(html, /Grid carbon intensity by region and hour/);
      assert.match(html, /Placement through the day/);
      assert.match(html, /id="headline">[\d.]+% less carbon with the new placement/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without hydro power in reach, the plan follows the solar hours (placement changes through the day)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-qs-'));
    try {
      const r = await quickstart({ dir, before: 40, after: 24, day: new Date('2026-11-20T00:00:00Z'), regions: ['us-east-1', 'us-west-1', 'us-west-2'] });
      const regions = new Set(Object.values(r.detail.placement).flat());
      assert.ok(regions.size >= 2, `one region all day: ${[...regions].join(', ')}`);
      assert.ok(Object.keys(r.detail.routed_to).length >= 2, `runs went to ${Object.keys(r.detail.routed_to).join(', ')}`);
      assert.ok(r.carbon_reduction_pct > 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --regions us-east-1 nothing moves, and the A/B says "no significant change" (issue 15)', function () {
    // before issue 15 this printed "0 instance(s) moved" beside a −6.4% carbon "reduction":
    // home ran first on a cold JIT, the "optimized" day later on a warm one
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-qs-'));
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'caribou.js'), 'quickstart', '--runs', '40', '--regions', 'us-east-1', '--dir', dir], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, CARIBOU_HOME: '' },
      });
      assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /No significant change in carbon/);
      assert.match(r.stdout, /runs every instance at home/);
      assert.doesNotMatch(r.stdout, /\de-\d/, 'no exponent notation where a person reads carbon');
      assert.match(r.stdout, /carbon mean \(mg\/1k runs\)/);
      const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
      assert.match(html, /id="headline">No significant change in carbon/);
      assert.deepEqual(externalRefs(html), [], 'nothing in the report loads from the network');
      requireChromium(this);
      const dom = dumpDom(path.join(dir, 'report.html'))!;
      assert.match(dom, /<p class="headline" id="headline">No significant change in carbon/);
      assert.deepEqual(externalRefs(dom), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hour ranges compress a day of placements', () => {
    assert.equal(hourRanges(new Array(24).fill('a')), '0–23 a');
    assert.equal(hourRanges([...new Array(8).fill('a'), 'b', ...new Array(15).fill('a')]), '0–7 a, 8 b, 9–23 a');
  });
});
