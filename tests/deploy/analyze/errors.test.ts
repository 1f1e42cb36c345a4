import { strict as assert } from 'assert';
import { AnalysisError, analyzeSource, buildWorkflowConfig } from '../../../src/deploy/analyze';
import { FILE, MANIFEST } from './fixtures';


/** A workflow module around `body` (registrations), with the usual header and footer. */
function src(body: string): string {
  return `import { workflow } from '../../sdk';\nconst wf = workflow({ name: 'w', version: '0.0.1' });\n${body}\nexport default wf;\n`;
}

/** The diagnostics of a source, as `line: message` strings. */
function problems(text: string): string[] {
  try {
    buildWorkflowConfig(MANIFEST, FILE, text);
  } catch (e) {
    assert.ok(e instanceof AnalysisError, `expected an AnalysisError, got ${String(e)}`);
    for (const d of e.diagnostics) assert.equal(d.file, FILE);
    assert.match(e.message, /\/virtual\/app\.ts:\d+:\d+: /);
    return e.diagnostics.map((d) => `${d.line}: ${d.message}`);
  }
  return [];
}

describe('static DAG builder: refusals, with file:line and a plain sentence', () => {
  it('no entry point', () => {
    const p = problems(src(`export const a = wf.fn({ name: 'a' }, async (x: number, ctx) => {});`));
    assert.equal(p.length, 1);
    assert.match(p[0], /^3: no entry point: mark exactly one function with `entryPoint: true`/);
  });

  it('several entry points', () => {
    const p = problems(src(`export const a = wf.fn({ name: 'a', entryPoint: true }, async () => {});\nexport const b = wf.fn({ name: 'b', entryPoint: true }, async () => {});`));
    assert.deepEqual(p.map((l) => l.split(':')[0]), ['4']);
    assert.match(p[0], /several entry points: "b" and "a" \(line 3\)/);
  });

  it('a cycle, naming the functions on it and the invoke that closes it', () => {
    const p = problems(
      src(`export const a = wf.fn({ name: 'a', entryPoint: true }, async (x: unknown, ctx) => { ctx.invoke(b, 1); });
export const b = wf.fn<number>({ name: 'b' }, async (x, ctx) => { ctx.invoke(c, 2); });
export const c = wf.fn<number>({ name: 'c' }, async (x, ctx) => {
  ctx.invoke(b, 3);
});`),
    );
    assert.equal(p.length, 1);
    assert.match(p[0], /^6: a cycle: b → c → b;/);
  });

  it('a function that invokes itself is a cycle', () => {
    const p = problems(src(`export const a = wf.fn({ name: 'a', entryPoint: true }, async (x: unknown, ctx) => { ctx.invoke(a, 1); });`));
    assert.match(p[0], /^3: a cycle: a → a;/);
  });

  it('an invoke whose target is not a registered function', () => {
    const p = problems(
      src(`const helper = { name: 'x' };
export const a = wf.fn({ name: 'a', entryPoint: true }, async (x: unknown, ctx) => {
  ctx.invoke(helper as any, 1);
  ctx.invoke(missing, 2);
  ctx.invoke(pick(), 3);
});`),
    );
    assert.equal(p.length, 3);
    assert.match(p[0], /^5: function "a": the target of an invoke must be the variable of a function registered in this workflow/);
    assert.match(p[1], /^6: function "a" invokes "missing", which is not a function registered in this workflow/);
    assert.match(p[2], /^7: function "a": the target of an invoke must be/);
  });

  it('a join as the entry point', () => {
    const p = problems(src(`export const j = wf.join({ name: 'j', entryPoint: true } as any, async () => {});`));
    assert.match(p[0], /^3: join "j" cannot be the entry point/);
  });

  it('an invoke inside a loop (for, for-of, while, do) or a callback', () => {
    const p = problems(
      src(`export const b = wf.fn<number>({ name: 'b' }, async () => {});
export const a = wf.fn({ name: 'a', entryPoint: true }, async (xs: number[], ctx) => {
  for (let i = 0; i < 2; i++) ctx.invoke(b, i);
  for (const x of xs) { ctx.invoke(b, x); }
  while (xs.length) ctx.invoke(b, xs.pop()!);
  do { ctx.invoke(b, 0); } while (false);
  xs.forEach((x) => ctx.invoke(b, x));
  if (xs.length > 3) ctx.invoke(b, 9);
});`),
    );
    assert.equal(p.length, 5, p.join('\n'));
    for (const line of p.slice(0, 4)) assert.match(line, /an invoke inside a loop is not allowed; each call site is one instance of its successor, so unroll/);
    assert.deepEqual(p.map((l) => Number(l.split(':')[0])), [5, 6, 7, 8, 9]);
    assert.match(p[4], /an invoke inside a nested function or callback is not allowed/);
  });

  it('a named handler that calls itself', () => {
    const p = problems(
      src(`export const b = wf.fn<number>({ name: 'b' }, async () => {});
export const a = wf.fn({ name: 'a', entryPoint: true }, async function again(x: number, ctx): Promise<void> {
  ctx.invoke(b, x);
  if (x > 0) await again(x - 1, ctx);
});`),
    );
    assert.equal(p.length, 1, p.join('\n'));
    assert.match(p[0], /^4: function "a": its handler calls itself/);
  });

  it('an invoke under `if` is fine: a site not reached counts as a conditional non-execution', () => {
    const r = analyzeSource(
      FILE,
      src(`export const b = wf.fn<number>({ name: 'b' }, async () => {});
export const a = wf.fn({ name: 'a', entryPoint: true }, async (x: number, ctx) => {
  if (x > 1) ctx.invoke(b, 1);
  else ctx.invoke(b, 2);
  try { ctx.invoke(b, 3); } catch { /* */ }
});`),
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.instances.length, 4);
  });

  it('non-literal options, unknown options, bad values, names that clash', () => {
    const p = problems(
      src(`const MEM = 256;
export const a = wf.fn({ name: 'a', entryPoint: true, memory: MEM }, async () => {});
export const b = wf.fn({ name: 'b', timeout: 901, colour: 'red' }, async () => {});
export const c = wf.fn({ name: 'a' }, async () => {});`),
    );
    assert.ok(p.some((l) => /^4: option "memory" must be a literal value/.test(l)), p.join('\n'));
    assert.ok(p.some((l) => /^5: function "b": unknown option "colour"/.test(l)), p.join('\n'));
    assert.ok(p.some((l) => /^5: function "b": option timeout: expected an integer from 1 to 900 s; got 901/.test(l)), p.join('\n'));
    assert.ok(p.some((l) => /^6: function name "a" is already used by the function registered at line 4/.test(l)), p.join('\n'));
  });

  it('a workflow whose name or version differs from the manifest', () => {
    const text = `import { workflow } from '../../sdk';\nconst wf = workflow({ name: 'other', version: '0.0.2' });\nexport const a = wf.fn({ name: 'a', entryPoint: true }, async () => {});\nexport default wf;\n`;
    const p = problems(text);
    assert.match(p[0], /^2: the workflow is "other" version "0.0.2" here but "w" version "0.0.1" in \.caribou\/config\.yml/);
  });

  it('no workflow, no default export, registrations hidden in other code', () => {
    assert.match(problems('export const x = 1;\n')[0], /^1: no workflow found: import \{ workflow \}/);
    const p = problems(
      `import { workflow as make } from '../../sdk';\nconst wf = make({ name: 'w', version: '0.0.1' });\nexport const a = wf.fn({ name: 'a', entryPoint: true }, async () => {});\nfunction later() { return wf.fn({ name: 'late' }, async () => {}); }\n`,
    );
    assert.ok(p.some((l) => /^2: the module must `export default wf;`/.test(l)), p.join('\n'));
    assert.ok(p.some((l) => /^4: register functions at the top level/.test(l)), p.join('\n'));
  });

  it('invoke passed around or destructured', () => {
    const p = problems(
      src(`export const b = wf.fn<number>({ name: 'b' }, async () => {});
export const a = wf.fn({ name: 'a', entryPoint: true }, async (x: number, ctx) => {
  const call = ctx.invoke;
});
export const c = wf.fn({ name: 'c' }, async (x: number, { invoke }) => {});`),
    );
    assert.ok(p.some((l) => /^5: function "a": call `ctx.invoke\(\.\.\.\)` directly/.test(l)), p.join('\n'));
    assert.ok(p.some((l) => /^7: function "c": name the context parameter/.test(l)), p.join('\n'));
  });

  it('every problem of a source is reported at once, in line order', () => {
    const p = problems(
      src(`export const a = wf.fn({ name: 'a' }, async (x: number, ctx) => { ctx.invoke(nope, 1); });
export const j = wf.join({ name: 'j', entryPoint: true } as any, async () => {});`),
    );
    assert.ok(p.length >= 2);
    assert.deepEqual([...p].sort((x, y) => parseInt(x) - parseInt(y)), p);
  });

  it('`export { wf as default }` is a default export too', () => {
    const r = analyzeSource(FILE, `import { workflow } from 'caribou-ts/sdk';\nconst wf = workflow({ name: 'w', version: '0.0.1' });\nexport const a = wf.fn({ name: 'a', entryPoint: true }, async () => {});\nexport { wf as default };\n`);
    assert.deepEqual(r.diagnostics, []);
  });

  it('an unreachable function gets no instance and is reported, not refused', () => {
    const r = analyzeSource(FILE, src(`export const a = wf.fn({ name: 'a', entryPoint: true }, async () => {});\nexport const lonely = wf.fn({ name: 'lonely' }, async () => {});`));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.unreachable, ['lonely']);
  });
});
