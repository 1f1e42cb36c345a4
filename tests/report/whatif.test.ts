import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openLocalCloud } from '../../src/cloud/local';
import { solveWorkflow } from '../../src/solve';
import { referenceScenario, writeScenarioTables } from '../../src/solve/reference-scenario';
import { qualityFlags, renderWhatIf } from '../../src/report/whatif';
import { runCli } from '../support/cli';
import { dumpDom, externalRefs, requireChromium } from './browser';

describe('what-if report before migrating: caribou solve <id> --report FILE (issue 15)', function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-whatif-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('flags every filled or estimated input: a region without hourly data, an unmeasured latency, a default price', () => {
    const input = referenceScenario({ regions: 3, intensity: (i, h) => 300 - 100 * i + (h ?? 0) });
    const [a, b] = input.available_regions.filter((r) => r !== 'us-east-1');
    input.carbon[a] = { ...input.carbon[a], source: 'snapshot: Electricity Maps X 2024, mean of month 11 per UTC hour' };
    input.performance[b] = { ...input.performance[b], filled: ['us-east-1'] };
    delete (input.provider as Record<string, unknown>)[b];
    const plan = solveWorkflow(input, { runs: 200, algorithm: 'coarse', hours: ['0', '12'] });
    const flags = qualityFlags(plan, input, input.available_regions);
    const text = flags.map((f) => `${f.kind}: ${f.text}`).join('\n');
    assert.match(text, new RegExp(`carbon: carbon ${a}: no hourly data`));
    assert.match(text, new RegExp(`latency: latency ${b}: filled us-east-1`));
    assert.match(text, new RegExp(`prices: prices ${b}: no provider_region record`));
    const html = renderWhatIf(plan, input);
    assert.match(html, /id="headline">Predicted: −\d/);
    assert.match(html, /<li class="flag"><b>carbon<\/b>/);
    assert.deepEqual(externalRefs(html), []);
  });

  it('the CLI writes the report of an unapplied plan; headless Chromium renders it with the network off', async function () {
    const home = path.join(dir, 'cloud');
    const cloud = await openLocalCloud({ home, start: new Date('2026-11-21T00:00:00Z') });
    const input = referenceScenario({ regions: 3, intensity: (i, h) => 300 - 100 * i + (h ?? 0) });
    try {
      await writeScenarioTables(cloud.tables, input);
    } finally {
      await cloud.close();
    }
    const file = path.join(dir, 'out', 'whatif.html');
    const prev = process.env.CARIBOU_HOME;
    process.env.CARIBOU_HOME = home;
    try {
      const r = await runCli(['solve', input.workflow_id, '--hours', '0,12', '--runs', '200', '-s', 'coarse', '--report', file]);
      assert.match(r.err, /what-if report: /);
      assert.match(r.out, /hour 12 \(UTC\)/);
    } finally {
      if (prev === undefined) delete process.env.CARIBOU_HOME;
      else process.env.CARIBOU_HOME = prev;
    }
    const html = fs.readFileSync(file, 'utf8');
    assert.deepEqual(externalRefs(html), [], 'nothing in the report loads from the network');
    requireChromium(this);
    const dom = dumpDom(file)!;
    assert.match(dom, /<p class="headline" id="headline">Predicted: −[\d.]+% carbon/);
    assert.match(dom, /Placement by hour/);
    assert.ok((dom.match(/<svg/g) ?? []).length >= 2, 'the charts render');
    assert.deepEqual(externalRefs(dom), [], 'nothing was added that loads from the network');
  });
});
