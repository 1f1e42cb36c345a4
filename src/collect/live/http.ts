import type { FetchLike } from '../options';

/** An HTTP failure of a live source, with the URL (never the auth token) in its message. */
export class LiveSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveSourceError';
  }
}

/** GETs JSON with a timeout; throws LiveSourceError on a network error, a non-2xx status or bad JSON. */
export async function getJson(fetch: FetchLike, url: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<unknown> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    let res;
    try {
      res = await fetch(url, { headers, signal: ctl.signal });
    } catch (e) {
      throw new LiveSourceError(`GET ${url} failed: ${ctl.signal.aborted ? `timed out after ${timeoutMs} ms` : (e as Error).message}`);
    }
    if (!res.ok) throw new LiveSourceError(`GET ${url} answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
    try {
      return await res.json();
    } catch (e) {
      throw new LiveSourceError(`GET ${url} returned invalid JSON: ${(e as Error).message}`);
    }
  } finally {
    clearTimeout(timer);
  }
}
