import * as fs from 'fs';
import * as path from 'path';
import type { FetchLike } from '../../src/collect/options';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'live');

/** Reads a recorded live response. */
export function fixture(rel: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8'));
}

/** What a fake endpoint answers: a JSON body, an HTTP status, a body that is not JSON, or a network error. */
export type Answer = { json: unknown } | { status: number } | { notJson: true } | { networkError: string };

/** A fetch that answers from a routing function and records every URL asked for; never touches the network. */
export function fakeFetch(route: (url: string) => Answer | undefined): FetchLike & { calls: string[]; headers: Array<Record<string, string>> } {
  const calls: string[] = [];
  const headers: Array<Record<string, string>> = [];
  const f = (async (url: string, init?: { headers?: Record<string, string> }) => {
    calls.push(url);
    headers.push(init?.headers ?? {});
    const a = route(url) ?? { status: 404 };
    if ('networkError' in a) throw new Error(a.networkError);
    if ('status' in a) return { ok: false, status: a.status, statusText: 'Error', json: async () => ({}) };
    if ('notJson' in a) return { ok: true, status: 200, json: async () => JSON.parse('<html>maintenance</html>') };
    return { ok: true, status: 200, json: async () => structuredClone(a.json) };
  }) as FetchLike & { calls: string[]; headers: Array<Record<string, string>> };
  f.calls = calls;
  f.headers = headers;
  return f;
}
