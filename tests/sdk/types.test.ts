import { strict as assert } from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const SDK = path.resolve(__dirname, '..', '..', 'sdk').replace(/\\/g, '/');

const OPTIONS: ts.CompilerOptions = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, noEmit: true, skipLibCheck: true, types: ['node'] };
// Parsed library and SDK files are shared between the programs of this suite (parsing them dominates).
const HOST = ts.createCompilerHost(OPTIONS);
const parsed = new Map<string, ts.SourceFile | undefined>();
const getSourceFile = HOST.getSourceFile.bind(HOST);
HOST.getSourceFile = (name, lang, onError, fresh) => {
  if (name.includes('caribou-types-')) return getSourceFile(name, lang, onError, fresh);
  if (!parsed.has(name)) parsed.set(name, getSourceFile(name, lang, onError, fresh));
  return parsed.get(name);
};

/** Type-checks one workflow module (strict, as the project's tsconfig) and returns its error diagnostics as `line: text`. */
async function typeErrors(body: string): Promise<string[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-types-'));
  const file = path.join(dir, 'app.ts');
  await fs.writeFile(file, `import { workflow } from '${SDK}';\nconst wf = workflow({ name: 'w', version: '0.0.1' });\n${body}\nexport default wf;\n`);
  const program = ts.createProgram({ rootNames: [file], options: OPTIONS, host: HOST });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

const FUNCTIONS = `
interface Order { id: string; qty: number }
export const ship = wf.fn<Order>({ name: 'ship' }, async (order) => order.qty);
export const tally = wf.join<{ total: number }>({ name: 'tally' }, async (ctx) => {
  const parts = await ctx.predecessorData();
  return parts.reduce((s, p) => s + p.total, 0);
});
`;

describe('SDK: payload types are checked end to end', function () {
  this.timeout(60000);

  it('the right payloads compile', async () => {
    const errors = await typeErrors(`${FUNCTIONS}
export const start = wf.fn<{ n: number }>({ name: 'start', entryPoint: true }, async (input, ctx) => {
  ctx.invoke(ship, { id: 'a', qty: input.n });
  ctx.invoke(tally, { total: input.n }, { conditional: input.n > 0 });
  const id: string = ctx.runId;
});`);
    assert.deepEqual(errors, []);
  });

  it('a wrong payload for a successor is a compile error at the call site', async () => {
    const errors = await typeErrors(`${FUNCTIONS}
export const start = wf.fn<{ n: number }>({ name: 'start', entryPoint: true }, async (input, ctx) => {
  ctx.invoke(ship, { id: 'a', qty: 'many' });
  ctx.invoke(ship, { id: 'a' });
  ctx.invoke(tally, { sum: 1 });
});`);
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.match(errors[0], /^12: .*Type 'string' is not assignable to type 'number'/);
    assert.match(errors[1], /^13: .*Property 'qty' is missing/);
    assert.match(errors[2], /^14: .*'sum' does not exist in type '\{ total: number; \}'/);
  });

  it('only a join has predecessorData, and a join cannot be marked as the entry point', async () => {
    const errors = await typeErrors(`${FUNCTIONS}
export const start = wf.fn({ name: 'start', entryPoint: true }, async (input: unknown, ctx) => {
  await ctx.predecessorData();
});
export const bad = wf.join({ name: 'bad', entryPoint: true }, async () => {});`);
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(errors[0], /^12: .*'predecessorData' does not exist/);
    assert.match(errors[1], /^14: .*'entryPoint' does not exist/);
  });
});
