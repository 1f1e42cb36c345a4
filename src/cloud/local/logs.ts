import * as fs from 'fs';
import * as path from 'path';
import type { LogLine, Logs } from '../ports';

/**
 * Log streams per function per region (CloudWatch Logs locally), persisted as JSON lines
 * under `logs/<region>/<function>.jsonl`. Lines are buffered in memory and appended to the
 * files when the engine has drained (thousands of runs would otherwise mean thousands of
 * small writes); reads see both.
 */
export class LocalLogs implements Logs {
  private readonly pending = new Map<string, LogLine[]>();
  /** the latest time any line was written at (ms); functions run past the engine's clock */
  latest = 0;

  constructor(private readonly root: string) {}

  private file(region: string, fn: string): string {
    return path.join(this.root, region, `${fn.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`);
  }

  /** Appends one line to a function's stream at virtual time `time` (ms). */
  append(region: string, fn: string, time: number, line: string): void {
    const id = `${region}\n${fn}`;
    let buf = this.pending.get(id);
    if (!buf) this.pending.set(id, (buf = []));
    buf.push({ time, line });
    if (time > this.latest) this.latest = time;
  }

  /** Writes buffered lines to their files. */
  flush(): void {
    for (const [id, lines] of this.pending) {
      if (lines.length === 0) continue;
      const [region, fn] = id.split('\n');
      const file = this.file(region, fn);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // a writer killed mid-line left the file without its last newline: end that line first,
      // so the corrupt part stays on a line of its own and does not swallow the next record
      fs.appendFileSync(file, (endsMidLine(file) ? '\n' : '') + lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    }
    this.pending.clear();
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
    for (const l of this.pending.get(`${region}\n${functionName}`) ?? []) if (l.time >= start && l.time < end) out.push({ ...l });
    // stable sort: lines of one invocation keep their written order at equal times
    return out.sort((a, b) => a.time - b.time);
  }

  /** Deletes a function's stream (used when a workflow is removed). */
  removeStream(region: string, fn: string): void {
    this.pending.delete(`${region}\n${fn}`);
    fs.rmSync(this.file(region, fn), { force: true });
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
