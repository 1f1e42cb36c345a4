/**
 * small_sync_example: two joins, one fed twice by the same function.
 *
 *   initial_function ──site 0──▶ syncFunction ──site 0──▶ secondSyncFunction
 *                    ──site 1──▶ syncFunction
 *                    ──site 2──────────────────────────▶ secondSyncFunction
 *
 * syncFunction has two slots (both from initial_function); secondSyncFunction has two
 * (initial_function's site 2 and syncFunction's site 0).
 */
import { workflow } from '../../sdk';

const wf = workflow({ name: 'small_sync_example', version: '0.0.1' });

/** The entry payload: a message and a number. */
export interface Start {
  message: string;
  number?: number;
}

/** What each predecessor hands a join. */
export interface Part {
  from: string;
  value: number;
  text: string;
}

export const initialFunction = wf.fn<Start | null>({ name: 'initial_function', entryPoint: true }, async (input, ctx) => {
  // `caribou run` without -a sends null: run with defaults rather than fail
  const message = input?.message ?? 'hello caribou';
  const n = input?.number ?? 1;
  ctx.invoke(syncFunction, { from: 'initial_function#0', value: n, text: message.toUpperCase() });
  ctx.invoke(syncFunction, { from: 'initial_function#1', value: n * 2, text: [...message].reverse().join('') });
  // skipped when the number is negative: the second join then only waits for syncFunction
  ctx.invoke(secondSyncFunction, { from: 'initial_function#2', value: n * 3, text: message }, { conditional: n >= 0 });
});

export const syncFunction = wf.join<Part>({ name: 'syncFunction' }, async (ctx) => {
  const parts = await ctx.predecessorData();
  const value = parts.reduce((s, p) => s + p.value, 0);
  ctx.invoke(secondSyncFunction, { from: 'syncFunction', value, text: parts.map((p) => p.text).join(' | ') });
});

export const secondSyncFunction = wf.join<Part>({ name: 'secondSyncFunction' }, async (ctx) => {
  const parts = await ctx.predecessorData();
  const result = { run_id: ctx.runId, total: parts.reduce((s, p) => s + p.value, 0), from: parts.map((p) => p.from) };
  console.log(JSON.stringify(result));
  return result;
});

export default wf;
