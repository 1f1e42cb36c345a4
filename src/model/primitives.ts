import * as t from 'io-ts';
import { show } from './decode';

/** A codec for values of `base` that satisfy `ok`; `expected` is how errors describe a valid value. */
export function refined<A, O>(base: t.Type<A, O, unknown>, ok: (a: A) => boolean, expected: string): t.Type<A, O, unknown> {
  return new t.Type<A, O, unknown>(
    expected,
    (u): u is A => base.is(u) && ok(u),
    (u, c) => {
      const r = base.validate(u, c);
      if (r._tag === 'Left') return t.failure(u, c, expected);
      return ok(r.right) ? r : t.failure(u, c, expected);
    },
    base.encode,
  );
}

/** A string-literal union whose errors read "one of a, b, c". */
export function oneOf<K extends string>(values: readonly K[]): t.Type<K, K, unknown> {
  const set = new Set<string>(values);
  return new t.Type<K, K, unknown>(
    `one of ${values.join(', ')}`,
    (u): u is K => typeof u === 'string' && set.has(u),
    (u, c) => (typeof u === 'string' && set.has(u) ? t.success(u as K) : t.failure(u, c, `one of ${values.join(', ')}`)),
    t.identity,
  );
}

export const NonEmptyString = refined(t.string, (s) => s.length > 0, 'a non-empty string');
export const NonNegative = refined(t.number, (n) => Number.isFinite(n) && n >= 0, 'a finite number ≥ 0');
export const Probability = refined(t.number, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');
export const Integer = refined(t.number, (n) => Number.isInteger(n), 'an integer');

/** An integer within [lo, hi], described with its unit in errors. */
export function intInRange(lo: number, hi: number, unit = ''): t.Type<number, number, unknown> {
  return refined(t.number, (n) => Number.isInteger(n) && n >= lo && n <= hi, `an integer from ${lo} to ${hi}${unit ? ' ' + unit : ''}`);
}

/** An ISO-8601 timestamp string (e.g. 2026-11-22T00:00:00.000Z). */
export const IsoTime = refined(t.string, (s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'an ISO-8601 time');

/** An hour key: "0" … "23". Compared as numbers, never as strings. */
export const HourKey = refined(t.string, (s) => /^(?:[0-9]|1[0-9]|2[0-3])$/.test(s), 'an hour key "0" to "23"');

/** Workflow name: 1–25 characters [A-Za-z0-9_]. */
export const WorkflowName = refined(t.string, (s) => /^[A-Za-z0-9_]{1,25}$/.test(s), '1 to 25 characters of A-Z, a-z, 0-9 or _');
/** Workflow version: 1–10 characters of digits and dots. */
export const WorkflowVersion = refined(t.string, (s) => /^[0-9.]{1,10}$/.test(s) && /[0-9]/.test(s), '1 to 10 characters of digits and dots, e.g. "0.0.1"');
/** Function name: 1–20 characters [A-Za-z0-9_]. */
export const FunctionName = refined(t.string, (s) => /^[A-Za-z0-9_]{1,20}$/.test(s), '1 to 20 characters of A-Z, a-z, 0-9 or _');
/** Workflow id `<name>-<version>`. */
export const WorkflowId = refined(t.string, (s) => /^[A-Za-z0-9_]{1,25}-[0-9.]{1,10}$/.test(s), 'a workflow id <name>-<version>, e.g. "map_reduce-0.0.1"');
/** An AWS region code such as us-east-1. */
export const RegionCode = refined(t.string, (s) => /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(s), 'an AWS region code such as "us-east-1"');

/** Physical Lambda function name for a function of a workflow in a region; at most 64 chars. */
export function physicalFunctionName(workflowName: string, version: string, fn: string, region: string): string {
  return `${workflowName}-${version.replace(/\./g, '_')}-${fn}_aws-${region}`;
}

export { show };
