/**
 * map_reduce: word count over a bundled text (a port of Caribou's map_reduce benchmark).
 *
 *   input_processor ──6 call sites (1 + 5 conditional)──▶ mapper ──▶ shuffler (join)
 *   shuffler ──2 call sites (2nd conditional)──▶ reducer ──▶ output_processor (join)
 *
 * The input is split into line-aligned shards; one mapper per shard (at most 6) counts words;
 * the shuffler merges the counts and partitions words a–m / n–z between two reducers; the
 * output processor merges both partitions. Unlike Caribou's shuffler, no mapper's counts are
 * dropped when there are more than four.
 */
import { workflow } from '../../sdk';
import { DOCUMENTS } from './data';
import { addCounts, countWords, partitionOf } from './words';

const wf = workflow({ name: 'map_reduce', version: '0.0.1' });

/** The entry payload. */
export interface Input {
  /** a bundled document: "reviews" (default) or "pangrams" */
  document?: string;
  /** or the text itself */
  text?: string;
  /** the most mappers to use, 1–6 (default 6) */
  max_workers?: number;
  /** characters per shard before another mapper is used (default 400) */
  shard_chars?: number;
}
/** One mapper's share of the input. */
export interface Shard {
  shard: number;
  of: number;
  text: string;
}
/** A mapper's word counts. */
export interface ShardCounts {
  shard: number;
  counts: Record<string, number>;
}
/** One reducer's partition of the merged counts. */
export interface Partition {
  partition: number;
  counts: Record<string, number>;
}
/** A reducer's result. */
export interface Reduced {
  partition: number;
  counts: Record<string, number>;
  words: number;
}

const MAX_MAPPERS = 6;

/** Splits text into `n` shards of whole lines, as even in characters as lines allow. */
export function shardText(text: string, n: number): string[] {
  const lines = text.split('\n');
  const target = text.length / n;
  const shards: string[][] = [[]];
  let size = 0;
  for (const line of lines) {
    if (size >= target * shards.length && shards.length < n) shards.push([]);
    shards[shards.length - 1].push(line);
    size += line.length + 1;
  }
  while (shards.length < n) shards.push([]);
  return shards.map((s) => s.join('\n'));
}

export const inputProcessor = wf.fn<Input>({ name: 'input_processor', entryPoint: true }, async (input, ctx) => {
  const text = input.text ?? DOCUMENTS[input.document ?? 'reviews'];
  if (text === undefined) throw new Error(`unknown document ${JSON.stringify(input.document)}; bundled: ${Object.keys(DOCUMENTS).join(', ')}`);
  const cap = Math.min(MAX_MAPPERS, Math.max(1, Math.floor(input.max_workers ?? MAX_MAPPERS)));
  const workers = Math.min(cap, Math.max(1, Math.ceil(text.length / (input.shard_chars ?? 400))));
  const shards = shardText(text, workers);
  const shard = (i: number): Shard => ({ shard: i, of: workers, text: shards[i] ?? '' });
  // Unrolled fan-out: each line is one call site, so one mapper instance; unused ones are skipped.
  ctx.invoke(mapper, shard(0));
  ctx.invoke(mapper, shard(1), { conditional: workers > 1 });
  ctx.invoke(mapper, shard(2), { conditional: workers > 2 });
  ctx.invoke(mapper, shard(3), { conditional: workers > 3 });
  ctx.invoke(mapper, shard(4), { conditional: workers > 4 });
  ctx.invoke(mapper, shard(5), { conditional: workers > 5 });
});

export const mapper = wf.fn<Shard>({ name: 'mapper' }, async (shard, ctx) => {
  ctx.invoke(shuffler, { shard: shard.shard, counts: countWords(shard.text) });
});

export const shuffler = wf.join<ShardCounts>({ name: 'shuffler' }, async (ctx) => {
  const parts = await ctx.predecessorData();
  const merged: Record<string, number> = {};
  for (const p of parts) addCounts(merged, p.counts);
  const partitions: [Record<string, number>, Record<string, number>] = [{}, {}];
  for (const [w, n] of Object.entries(merged)) partitions[partitionOf(w)][w] = n;
  ctx.invoke(reducer, { partition: 0, counts: partitions[0] });
  ctx.invoke(reducer, { partition: 1, counts: partitions[1] }, { conditional: Object.keys(partitions[1]).length > 0 });
});

export const reducer = wf.fn<Partition>({ name: 'reducer' }, async (part, ctx) => {
  const sorted = Object.fromEntries(Object.entries(part.counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const total = Object.values(sorted).reduce((s, n) => s + n, 0);
  ctx.invoke(outputProcessor, { partition: part.partition, counts: sorted, words: total });
});

export const outputProcessor = wf.join<Reduced>({ name: 'output_processor' }, async (ctx) => {
  const parts = await ctx.predecessorData();
  const counts: Record<string, number> = {};
  for (const p of parts) addCounts(counts, p.counts);
  const top = Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, 10);
  const result = { run_id: ctx.runId, total_words: parts.reduce((s, p) => s + p.words, 0), distinct_words: Object.keys(counts).length, top, counts };
  console.log(JSON.stringify({ run_id: result.run_id, total_words: result.total_words, distinct_words: result.distinct_words, top }));
  return result;
});

export default wf;
