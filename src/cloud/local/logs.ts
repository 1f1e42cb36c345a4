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
      fd = fs.openSync(file, 'a');
      this.fds.set(file, fd);
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
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      const l = JSON.parse(raw) as LogLine;
      if (l.time >= start && l.time < end) out.push(l);
    }
    // stable sort: lines of one invocation keep their written order at equal times
    return out.sort((a, b) => a.time - b.time);
  }

  /** Deletes a function's stream (used when a workflow is removed). */
  removeStream(region: string, fn: string): void {
    const fd = this.fds.get(this.file(region, fn));
    if (fd !== undefined) {
      fs.closeSync(fd);
      this.fds.delete(this.file(region, fn));
    }
    fs.rmSync(this.file(region, fn), { force: true });
  }
}
