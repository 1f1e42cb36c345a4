import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const SHARED = path.resolve(process.env.CARIBOU_SHARED_DATA ?? path.join(ROOT, '..', 'shared', 'data'));

describe('data snapshot build', function () {
  this.timeout(60_000);

  it('the committed snapshot and README are exactly what scripts/build-data.ts makes from the shared data', function () {
    // a fresh clone has no ../shared/data: the committed snapshot is then the only copy, nothing to compare
    if (!fs.existsSync(path.join(SHARED, 'MANIFEST.json'))) this.skip();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-data-build-'));
    try {
      execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'scripts', 'build-data.ts')], {
        env: { ...process.env, CARIBOU_SHARED_DATA: SHARED, CARIBOU_DATA_OUT: out },
        stdio: 'pipe',
      });
      for (const f of ['snapshot.json', 'README.md']) {
        assert.ok(fs.readFileSync(path.join(out, f), 'utf8') === fs.readFileSync(path.join(ROOT, 'src', 'data', f), 'utf8'), `src/data/${f} is stale: run npm run data:build`);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
