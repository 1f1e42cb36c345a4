/** Word counting shared by the mappers, reducers and the example's tests (a direct count to check against). */

/** The words of a text: lower-case runs of letters, digits and apostrophes. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

/** Counts each word of `text`. */
export function countWords(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of words(text)) counts[w] = (counts[w] ?? 0) + 1;
  return counts;
}

/** Adds `b`'s counts into `a` (in place) and returns `a`. */
export function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  for (const [w, n] of Object.entries(b)) a[w] = (a[w] ?? 0) + n;
  return a;
}

/** Which of the reducers a word goes to: words starting a–m to 0, the rest to 1. */
export function partitionOf(word: string): 0 | 1 {
  return word[0] <= 'm' ? 0 : 1;
}
