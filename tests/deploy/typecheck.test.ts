import { strict as assert } from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scaffoldWorkflow } from '../../src/cli/commands/new_workflow';
import { typeErrors } from '../../src/deploy/typecheck';
import { runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');

/** A scaffold outside the repository that sees this package as caribou-ts (as `npm install` would). */
async function scaffold(name: string): Promise<{ dir: string; home: string }> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-tc-'));
  await fs.mkdir(path.join(parent, 'node_modules'));
  await fs.symlink(ROOT, path.join(parent, 'node_modules', 'caribou-ts'), 'dir');
  return { dir: await scaffoldWorkflow(name, parent), home: path.join(parent, 'home') };
}

describe('type-checked deploy and inspect', function () {
  this.timeout(180000);
  let saved: string | undefined;
  beforeEach(() => (saved = process.env.CARIBOU_HOME));
  afterEach(() => {
    if (saved === undefined) delete process.env.CARIBOU_HOME;
    else process.env.CARIBOU_HOME = saved;
    process.exitCode = 0;
  });

  it('the scaffold and the examples have no type errors', async () => {
    const { dir } = await scaffold('clean_flow');
    assert.deepEqual(typeErrors(path.join(dir, 'app.ts')), []);
    assert.deepEqual(typeErrors(path.join(ROOT, 'examples', 'map_reduce', 'app.ts')), []);
  });

  it('refuses a payload of the wrong type (TS2561) with file:line:column and the message, and deploys nothing', async () => {
    const { dir, home } = await scaffold('typo_flow');
    process.env.CARIBOU_HOME = home;
    const app = path.join(dir, 'app.ts');
    const text = await fs.readFile(app, 'utf8');
    await fs.writeFile(app, text.replace('ctx.invoke(world, { greeting });', 'ctx.invoke(world, { greeting, wordz: 0 });'));
    const line = text.split('\n').findIndex((l) => l.includes('ctx.invoke(world, { greeting });')) + 1;
    for (const command of ['deploy', 'inspect']) {
      await assert.rejects(runCli([command, '-p', dir]), (e: Error & { exitCode?: number }) => {
        assert.match(e.message, new RegExp(`app\\.ts:${line}:\\d+: error TS2353: .*'wordz'`));
        assert.equal(e.exitCode, 1);
        return true;
      });
    }
    const listed = await runCli(['list', '--json']);
    assert.ok(!listed.out.includes('typo_flow'), 'nothing deployed');
  });

  it('a misspelt property with a near match gives TS2561, as the issue reports', async () => {
    const { dir } = await scaffold('near_flow');
    const app = path.join(dir, 'app.ts');
    const text = await fs.readFile(app, 'utf8');
    await fs.writeFile(app, text.replace('ctx.invoke(world, { greeting });', 'ctx.invoke(world, { greetinx: greeting });'));
    const errors = typeErrors(app);
    assert.deepEqual(errors.map((e) => [path.basename(e.file), e.code]), [['app.ts', 2561]]);
    assert.match(errors[0].message, /greetinx/);
  });

  it('workflow() takes its name and version from the manifest: a new version deploys and runs under it', async () => {
    const { dir, home } = await scaffold('named_flow');
    process.env.CARIBOU_HOME = home;
    assert.match(await fs.readFile(path.join(dir, 'app.ts'), 'utf8'), /const wf = workflow\(\);/);
    const manifest = path.join(dir, '.caribou', 'config.yml');
    await fs.writeFile(manifest, (await fs.readFile(manifest, 'utf8')).replace('workflow_version: "0.0.1"', 'workflow_version: "0.2.0"'));
    const deployed = await runCli(['deploy', '-p', dir]);
    assert.equal(deployed.out.trim(), 'named_flow-0.2.0');
    const ran = await runCli(['run', 'named_flow-0.2.0', '-a', '{"name":"you"}', '--json']);
    assert.equal(JSON.parse(ran.out.trim().split('\n').pop()!).status, 'succeeded');
  });
});
