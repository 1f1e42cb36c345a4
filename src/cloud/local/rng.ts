import { mulberry32 } from '../../random/mulberry32';

/** A small seeded PRNG (mulberry32): the local cloud's randomness is reproducible from CARIBOU_LOCAL_SEED. */
export const seededRandom = mulberry32;

/** A 32-bit seed from a string or number (e.g. the CARIBOU_LOCAL_SEED value). */
export function seedOf(v: string | number): number {
  if (typeof v === 'number') return v >>> 0;
  if (/^\d+$/.test(v)) return Number(v) >>> 0;
  let h = 2166136261;
  for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 16777619);
  return h >>> 0;
}
