import { strict as assert } from 'assert';
import { promises as fs } from 'fs';
import * as path from 'path';
import { scaffoldWorkflow } from '../../../src/cli/commands/new_workflow';
import { runCliCode } from '../../support/cli';
import { useCaribouHome } from '../../support/home';

const CALL = 'ctx.invoke(world, { greeting });';

/** Sources the analyzer once crashed on or accepted wrongly: each is the scaffold with its one invoke rewritten. */
const CASES: Array<{ what: string; replace: string; below: number; message: RegExp }> = [
  { what: 'a target behind `as any`', replace: 'ctx.invoke(world as any, { greeting });', below: 0, message: /the target of an invoke must be the variable of a function registered/ },
  { what: 'a target read from an object (`obj.fn`)', replace: 'const o = { fn: world };\n  ctx.invoke(o.fn, { greeting });', below: 1, message: /the target of an invoke must be the variable of a function registered/ },
  {
    what: 'the context aliased (`const c = ctx`) and invoked in a loop',
    replace: 'const c = ctx;\n  for (let i = 0; i < 2; i++) c.invoke(world, { greeting });',
    below: 0,
    message: /use the context only as `ctx\.<member>`.*aliasing it \(`const c = ctx`\)/,
  },
  { what: 'the context destructured', replace: 'const { invoke } = ctx;\n  invoke(world, { greeting });', below: 0, message: /use the context only as `ctx\.<member>`/ },
  { what: 'the context passed to a helper', replace: 'send(ctx);', below: 0, message: /passing it on hides its invoke call sites/ },
  { what: 'a syntax error', replace: 'ctx.invoke(world, { greeting );', below: 0, message: /syntax error: ',' expected/ },
];

describe('the analyzer refuses, with file:line, what it cannot honour (inspect and deploy exit 1, never crash)', function () {
  this.timeout(120_000);
  const h = useCaribouHome('caribou-refusals-');

  before(async () => {
    // what `npm install caribou-ts` gives a user's project (inspect and deploy type-check the source)
    await fs.mkdir(path.join(h.dir, 'node_modules'));
    await fs.symlink(path.resolve(__dirname, '..', '..', '..'), path.join(h.dir, 'node_modules', 'caribou-ts'), 'dir');
  });

  CASES.forEach((c, i) => {
    it(c.what, async () => {
      const dir = await scaffoldWorkflow(`case${i}`, h.dir);
      const file = path.join(dir, 'app.ts');
      const text = await fs.readFile(file, 'utf8');
      assert.ok(text.includes(CALL), 'the scaffold has the invoke this test rewrites');
      const line = text.split('\n').findIndex((l) => l.includes(CALL)) + 1 + c.below;
      await fs.writeFile(file, text.replace(CALL, c.replace));
      for (const cmd of [['inspect', '--workflow-dir', dir], ['deploy', '--workflow-dir', dir]]) {
        const r = await runCliCode(cmd);
        assert.equal(r.code, 1, `${cmd[0]}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stdout, '', `${cmd[0]} prints no DAG`);
        assert.doesNotMatch(r.stderr, /internal error/);
        assert.match(r.stderr, new RegExp(`^error: the workflow source has (a problem|\\d+ problems):\\n  app\\.ts:${line}:\\d+: `), r.stderr);
        assert.match(r.stderr, c.message);
      }
    });
  });

  it('still accepts the context used through its members, a nested parameter named like it, and a property of that name', async () => {
    const dir = await scaffoldWorkflow('members', h.dir);
    const file = path.join(dir, 'app.ts');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace(CALL, `const id = ctx.runId;\n  const tag = { ctx: id };\n  [1].forEach((ctx) => console.log(ctx, tag));\n  ${CALL}`));
    const r = await runCliCode(['inspect', '--workflow-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 functions, 2 instances, 1 call-site edges/);
  });
});
