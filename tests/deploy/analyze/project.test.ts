import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DecodeError } from '../../../src/model/decode';
import { UserError } from '../../../src/model/errors';
import { loadWorkflowProject } from '../../../src/deploy/project';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'small_sync_example');

/** A copy of small_sync_example in a temp dir, with `edit` applied to its files. */
async function copyWith(edit: (files: Record<string, string>) => void): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-project-'));
  const files: Record<string, string> = {};
  for (const f of ['app.ts', '.caribou/config.yml', '.caribou/iam_policy.json']) files[f] = await fs.readFile(path.join(EXAMPLE, f), 'utf8');
  // the copy lives outside the repo: point its SDK import at the repo's sdk
  files['app.ts'] = files['app.ts'].replace("'../../sdk'", JSON.stringify(path.join(ROOT, 'sdk')));
  edit(files);
  for (const [f, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await fs.writeFile(path.join(dir, f), text);
  }
  return dir;
}

async function failure(dir: string): Promise<Error> {
  try {
    await loadWorkflowProject(dir);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the project to be refused');
}

describe('loadWorkflowProject', () => {
  it('loads an example: manifest, config, absolute source path, IAM policy', async () => {
    const p = await loadWorkflowProject(EXAMPLE);
    assert.equal(p.dir, EXAMPLE);
    assert.equal(p.sourceFile, path.join(EXAMPLE, 'app.ts'));
    assert.equal(p.manifest.workflow_name, 'small_sync_example');
    assert.equal(p.config.source_file, 'app.ts');
    assert.ok((p.iamPolicy as { aws: unknown }).aws);
    assert.deepEqual(p.config.functions.map((f) => [f.name, f.is_join, f.entry_point]), [
      ['initial_function', false, true],
      ['syncFunction', true, false],
      ['secondSyncFunction', true, false],
    ]);
  });

  it('merges per-function options over the manifest', async () => {
    const dir = await copyWith((f) => {
      f['app.ts'] = f['app.ts'].replace(
        "{ name: 'syncFunction' }",
        "{ name: 'syncFunction', memory: 512, architecture: 'arm64', environment: { LOG_LEVEL: 'DEBUG', MODE: 'x' }, regions: { allowed: ['us-east-1', 'us-west-2'], disallowed: ['ca-central-1'] } }",
      );
    });
    const fns = (await loadWorkflowProject(dir)).config.functions;
    const sync = fns.find((f) => f.name === 'syncFunction')!;
    assert.deepEqual(
      { memory: sync.memory, timeout: sync.timeout, arch: sync.architecture, env: sync.environment, allowed: sync.allowed_regions, disallowed: sync.disallowed_regions },
      { memory: 512, timeout: 60, arch: 'arm64', env: { LOG_LEVEL: 'DEBUG', MODE: 'x' }, allowed: ['us-east-1', 'us-west-2'], disallowed: ['ca-central-1'] },
    );
    const first = fns.find((f) => f.name === 'initial_function')!;
    assert.deepEqual([first.memory, first.architecture, first.environment], [128, 'x86_64', { LOG_LEVEL: 'INFO' }]);
  });

  it('refuses, in plain words: a missing directory, manifest, source or policy; bad YAML with its line', async () => {
    assert.match((await failure('/nonexistent/dir')).message, /workflow directory \/nonexistent\/dir does not exist/);
    const noManifest = await copyWith((f) => delete f['.caribou/config.yml']);
    assert.match((await failure(noManifest)).message, /no manifest at .*config\.yml; is .* a workflow directory\?/);
    const noPolicy = await copyWith((f) => delete f['.caribou/iam_policy.json']);
    assert.match((await failure(noPolicy)).message, /the IAM policy file .*iam_policy\.json named by iam_policy_file does not exist/);
    const badPolicy = await copyWith((f) => (f['.caribou/iam_policy.json'] = '{"aws": {"Statement": {}}}'));
    const pe = await failure(badPolicy);
    assert.ok(pe instanceof DecodeError);
    assert.match(pe.message, /iam_policy\.json is invalid:\naws\.Statement: expected a list/);
    const badYaml = await copyWith((f) => (f['.caribou/config.yml'] = f['.caribou/config.yml'].replace('home_region:', 'home_region: [')));
    const e = await failure(badYaml);
    assert.ok(e instanceof UserError);
    assert.match(e.message, /config\.yml is not valid YAML:\n {2}.*config\.yml:\d+:\d+: /);
  });

  it('refuses a bad manifest with every problem and its path (a DecodeError)', async () => {
    const dir = await copyWith((f) => (f['.caribou/config.yml'] = f['.caribou/config.yml'].replace('memory: 128', 'memory: 64').replace('[carbon, cost, runtime]', '[carbon, co2]')));
    const e = await failure(dir);
    assert.ok(e instanceof DecodeError);
    assert.deepEqual(e.problems.map((p) => p.path).sort(), ['constraints.priority_order[1]', 'regions_and_providers.providers.aws.config.memory']);
  });

  it('the CLI prints refusals as sentences with file:line, exit code 1, no stack trace', async () => {
    let loopLine = 0;
    const dir = await copyWith((f) => {
      f['app.ts'] = f['app.ts'].replace('ctx.invoke(syncFunction, { from: \'initial_function#0\'', 'for (const k of [1]) ctx.invoke(syncFunction, { from: \'initial_function#0\'');
      loopLine = f['app.ts'].split('\n').findIndex((l) => l.includes('for (const k of [1])')) + 1;
    });
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'caribou.js'), 'inspect', '-p', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.ok(loopLine > 0);
    assert.match(r.stderr, new RegExp(`^error: the workflow source has a problem:\\n {2}app\\.ts:${loopLine}:\\d+: function "initial_function": an invoke inside a loop is not allowed`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const ok = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'caribou.js'), 'inspect', '-p', EXAMPLE, '--json'], { encoding: 'utf8' });
    assert.equal(JSON.parse(ok).workflow_id, 'small_sync_example-0.0.1');
  });
});
