import * as fs from 'fs';
import * as path from 'path';
import type { LogLine, Logs } from '../ports';

/**
 * Log streams per function per region (CloudWatch Logs locally), persisted as JSON lines
 * under `logs/<region>/<function>.jsonl`. Each line is appended to its file as it is written
 * (a write on a file opened for appending), so a process killed mid-run leaves every line
 * logged before it died.
 */
export class LocalLogs implements Logs {
  /** folders known to exist */
  private readonly made = new Set<string>();
  /** open append-mode files, one per stream written since the last flush */
  private readonly fds = new Map<string, number>();
  /** files this process has appended to (only an earlier, killed writer can have left a partial line) */
  private readonly opened = new Set<string>();
  /** the latest time any line was written at (ms); functions run past the engine's clock */
  latest = 0;

  constructor(private readonly root: string) {}

  private file(region: string, fn: string): string {
    return path.join(this.root, region, `${fn.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`);
  }

  /** Appends one line to a function's stream at virtual time `time` (ms). */
  append(region: string, fn: string, time: number, line: string): void {
    const file = this.file(region, fn);
    let fd = this.fds.get(file);
    if (fd === undefined) {
      const dir = path.dirname(file);
      if (!this.made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        this.made.add(dir);
      }
      // a writer killed mid-line left the file without its last newline: end that line first,
      // so the corrupt part stays on a line of its own and does not swallow the next record
      const cutShort = !this.opened.has(file) && endsMidLine(file);
      this.opened.add(file);
      fd = fs.openSync(file, 'a');
      this.fds.set(file, fd);
      if (cutShort) fs.writeSync(fd, '\n');
    }
    // one write per line, straight to the file (no buffer in this process to lose)
    fs.writeSync(fd, JSON.stringify({ time, line }) + '\n');
    if (time > this.latest) this.latest = time;
  }

  /** Lines are on disk as they are written; this closes the open files (they reopen on the next line). */
  flush(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }

  async read(region: string, functionName: string, start: number, end: number): Promise<LogLine[]> {
    const out: LogLine[] = [];
    let text = '';
    try {
      text = fs.readFileSync(this.file(region, functionName), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const file = this.file(region, functionName);
    let prevTime = 0;
    text.split('\n').forEach((raw, i) => {
      if (!raw) return;
      const l = decodeRecord(raw);
      if (typeof l === 'string') {
        // skipped, never fatal: one bad record must not stop every later sync of the workflow.
        // Its time, when the record got that far, places it in one read window; else the time
        // of the record before it (the file is appended in time order)
        const m = /^\{"time":(\d+)[,}]/.exec(raw);
        const time = m ? Number(m[1]) : prevTime;
        if (time >= start && time < end) out.push({ time, line: raw, corrupt: { where: `${file}:${i + 1}`, problem: l } });
        return;
      }
      prevTime = l.time;
      if (l.time >= start && l.time < end) out.push(l);
    });
    // stable sort: lines of one invocation keep their written order at equal times
    return out.sort((a, b) => a.time - b.time);
  }

  /** Deletes a function's stream (used when a workflow is removed). */
  removeStream(region: string, fn: string): void {
    const file = this.file(region, fn);
    const fd = this.fds.get(file);
    if (fd !== undefined) {
      fs.closeSync(fd);
      this.fds.delete(file);
    }
    fs.rmSync(file, { force: true });
  }
}

/** Does the file exist and end without a newline? */
function endsMidLine(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size === 0) return false;
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** One stored record, or what is wrong with it. */
function decodeRecord(raw: string): LogLine | string {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    return `not JSON (${(err as Error).message}); was its writer stopped mid-line?`;
  }
  const o = v as Partial<LogLine> | null;
  if (!o || typeof o !== 'object' || typeof o.time !== 'number' || !Number.isFinite(o.time) || typeof o.line !== 'string') return 'not a {time, line} record';
  return { time: o.time, line: o.line };
}
