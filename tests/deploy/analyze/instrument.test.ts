import { strict as assert } from 'assert';
import * as esbuild from 'esbuild';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnalysisError } from '../../../src/deploy/analyze';
import { caribouSitesPlugin, instrumentSource } from '../../../src/deploy/instrument';

const HEAD = `import { workflow } from '../../sdk';\nconst wf = workflow({ name: 'w', version: '0.0.1' });\n`;

describe('call-site instrumentation', () => {
  it('passes each call site its index as a 4th argument, at compiler positions', () => {
    const text = `${HEAD}export const b = wf.fn<number>({ name: 'b' }, async () => {});
export const j = wf.join<number>({ name: 'j' }, async (ctx) => { ctx.invoke(b, (await ctx.predecessorData()).length); });
export const a = wf.fn({ name: 'a', entryPoint: true }, async (x: number, ctx) => {
  ctx.invoke(b, x);
  // a comment mentioning ctx.invoke(b, 0) is not a call site
  const s = "ctx.invoke(b, 1)";
  if (x > 0) ctx.invoke(j, x, { conditional: x > 1 });
  ctx.invoke(
    j,
    x + 1,
  );
});
export default wf;
`;
    const out = instrumentSource('/v/app.ts', text);
    assert.equal(
      out,
      text
        .replace('ctx.invoke(b, (await ctx.predecessorData()).length)', 'ctx.invoke(b, (await ctx.predecessorData()).length, undefined, 0)')
        .replace('ctx.invoke(b, x);', 'ctx.invoke(b, x, undefined, 0);')
        .replace('ctx.invoke(j, x, { conditional: x > 1 })', 'ctx.invoke(j, x, { conditional: x > 1 }, 1)')
        .replace('x + 1,\n  )', 'x + 1, undefined, 2,\n  )'),
    );
  });

  it('leaves modules without a workflow unchanged, and refuses sources the DAG builder refuses', () => {
    const helper = `export function words(s: string) { return s.split(' '); }\n`;
    assert.equal(instrumentSource('/v/words.ts', helper), helper);
    const looped = `${HEAD}export const b = wf.fn<number>({ name: 'b' }, async () => {});\nexport const a = wf.fn({ name: 'a', entryPoint: true }, async (x: number[], ctx) => { for (const v of x) ctx.invoke(b, v); });\nexport default wf;\n`;
    assert.throws(() => instrumentSource('/v/app.ts', looped), (e: unknown) => e instanceof AnalysisError && /4:\d+: function "a": an invoke inside a loop/.test(e.message));
  });

  it('the esbuild plugin reports a refused source as a build error at its file and line', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-instr-'));
    const file = path.join(dir, 'app.ts');
    await fs.writeFile(file, `import { workflow } from '${path.resolve(__dirname, '../../../sdk').replace(/\\/g, '/')}';\nconst wf = workflow({ name: 'w', version: '0.0.1' });\nexport const a = wf.fn({ name: 'a', entryPoint: true }, async (x: number[], ctx) => { x.forEach((v) => ctx.invoke(a, v)); });\nexport default wf;\n`);
    const r = await esbuild.build({ entryPoints: [file], bundle: true, write: false, platform: 'node', plugins: [caribouSitesPlugin()], logLevel: 'silent' }).catch((e: esbuild.BuildFailure) => e);
    assert.ok('errors' in r && r.errors.length === 1, 'the build fails');
    const err = (r as esbuild.BuildFailure).errors[0];
    assert.equal(err.location?.line, 3);
    assert.match(err.text, /inside a nested function or callback/);
  });
});
