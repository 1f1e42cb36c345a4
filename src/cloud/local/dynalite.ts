import type { AddressInfo } from 'net';
import type { Server } from 'http';
import * as path from 'path';
import { CorruptStateError } from '../../model/errors';
import { startAfresh } from './leveldb-check';

/** The LevelDB folders of the dynalites running in this process (to name one in an error). */
const openDirs = new Set<string>();

/**
 * dynalite throws LevelDB failures (a damaged table file found on read, a store that failed to
 * open) from inside its request callbacks, where no caller can catch them: the CLI turns such
 * an uncaught error into this worded one (which file, what, how to start afresh).
 */
export function levelDbFailure(err: unknown): CorruptStateError | undefined {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  const isLevel = (typeof e?.code === 'string' && e.code.startsWith('LEVEL_')) || message === 'Database is closed';
  if (!isLevel || openDirs.size === 0) return undefined;
  const dirs = [...openDirs];
  const named = dirs.map((d) => new RegExp(`${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[/\\][^\s:]+`).exec(message)?.[0]).find(Boolean);
  const dir = dirs[0];
  const file = named ?? dir;
  const problem = message === 'Database is closed' ? 'the table store could not be opened (a table file is missing or damaged)' : `LevelDB found it damaged (${message})`;
  return new CorruptStateError(file, problem, startAfresh(path.dirname(dir)));
}

/** A running embedded DynamoDB-protocol server. */
export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite in this process on a free loopback port. With `dir` its tables persist in
 * a LevelDB there; without, they live in memory. Tables are created and deleted instantly
 * (dynalite's default keeps them CREATING for 500 ms, which only slows the tests).
 */
export async function startDynalite(dir?: string): Promise<EmbeddedDynamo> {
  // dynalite ships no types; its factory returns an http.Server
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (dir) openDirs.add(dir);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // keep-alive sockets of the SDK client would hold the server open
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((err) => {
          if (dir) openDirs.delete(dir);
          return err ? reject(err) : resolve();
        });
      }),
  };
}
