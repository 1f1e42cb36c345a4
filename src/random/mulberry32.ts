/**
 * mulberry32: the one small seeded PRNG of the project (local cloud delivery, solver search,
 * fixtures and tests), so every seeded result is reproducible from its seed.
 */

/** One step on a uint32 state: [value in [0, 1), next state]. The state is a plain number, so a search can store it as JSON. */
export function mulberry32Step(state: number): [number, number] {
  const a = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, a];
}

/** A seeded generator of values in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    const [v, next] = mulberry32Step(s);
    s = next;
    return v;
  };
}
