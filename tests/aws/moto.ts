import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { createAwsCloud, type AwsCloud } from '../../src/cloud/aws';

/**
 * One moto_server per test run, on a free loopback port, started by the first suite that
 * needs it and stopped when mocha finishes (a root-level `after`, plus a process exit hook
 * in case mocha is interrupted). Suites call `useMoto(this)` in their `before`.
 *
 * - CARIBOU_MOTO_ENDPOINT=http://host:port uses an already running moto instead.
 * - Without moto_server on PATH: in CI (CI=true) the suite fails; elsewhere it is skipped
 *   with a message saying how to run it.
 *
 * Requests reach moto through a small proxy that forwards them one at a time. moto's server
 * handles requests in parallel threads and its DynamoDB does not lock an item between a
 * condition check and the write: with 8 concurrent conditional writers on one attribute,
 * 5 of 100 items got two winners (measured here). Real DynamoDB applies a conditional write
 * to one item atomically, and that is what the join protocol relies on, so the proxy gives
 * moto the same per-request atomicity. The clients still send concurrently, so requests
 * interleave at request granularity as they do against DynamoDB. CARIBOU_MOTO_PARALLEL=1
 * turns the proxy off (to see moto's race for yourself).
 */

export interface Moto {
  endpoint: string;
  /** Forgets every resource (moto's reset API), so suites do not see each other's leftovers. */
  reset(): Promise<void>;
}

/** moto's fixed account id. */
export const MOTO_ACCOUNT = '123456789012';

const HOW_TO = "install moto's server (`pip install 'moto[server]'`, which puts moto_server on PATH), then `npm run test:aws`";

/** $1 moto_server, $2 port, $3 the test process: run moto while both live; exit with moto's status. */
const WATCHDOG = `"$1" -H 127.0.0.1 -p "$2" & m=$!
trap 'kill $m 2>/dev/null; wait $m; exit 0' TERM INT
while kill -0 "$3" 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 1; done
kill $m 2>/dev/null
wait $m`;

let child: ChildProcess | undefined;
let proxy: http.Server | undefined;
let starting: Promise<Moto | undefined> | undefined;
let warned = false;
let unusable: string | undefined;

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(endpoint: string, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited with code ${proc.exitCode}:\n${output()}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s:\n${output()}`);
}

function motoOf(endpoint: string): Moto {
  return {
    endpoint,
    reset: async () => {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`moto reset failed: HTTP ${r.status}`);
    },
  };
}

async function start(): Promise<Moto | undefined> {
  if (process.env.CARIBOU_MOTO_ENDPOINT) return motoOf(process.env.CARIBOU_MOTO_ENDPOINT.replace(/\/$/, ''));
  const bin = onPath('moto_server');
  if (!bin) {
    if (process.env.CI === 'true') throw new Error(`moto_server is not on PATH, and CI=true requires the AWS integration suite: ${HOW_TO}`);
    return undefined;
  }
  const port = await freePort();
  let out = '';
  // A small shell watchdog owns moto: it stops moto when this process goes away, even when
  // mocha is killed by a signal and no exit hook runs, so no server outlives its test run.
  const proc = spawn('sh', ['-c', WATCHDOG, 'moto-watchdog', bin, String(port), String(process.pid)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  // keep the last bit of output for error messages; moto logs every request
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.unref();
  (proc.stdout as unknown as { unref?: () => void }).unref?.();
  (proc.stderr as unknown as { unref?: () => void }).unref?.();
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitReady(endpoint, proc, () => out);
  } catch (err) {
    // e.g. a pyenv shim whose Python has no moto: the same as not having it, outside CI
    if (process.env.CI === 'true' || proc.exitCode === null) throw err;
    child = undefined;
    unusable = (err as Error).message;
    return undefined;
  }
  if (process.env.CARIBOU_MOTO_PARALLEL === '1') return motoOf(endpoint);
  return motoOf(await serialisingProxy(port));
}

/** An HTTP proxy on a free loopback port that forwards one request at a time to moto. */
async function serialisingProxy(motoPort: number): Promise<string> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let queue: Promise<void> = Promise.resolve();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      queue = queue.then(
        () =>
          new Promise<void>((done) => {
            const up = http.request({ host: '127.0.0.1', port: motoPort, method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              upRes.pipe(res);
              upRes.on('end', done);
              upRes.on('error', done);
            });
            up.on('error', (err) => {
              res.writeHead(502);
              res.end(String(err));
              done();
            });
            up.end(body);
          }),
      );
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  server.unref();
  proxy = server;
  return `http://127.0.0.1:${port}`;
}

/** Stops the moto_server this process started (if any). */
export async function stopMoto(): Promise<void> {
  const proc = child;
  child = undefined;
  starting = undefined;
  proxy?.close();
  proxy?.closeAllConnections();
  proxy = undefined;
  if (!proc || proc.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve();
    }, 3000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

process.on('exit', () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});
// A root-level hook: mocha runs it once, after every suite of the run.
if (typeof after === 'function') after(stopMoto);

/**
 * For a suite's `before`: the running moto (started on first use, reset for this suite),
 * or a skip of the suite when moto_server is unavailable outside CI.
 */
export async function useMoto(ctx: Mocha.Context): Promise<Moto> {
  ctx.timeout(60_000);
  starting ??= start();
  const moto = await starting;
  if (!moto) {
    const why = unusable ? `moto_server did not start (${unusable.split('\n')[0]})` : 'moto_server is not on PATH';
    if (!warned) console.log(`\n  [tests/aws] skipped: ${why}; to run the AWS integration tests, ${HOW_TO}\n`);
    warned = true;
    ctx.skip();
  }
  await moto.reset();
  return moto;
}

/** The AWS target pointed at moto, with the short waits an emulator allows. */
export function motoCloud(moto: Moto): Promise<AwsCloud> {
  return createAwsCloud({ endpoint: moto.endpoint, accountId: MOTO_ACCOUNT, lambdaTiming: { pollMs: 20, roleWaitMs: 2000, readyWaitMs: 10_000 }, followPollMs: 20 });
}
