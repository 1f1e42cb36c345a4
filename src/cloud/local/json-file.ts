import * as fs from 'fs';
import * as path from 'path';

/** Reads a JSON state file; `fallback` when it does not exist yet. */
export function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new Error(`local cloud state file ${file} is unreadable: ${(err as Error).message}`);
  }
}

/** Writes a JSON state file atomically (write to a temp file, then rename), so a crash never leaves half a file. */
export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 1));
  fs.renameSync(tmp, file);
}
