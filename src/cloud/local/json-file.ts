import * as fs from 'fs';
import * as path from 'path';
import * as t from 'io-ts';
import { decodeResult, formatProblem } from '../../model/decode';
import { CorruptStateError } from '../../model/errors';

/**
 * What to do about each JSON state file of the local cloud when it is corrupt: the clock and
 * the timers can simply be dropped; the function and topic registries cannot be rebuilt, so
 * the way out is a fresh local cloud.
 */
function repairOf(file: string): string {
  const home = path.dirname(file);
  switch (path.basename(file)) {
    case 'clock.json':
      return `Repair it by deleting it: rm ${file} (the virtual clock then resumes from the wall clock; nothing else is lost)`;
    case 'schedules.json':
      return `Repair it by deleting it: rm ${file} (the local timers are dropped; set them again with caribou timers)`;
    default:
      return (
        `It cannot be rebuilt from the rest of the state. Start afresh: rm -rf ${home} ` +
        `(removes every local deployment), then deploy your workflows again with caribou deploy --workflow-dir <dir>`
      );
  }
}

/**
 * Reads a JSON state file; `fallback` when it does not exist yet. A file that is not JSON or
 * not of `shape` is a CorruptStateError naming the file, what is wrong and how to recover.
 */
export function readJson<T>(file: string, fallback: T, shape?: t.Mixed): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new CorruptStateError(file, `it cannot be read (${(err as Error).message})`, repairOf(file));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const what = text.trim() === '' ? 'it is empty' : `it is not valid JSON (${(err as Error).message}), e.g. cut short or garbled`;
    throw new CorruptStateError(file, what, repairOf(file));
  }
  if (!shape) return value as T;
  const r = decodeResult(shape, value);
  if (!r.ok) throw new CorruptStateError(file, `it is JSON but not what the local cloud wrote: ${r.problems.slice(0, 3).map(formatProblem).join('; ')}`, repairOf(file));
  return value as T;
}

/** Writes a JSON state file atomically (write to a temp file, then rename), so a crash never leaves half a file. */
export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 1));
  fs.renameSync(tmp, file);
}

/** Shapes of the state files, checked on read (cheap: only their outline, the files are small). */
export const StateShapes = {
  clock: t.partial({ now: t.number }),
  /** region → name → record */
  byRegion: t.record(t.string, t.record(t.string, t.UnknownRecord)),
  list: t.array(t.UnknownRecord),
};
