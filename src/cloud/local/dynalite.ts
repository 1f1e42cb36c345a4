import type { AddressInfo } from 'net';
import type { Server } from 'http';

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
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // keep-alive sockets of the SDK client would hold the server open
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
