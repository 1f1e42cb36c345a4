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
      fs.appendFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
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
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      const l = JSON.parse(raw) as LogLine;
      if (l.time >= start && l.time < end) out.push(l);
    }
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
