/** A small seeded PRNG (mulberry32): the local cloud's randomness is reproducible from CARIBOU_LOCAL_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string or number (e.g. the CARIBOU_LOCAL_SEED value). */
export function seedOf(v: string | number): number {
  if (typeof v === 'number') return v >>> 0;
  if (/^\d+$/.test(v)) return Number(v) >>> 0;
  let h = 2166136261;
  for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 16777619);
  return h >>> 0;
}
