import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../model/errors';

/** The state folder is held by another live process (a UserError: exit 1, worded). */
export class LocalCloudBusyError extends UserError {
  constructor(
    readonly home: string,
    readonly holderPid: number,
  ) {
    super(
      `the local cloud at ${home} is busy: another caribou process (pid ${holderPid}) is using it. ` +
        `Wait for it to finish, or set CARIBOU_HOME to use a separate local cloud.`,
    );
  }
}

/**
 * One process at a time owns a local cloud state folder. dynalite keeps its tables in a
 * LevelDB that only one process may open, and the JSON state files (topics, functions,
 * schedules) are read-modify-written; a second process therefore waits for the lock (up to
 * CARIBOU_LOCAL_LOCK_WAIT_S seconds, default 30) and then stops with a clear "busy" message,
 * instead of corrupting the state. A lock left by a process that died is taken over.
 */
export class StateLock {
  private released = false;
  private readonly onExit = () => this.releaseSync();

  private constructor(readonly file: string) {
    process.once('exit', this.onExit);
  }

  /** Takes the lock of a state folder, waiting while another live process holds it. */
  static async acquire(home: string, waitMs = defaultWaitMs()): Promise<StateLock> {
    fs.mkdirSync(home, { recursive: true });
    const file = path.join(home, 'lock');
    const deadline = Date.now() + waitMs;
    let told = false;
    for (;;) {
      try {
        const fd = fs.openSync(file, 'wx');
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
        fs.closeSync(fd);
        return new StateLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      if (holder === undefined && youngerThan(file, 2000)) {
        await new Promise((r) => setTimeout(r, 50)); // its owner is writing it right now
        continue;
      }
      if (holder === undefined || !alive(holder)) {
        // stale: its owner is gone (crash, kill -9). Take it over by an atomic rename (only one
        // waiter can move a given file), then check that what we moved is still the stale lock:
        // if another waiter had already replaced it with its own, put that one back.
        const aside = `${file}.stale.${process.pid}`;
        try {
          fs.renameSync(file, aside);
        } catch {
          continue; // another waiter moved it first
        }
        const moved = readHolder(aside);
        if (moved !== undefined && moved !== holder && alive(moved)) {
          try {
            fs.linkSync(aside, file); // fails if someone holds the lock again: then theirs stands
          } catch {
            /* the lock is held anew */
          }
        }
        fs.rmSync(aside, { force: true });
        continue;
      }
      if (!told && waitMs > 0) {
        told = true;
        process.stderr.write(`caribou: the local cloud at ${home} is in use by another caribou process (pid ${holder}); waiting up to ${Math.round(waitMs / 1000)} s\n`);
      }
      if (Date.now() >= deadline) throw new LocalCloudBusyError(home, holder);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Releases the lock (idempotent). */
  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    try {
      fs.unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
}

function defaultWaitMs(): number {
  const s = Number(process.env.CARIBOU_LOCAL_LOCK_WAIT_S ?? '30');
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 30_000;
}

function readHolder(file: string): number | undefined {
  try {
    const pid = JSON.parse(fs.readFileSync(file, 'utf8')).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined; // being written right now, or garbage: treat as stale only if it stays so
  }
}

function youngerThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
