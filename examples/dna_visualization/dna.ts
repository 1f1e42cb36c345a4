/** DNA sequence analysis and an SVG rendering of it: base counts, GC content, open reading frames. */

/** An open reading frame: ATG … stop codon, in one of the three forward frames. */
export interface Orf {
  start: number;
  end: number;
  frame: number;
}

/** Counts of A, C, G, T (and anything else as N). */
export function baseCounts(seq: string): Record<'A' | 'C' | 'G' | 'T' | 'N', number> {
  const c = { A: 0, C: 0, G: 0, T: 0, N: 0 };
  for (const b of seq.toUpperCase()) {
    if (b === 'A' || b === 'C' || b === 'G' || b === 'T') c[b]++;
    else c.N++;
  }
  return c;
}

/** GC share of each window of `size` bases (the last window may be shorter). */
export function gcWindows(seq: string, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < seq.length; i += size) {
    const w = seq.slice(i, i + size).toUpperCase();
    let gc = 0;
    for (const b of w) if (b === 'G' || b === 'C') gc++;
    out.push(gc / w.length);
  }
  return out;
}

/** Open reading frames of at least `minCodons` codons in the three forward frames. */
export function findOrfs(seq: string, minCodons: number): Orf[] {
  const s = seq.toUpperCase();
  const stops = new Set(['TAA', 'TAG', 'TGA']);
  const orfs: Orf[] = [];
  for (let frame = 0; frame < 3; frame++) {
    let start = -1;
    for (let i = frame; i + 3 <= s.length; i += 3) {
      const codon = s.slice(i, i + 3);
      if (start < 0 && codon === 'ATG') start = i;
      else if (start >= 0 && stops.has(codon)) {
        if ((i - start) / 3 >= minCodons) orfs.push({ start, end: i + 3, frame });
        start = -1;
      }
    }
  }
  return orfs.sort((a, b) => a.start - b.start);
}

/** Renders GC content as bars and ORFs as arrows along the sequence, as an SVG document. */
export function renderSvg(length: number, gc: number[], orfs: Orf[], window: number): string {
  const width = 800;
  const scale = width / length;
  const bars = gc
    .map((v, i) => {
      const h = Math.round(v * 100);
      return `<rect x="${(i * window * scale).toFixed(1)}" y="${120 - h}" width="${Math.max(1, window * scale - 1).toFixed(1)}" height="${h}" fill="${v > 0.55 ? '#c0392b' : v < 0.45 ? '#2980b9' : '#7f8c8d'}"/>`;
    })
    .join('');
  const arrows = orfs
    .map((o) => `<rect x="${(o.start * scale).toFixed(1)}" y="${135 + o.frame * 12}" width="${((o.end - o.start) * scale).toFixed(1)}" height="8" fill="#27ae60"><title>ORF ${o.start}-${o.end} frame ${o.frame}</title></rect>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="180" viewBox="0 0 ${width} 180"><line x1="0" y1="120" x2="${width}" y2="120" stroke="#000"/>${bars}${arrows}</svg>`;
}
