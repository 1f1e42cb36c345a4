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

function check(v: unknown, path: string, what: string, stack: Set<unknown>): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new NotJsonError(what, path, describe(v));
    return;
  }
  if (typeof v !== 'object') throw new NotJsonError(what, path, describe(v));
  if (stack.has(v)) throw new NotJsonError(what, path, 'a circular reference');
  stack.add(v);
  if (Array.isArray(v)) {
    // undefined inside an array would arrive as null
    for (let i = 0; i < v.length; i++) check(v[i], `${path}[${i}]`, what, stack);
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new NotJsonError(what, path, describe(v));
    for (const [k, x] of Object.entries(v)) {
      // an undefined property is simply absent after the trip, as TypeScript's optional fields expect
      if (x === undefined) continue;
      check(x, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, what, stack);
    }
  }
  stack.delete(v);
}

/**
 * Serialises a payload to JSON, refusing values that would not arrive as sent.
 * `undefined` (no payload) travels as null.
 */
export function toJson(value: unknown, what: string): string {
  if (value === undefined) return 'null';
  check(value, '$', what, new Set());
  return JSON.stringify(value);
}
