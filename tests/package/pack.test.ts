/**
 * The package as a user gets it: `npm pack` (which builds dist/ in prepack), the tarball installed
 * into an empty project, then the installed `caribou` scaffolds, type-checks, deploys and runs a
 * workflow on the local cloud. Installs from npm's local cache first (offline), falling back to
 * the registry only for what the cache lacks.
 */
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600000 });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

describe('the packed package, installed into an empty project', function () {
  this.timeout(900000);
  let work: string;
  let project: string;
  let caribou: (args: string[], cwd?: string) => { code: number; out: string; err: string };

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-pack-'));
    const packed = sh(NPM, ['pack', '--pack-destination', work, '--json'], ROOT);
    assert.equal(packed.code, 0, `npm pack failed:\n${packed.err}`);
    const tarball = path.join(work, JSON.parse(packed.out.slice(packed.out.indexOf('[')))[0].filename);
    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-project', version: '1.0.0', private: true }));
    const flags = ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error'];
    let installed = sh(NPM, [...flags, '--offline'], project);
    if (installed.code !== 0) installed = sh(NPM, [...flags, '--prefer-offline'], project);
    assert.equal(installed.code, 0, `npm install of the tarball failed:\n${installed.err}`);
    const bin = path.join(project, 'node_modules', '.bin', 'caribou');
    caribou = (args, cwd = project) => sh(bin, args, cwd, { CARIBOU_HOME: path.join(project, '.caribou-local') });
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('ships compiled code with types and an exports map, and no TypeScript source to run', () => {
    const pkgDir = path.join(project, 'node_modules', 'caribou-ts');
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    assert.equal(pkg.private, undefined);
    assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './package.json', './sdk', './testing']);
    for (const f of ['dist/sdk/index.js', 'dist/sdk/index.d.ts', 'dist/src/testing/index.js', 'dist/src/testing/index.d.ts', 'dist/src/cli/main.js', 'src/deploy/template/app.ts.template', 'docs/manifest.md', 'docs/manifest.schema.json'])
      assert.ok(fs.existsSync(path.join(pkgDir, f)), f);
    assert.ok(!fs.existsSync(path.join(pkgDir, 'src', 'cli', 'main.ts')), 'the CLI runs compiled code, not tsx');
    assert.ok(!fs.existsSync(path.join(pkgDir, 'dist', 'tests')), 'no tests in the package');
  });

  it('`caribou --help` loads no TypeScript, esbuild, tsx or AWS SDK', () => {
    const script = `
      process.argv = ['node', 'caribou', '--help'];
      const { buildProgram } = require('caribou-ts/package.json') && require(require.resolve('caribou-ts/package.json').replace('package.json', 'dist/src/cli/main.js'));
      buildProgram(process.argv);
      console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\\\/](typescript|esbuild|tsx|@aws-sdk|dynalite)[\\\\/]/.test(k))));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim()), []);
    const help = caribou(['--help']);
    assert.equal(help.code, 0, help.err);
    assert.match(help.out, /new_workflow/);
  });

  it('scaffolds, deploys and runs a workflow on the local cloud, and the SDK bundle stays small', () => {
    const created = caribou(['new_workflow', 'hello_flow']);
    assert.equal(created.code, 0, created.err);
    const dir = path.join(project, 'hello_flow');
    assert.match(fs.readFileSync(path.join(dir, 'app.ts'), 'utf8'), /from 'caribou-ts\/sdk'/);
    const inspected = caribou(['inspect', '--json'], dir);
    assert.equal(inspected.code, 0, inspected.err);
    assert.equal(JSON.parse(inspected.out).workflow_id, 'hello_flow-0.0.1');
    const deployed = caribou(['deploy'], dir);
    assert.equal(deployed.code, 0, deployed.err);
    assert.equal(deployed.out.trim().split('\n').pop(), 'hello_flow-0.0.1');
    const ran = caribou(['run', 'hello_flow-0.0.1', '-a', '{"name":"Caribou"}', '--wait', '--json'], dir);
    assert.equal(ran.code, 0, ran.err);
    const runId = JSON.parse(ran.out.trim().split('\n').pop()!).run_id;
    assert.equal(JSON.parse(ran.out.trim().split('\n').pop()!).status, 'succeeded');
    const logs = caribou(['logs', 'hello_flow-0.0.1', '--run', runId], dir);
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, new RegExp(`Hello, Caribou! \\(run ${runId}\\)`));
    const status = caribou(['status', 'hello_flow-0.0.1', '--json'], dir);
    assert.equal(status.code, 0, status.err);
    assert.equal(JSON.parse(status.out).recent_runs[0].status, 'succeeded');
    // the SDK a workflow imports is one small module: nothing of the CLI comes with it
    const sdk = execFileSync(process.execPath, ['-e', "require('caribou-ts/sdk'); console.log(JSON.stringify(Object.keys(require.cache)))"], { cwd: project, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(sdk).map((f: string) => path.relative(path.join(project, 'node_modules', 'caribou-ts'), f)), [path.join('dist', 'sdk', 'index.js')]);
  });

  it('caribou-ts/testing runs the workflow in process, from the installed package', () => {
    const script = `
      const { TestWorkflowEnvironment } = require('caribou-ts/testing');
      (async () => {
        const env = await TestWorkflowEnvironment.create({ workflowDir: 'hello_flow', placements: { world: 'ca-central-1' } });
        const run = await env.run({ name: 'test' });
        await env.close();
        console.log(JSON.stringify({ status: run.status, world: run.outputs.world, regions: run.instances.map((i) => i.region) }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), { status: 'succeeded', world: [{ words: 2 }], regions: ['us-east-1', 'ca-central-1'] });
  });

  it('the quickstart runs from the installed package (its example imports the SDK by relative path)', () => {
    const q = caribou(['quickstart', '--runs', '24', '--json', '--dir', path.join(project, 'qs')]);
    assert.equal(q.code, 0, q.out + q.err);
    assert.equal(JSON.parse(q.out.trim().split('\n').pop()!).workflow_id, 'small_sync_example-0.0.1');
  });

  it('refuses to deploy a workflow with a type error, naming file:line and the compiler message', () => {
    const dir = path.join(project, 'hello_flow');
    const app = path.join(dir, 'app.ts');
    fs.writeFileSync(app, fs.readFileSync(app, 'utf8').replace('ctx.invoke(world, { greeting });', 'ctx.invoke(world, { greetin: greeting });'));
    const deployed = caribou(['deploy'], dir);
    assert.equal(deployed.code, 1, deployed.out + deployed.err);
    assert.match(deployed.err, /app\.ts:\d+:\d+: .*TS2561/);
  });
});
