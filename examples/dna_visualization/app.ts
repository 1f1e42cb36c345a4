/**
 * dna_visualization: analyse and draw a bundled DNA sequence (a port of Caribou's paper benchmark).
 *
 *   visualize (a single function)
 *
 * It counts bases, computes GC content per window, finds open reading frames and renders
 * them as an SVG (Caribou's version drew a GenBank file with matplotlib and uploaded a PNG).
 */
import { workflow } from '../../sdk';
import { SEQUENCES } from './data';
import { baseCounts, findOrfs, gcWindows, renderSvg } from './dna';

const wf = workflow({ name: 'dna_visualization', version: '0.0.1' });

/** The entry payload. */
export interface Input {
  /** a bundled sequence: "sample" (default) */
  sequence?: string;
  /** or the bases themselves */
  bases?: string;
  /** GC window in bases (default 100) */
  window?: number;
  /** shortest open reading frame to draw, in codons (default 50) */
  min_orf_codons?: number;
}

export const visualize = wf.fn<Input>({ name: 'visualize', entryPoint: true }, async (input, ctx) => {
  const seq = input.bases ?? SEQUENCES[input.sequence ?? 'sample'];
  if (seq === undefined) throw new Error(`unknown sequence ${JSON.stringify(input.sequence)}; bundled: ${Object.keys(SEQUENCES).join(', ')}`);
  const window = Math.max(1, Math.floor(input.window ?? 100));
  const gc = gcWindows(seq, window);
  const orfs = findOrfs(seq, input.min_orf_codons ?? 50);
  const svg = renderSvg(seq.length, gc, orfs, window);
  const counts = baseCounts(seq);
  const result = {
    run_id: ctx.runId,
    length: seq.length,
    counts,
    gc_content: (counts.G + counts.C) / Math.max(1, seq.length - counts.N),
    gc_windows: gc.map((v) => Math.round(v * 1000) / 1000),
    orfs,
    svg,
  };
  console.log(JSON.stringify({ run_id: result.run_id, length: result.length, gc_content: result.gc_content, orfs: orfs.length, svg_bytes: svg.length }));
  return result;
});

export default wf;
