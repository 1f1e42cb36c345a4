/**
 * Payloads cross process and region boundaries as JSON. JSON.stringify silently drops or
 * mangles many JavaScript values (functions, undefined in arrays, NaN, Dates, Maps, class
 * instances), so a payload that would not arrive as sent is refused with the path of the
 * first offending value instead of being delivered damaged.
 */

/** A value that does not survive a JSON round trip. */
export class NotJsonError extends Error {
  constructor(readonly what: string, readonly path: string, readonly found: string) {
    super(`${what} is not JSON: ${path} is ${found} (payloads must be null, booleans, finite numbers, strings, arrays or plain objects)`);
    this.name = 'NotJsonError';
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `a bigint (${v}n)`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (v instanceof Date) return 'a Date (send date.toISOString())';
  if (v instanceof Map) return 'a Map (send Object.fromEntries(map))';
  if (v instanceof Set) return 'a Set (send [...set])';
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return 'binary data (send base64 text)';
  const ctor = (v as object).constructor?.name;
  return ctor ? `an instance of ${ctor}` : 'an object that is not plain';
}

/**
 * How deeply a payload may nest. JSON.stringify and most readers recurse, so a payload a few
 * thousand levels deep overflows the stack somewhere along its way; real payloads are a few
 * levels deep. Refusing early names the problem instead of "Maximum call stack size exceeded".
 */
export const MAX_PAYLOAD_DEPTH = 512;

const key = (path: string, k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`);

/** Walks the value with an explicit stack (no recursion, so any depth is checked safely). */
function check(root: unknown, what: string): void {
  // `exit` entries leave an object: it is then no longer an ancestor (a repeated, non-circular reference is fine)
  const todo: Array<{ v: unknown; path: string; depth: number } | { exit: object }> = [{ v: root, path: '$', depth: 0 }];
  const ancestors = new Set<object>();
  while (todo.length > 0) {
    const item = todo.pop()!;
    if ('exit' in item) {
      ancestors.delete(item.exit);
      continue;
    }
    const { v, path, depth } = item;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new NotJsonError(what, path, describe(v));
      continue;
    }
    if (typeof v !== 'object') throw new NotJsonError(what, path, describe(v));
    if (ancestors.has(v)) throw new NotJsonError(what, path, 'a circular reference');
    if (depth >= MAX_PAYLOAD_DEPTH) throw new NotJsonError(what, path.length > 60 ? `${path.slice(0, 57)}...` : path, `nested deeper than ${MAX_PAYLOAD_DEPTH} levels (flatten it, or send it as a string)`);
    ancestors.add(v);
    todo.push({ exit: v });
    const children: Array<{ v: unknown; path: string; depth: number }> = [];
    if (Array.isArray(v)) {
      // undefined inside an array would arrive as null
      for (let i = 0; i < v.length; i++) children.push({ v: v[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new NotJsonError(what, path, describe(v));
      // an undefined property is simply absent after the trip, as TypeScript's optional fields expect
      for (const [k, x] of Object.entries(v)) if (x !== undefined) children.push({ v: x, path: key(path, k), depth: depth + 1 });
    }
    // reversed onto the stack: the first offending value in document order is the one named
    for (let i = children.length - 1; i >= 0; i--) todo.push(children[i]!);
  }
}

/**
 * Serialises a payload to JSON, refusing values that would not arrive as sent.
 * `undefined` (no payload) travels as null.
 */
export function toJson(value: unknown, what: string): string {
  if (value === undefined) return 'null';
  check(value, what);
  return JSON.stringify(value);
}
