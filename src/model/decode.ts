import * as t from 'io-ts';
import { isLeft } from 'fp-ts/Either';

/** One problem found while decoding: where, what was expected, what was found. */
export interface Problem {
  path: string;
  expected: string;
  found: string;
}

/** Thrown when a record does not decode; `problems` lists every problem at once. */
export class DecodeError extends Error {
  constructor(readonly what: string, readonly problems: Problem[]) {
    super(`${what} is invalid:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'DecodeError';
  }
}

/** Renders one problem as `path: expected X; got Y`. */
export function formatProblem(p: Problem): string {
  return `${p.path || '(root)'}: expected ${p.expected}; got ${p.found}`;
}

/** Renders a value briefly for error messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function pathOf(context: t.Context): string {
  let out = '';
  for (const entry of context.slice(1)) {
    if (entry.key === '') continue;
    // union members and intersections repeat the same key with a numeric index
    const parentType = entry.type as unknown as { _tag?: string };
    if (/^\d+$/.test(entry.key)) {
      const prev = context[context.indexOf(entry) - 1]?.type as unknown as { _tag?: string };
      if (prev && (prev._tag === 'UnionType' || prev._tag === 'IntersectionType')) continue;
      out += `[${entry.key}]`;
    } else {
      out += out ? `.${entry.key}` : entry.key;
    }
    void parentType;
  }
  return out;
}

/** Converts io-ts errors into path-addressed problems, most specific first, without duplicates. */
export function problemsOf(errors: t.Errors): Problem[] {
  const seen = new Map<string, Problem>();
  for (const e of errors) {
    const path = pathOf(e.context);
    const last = e.context[e.context.length - 1];
    const expected = e.message ?? last?.type.name ?? 'a valid value';
    const key = path;
    const prior = seen.get(key);
    if (prior) {
      if (!prior.expected.split(' or ').includes(expected)) prior.expected = `${prior.expected} or ${expected}`;
      continue;
    }
    seen.set(key, { path, expected, found: show(e.value) });
  }
  // a problem reported at a path whose child paths also have problems is noise
  const all = [...seen.values()];
  return all.filter((p) => !all.some((q) => q !== p && p.path !== '' && q.path.startsWith(p.path + '.') && p.found !== 'nothing'));
}

/** Decodes `value` with `codec` or throws a DecodeError naming every problem. */
export function decodeOrThrow<A, O>(codec: t.Type<A, O, unknown>, value: unknown, what: string): A {
  const r = codec.decode(value);
  if (isLeft(r)) throw new DecodeError(what, problemsOf(r.left));
  return r.right;
}

/** Decodes `value`, returning either the value or the list of problems. */
export function decodeResult<A, O>(codec: t.Type<A, O, unknown>, value: unknown): { ok: true; value: A } | { ok: false; problems: Problem[] } {
  const r = codec.decode(value);
  return isLeft(r) ? { ok: false, problems: problemsOf(r.left) } : { ok: true, value: r.right };
}
