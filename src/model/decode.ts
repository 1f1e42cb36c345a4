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

/** Appends an object key to a path: `a.b` for plain keys, `a["odd key"]` for the rest (so a path is never ambiguous). */
export function joinKey(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function pathOf(context: t.Context): string {
  let out = '';
  for (const entry of context.slice(1)) {
    if (entry.key === '') continue;
    // union members and intersections repeat the same key with a numeric index
    if (/^\d+$/.test(entry.key)) {
      // the codec that appended this entry may be wrapped (t.exact(t.intersection(…)) keeps one context entry)
      let prev = context[context.indexOf(entry) - 1]?.type as unknown as { _tag?: string; type?: unknown } | undefined;
      while (prev && (prev._tag === 'ExactType' || prev._tag === 'ReadonlyType' || prev._tag === 'RefinementType') && prev.type) prev = prev.type as typeof prev;
      if (prev && (prev._tag === 'UnionType' || prev._tag === 'IntersectionType')) continue;
      out += `[${entry.key}]`;
    } else {
      out = joinKey(out, entry.key);
    }
  }
  return out;
}

/**
 * Says what a codec expects in plain words: io-ts names composite types with type syntax
 * (`{| a: string |}`, `Array<…>`, `(A | null)`); users should read "a mapping", "a list of …".
 */
export function plainExpected(name: string): string {
  const n = name.trim();
  const simple: Record<string, string> = { string: 'a string', number: 'a number', boolean: 'true or false', null: 'null (or nothing)', undefined: 'nothing', UnknownRecord: 'a mapping' };
  if (simple[n]) return simple[n];
  if (n.startsWith('Array<') && n.endsWith('>')) {
    const inner = plainExpected(n.slice(6, -1));
    return /^(a|an) /.test(inner) ? `a list of ${inner.replace(/^an? /, '')}s` : `a list, each ${inner}`;
  }
  if (n.startsWith('{') || n.startsWith('Partial<') || n.startsWith('Exact<') || n.startsWith('(') || n.includes('{|') || n.startsWith('{ [K in')) return 'a mapping';
  return n;
}

const NULL_WORDS = plainExpected('null');

/** Converts io-ts errors into path-addressed problems, most specific first, without duplicates. */
export function problemsOf(errors: t.Errors): Problem[] {
  const seen = new Map<string, Problem>();
  for (const e of errors) {
    const path = pathOf(e.context);
    const last = e.context[e.context.length - 1];
    const expected = plainExpected(e.message ?? last?.type.name ?? 'a valid value');
    const prior = seen.get(path);
    if (prior) {
      // `T | null` fields: "or null" adds nothing when T was named (leaving the field out is fine anyway)
      if (expected === NULL_WORDS) continue;
      if (prior.expected === NULL_WORDS) prior.expected = expected;
      else if (!prior.expected.split(' or ').includes(expected)) prior.expected = `${prior.expected} or ${expected}`;
      continue;
    }
    seen.set(path, { path, expected, found: show(e.value) });
  }
  // A problem at a path whose children also have problems is noise (e.g. "expected null" from a
  // `T | null` union whose T member already named the bad field); keep the specific ones.
  const all = [...seen.values()];
  return all.filter((p) => !all.some((q) => q !== p && (p.path === '' ? q.path !== '' : q.path.startsWith(p.path + '.') || q.path.startsWith(p.path + '['))));
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

/**
 * Problems for keys a codec does not know, anywhere in `value` (io-ts `exact` types strip them
 * silently, which hides typos such as `home_regin` or a constraint named `co2`). Walks the
 * codec's structure: exact/interface/partial/intersection/union/array/record.
 */
export function unknownKeyProblems(codec: t.Mixed, value: unknown, path = ''): Problem[] {
  const out: Problem[] = [];
  walk(codec, value, path, out);
  return out;
}

type AnyCodec = t.Mixed & { _tag?: string; type?: t.Mixed; types?: t.Mixed[]; props?: t.Props; codomain?: t.Mixed };

function walk(codec: t.Mixed, value: unknown, path: string, out: Problem[]): void {
  const c = codec as AnyCodec;
  if (value === null || typeof value !== 'object') return;
  switch (c._tag) {
    case 'ExactType':
    case 'InterfaceType':
    case 'PartialType':
    case 'IntersectionType': {
      if (Array.isArray(value)) return;
      const props = propsOf(c);
      if (!props) return;
      const known = Object.keys(props);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const at = joinKey(path, k);
        if (!(k in props)) out.push({ path: at, expected: `one of the keys ${known.join(', ')}`, found: `an unknown key ${JSON.stringify(k)}` });
        else walk(props[k], v, at, out);
      }
      return;
    }
    case 'UnionType': {
      // follow the first member that accepts objects of this shape (T in `T | null`)
      const member = (c.types ?? []).find((m) => (Array.isArray(value) ? (m as AnyCodec)._tag === 'ArrayType' : propsOf(m as AnyCodec) !== null || (m as AnyCodec)._tag === 'DictionaryType'));
      if (member) walk(member, value, path, out);
      return;
    }
    case 'ArrayType':
      if (Array.isArray(value) && c.type) value.forEach((v, i) => walk(c.type!, v, `${path}[${i}]`, out));
      return;
    case 'DictionaryType':
      if (!Array.isArray(value) && c.codomain) for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(c.codomain, v, joinKey(path, k), out);
      return;
    case 'RefinementType':
    case 'ReadonlyType':
      if (c.type) walk(c.type, value, path, out);
      return;
    default:
      return;
  }
}

/** The properties an object codec knows (merged over intersections), or null if it is not one. */
function propsOf(c: AnyCodec): t.Props | null {
  switch (c._tag) {
    case 'ExactType':
    case 'ReadonlyType':
      return c.type ? propsOf(c.type as AnyCodec) : null;
    case 'InterfaceType':
    case 'PartialType':
      return c.props ?? null;
    case 'IntersectionType': {
      const merged: t.Props = {};
      for (const m of c.types ?? []) {
        const p = propsOf(m as AnyCodec);
        if (!p) return null;
        for (const [k, v] of Object.entries(p)) if (!(k in merged)) merged[k] = v;
      }
      return merged;
    }
    default:
      return null;
  }
}
