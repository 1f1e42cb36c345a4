import { strict as assert } from 'assert';
import fc from 'fast-check';
import { AnalysisError, buildWorkflowConfig } from '../../../src/deploy/analyze';
import { FILE, MANIFEST } from './fixtures';


/** A random workflow shape: function i calls later functions through `sites[i]` (in source order). */
interface Shape {
  joins: boolean[];
  sites: number[][];
}

const shape: fc.Arbitrary<Shape> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    // f0 is the entry point and may not be a join
    joins: fc.tuple(fc.constant(false), ...Array.from({ length: n - 1 }, () => fc.boolean())).map((a) => a as boolean[]),
    sites: fc.tuple(...Array.from({ length: n }, (_, i) => (i === n - 1 ? fc.constant([] as number[]) : fc.array(fc.integer({ min: i + 1, max: n - 1 }), { maxLength: 3 })))).map((a) => a as number[][]),
  }),
);

/** The shape as workflow source: every site is one `ctx.invoke`, some of them conditional. */
function render(s: Shape, backEdge?: [number, number]): string {
  const lines = [`import { workflow } from '../../sdk';`, `const wf = workflow({ name: 'w', version: '0.0.1' });`];
  s.joins.forEach((join, i) => {
    const targets = [...s.sites[i]];
    if (backEdge && backEdge[0] === i) targets.push(backEdge[1]);
    const calls = targets.map((j, k) => `  ctx.invoke(f${j}, { k: ${k} }${k % 2 ? ', { conditional: p.k > 0 }' : ''});`).join('\n');
    const opts = `{ name: 'f${i}'${i === 0 ? ', entryPoint: true' : ''} }`;
    lines.push(join ? `export const f${i} = wf.join<{ k: number }>(${opts}, async (ctx) => {\n  const all = await ctx.predecessorData();\n  const p = all[0] ?? { k: 0 };\n${calls}\n});` : `export const f${i} = wf.fn<{ k: number }>(${opts}, async (p, ctx) => {\n${calls}\n});`);
  });
  lines.push('export default wf;');
  return lines.join('\n');
}

/** What the call-site contract says: instances per function, and slots per join. */
function expected(s: Shape): { instances: number[]; slots: number[] } {
  const n = s.joins.length;
  const instances = new Array<number>(n).fill(0);
  const slots = new Array<number>(n).fill(0);
  instances[0] = 1;
  for (let i = 0; i < n; i++) {
    if (s.joins[i]) instances[i] = slots[i] > 0 ? 1 : 0;
    for (const j of s.sites[i]) {
      if (s.joins[j]) slots[j] += instances[i];
      else instances[j] += instances[i];
    }
  }
  return { instances, slots };
}

describe('static DAG builder: properties over random DAGs (fast-check, seeded)', () => {
  it('one instance per call-site path, one slot per incoming call site, consistent edges, unique names', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const { config, unreachable } = buildWorkflowConfig(MANIFEST, FILE, render(s));
        const want = expected(s);
        const byFn = (i: number) => config.instances.filter((x) => x.function_name === `f${i}`);
        s.joins.forEach((join, i) => {
          assert.equal(byFn(i).length, want.instances[i], `instances of f${i}`);
          if (join && want.instances[i]) assert.equal(byFn(i)[0].join_slots?.length, want.slots[i], `slots of f${i}`);
        });
        assert.deepEqual(unreachable.sort(), s.joins.map((_, i) => i).filter((i) => want.instances[i] === 0).map((i) => `f${i}`).sort());
        const names = config.instances.map((x) => x.instance_name);
        assert.equal(new Set(names).size, names.length, 'instance names are unique');
        assert.ok(config.instances[0].instance_name.endsWith(':entry_point:0'));
        const byName = new Map(config.instances.map((x) => [x.instance_name, x]));
        for (const x of config.instances) {
          assert.equal(x.call_sites.length, s.sites[Number(x.function_name.slice(1))].length, `call sites of ${x.instance_name}`);
          for (const succ of x.succeeding_instances) assert.ok(byName.get(succ)?.preceding_instances.includes(x.instance_name), `${succ} lists ${x.instance_name} as predecessor`);
          for (const pred of x.preceding_instances) assert.ok(byName.get(pred)?.succeeding_instances.includes(x.instance_name));
        }
        // listing instances by index is a topological order
        const index = new Map(names.map((nm, k) => [nm, k]));
        for (const x of config.instances) for (const succ of x.succeeding_instances) assert.ok(index.get(succ)! > index.get(x.instance_name)!);
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });

  it('any back edge is refused as a cycle, with its line', () => {
    const withBack = shape
      .filter((s) => s.joins.length >= 2)
      .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 1, max: s.joins.length - 1 })).chain(([s2, from]) => fc.tuple(fc.constant(s2), fc.constant(from), fc.integer({ min: 1, max: from }))));
    fc.assert(
      fc.property(withBack, ([s, from, to]) => {
        // make `to` reach `from`, so that from → to closes a cycle
        const sites = s.sites.map((x) => [...x]);
        for (let k = to; k < from; k++) if (!sites[k].includes(k + 1)) sites[k].push(k + 1);
        sites[0].push(to);
        const text = render({ joins: s.joins, sites }, [from, to]);
        assert.throws(
          () => buildWorkflowConfig(MANIFEST, FILE, text),
          (e: unknown) => e instanceof AnalysisError && /cycle/.test(e.message) && /\/virtual\/app\.ts:\d+:\d+: /.test(e.message),
        );
      }),
      { seed: 20261122, numRuns: 200 },
    );
  });
});
