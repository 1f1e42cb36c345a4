/**
 * The quickstart's state folder is scratch that it clears on every run, so it must only ever
 * clear a folder it made: it marks the folders it creates with QUICKSTART_MARKER and refuses
 * any other non-empty folder (`--dir .` on a project, a home directory, a typo) before it
 * touches anything. Likewise it overwrites a report file only if it wrote that file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../model/errors';
import { REPORT_GENERATOR_TAG } from '../report/html';

/** The file that says "caribou quickstart made this folder and may clear what it put there". */
export const QUICKSTART_MARKER = '.caribou-quickstart';

/** What the quickstart puts in its folder (all it ever clears: the cloud under its lock, the report). */
const OWN_ENTRIES = new Set([QUICKSTART_MARKER, '.gitignore', 'cloud', 'report.html']);

/**
 * Checks, touching nothing, that `dir` is one the quickstart may use: absent, empty, or marked
 * as its own. A folder from before the marker existed is recognised by holding only what a
 * quickstart writes (its `.gitignore` says `*`).
 */
export function checkStateFolder(dir: string): 'new' | 'empty' | 'ours' {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'new';
    throw new UserError(`--dir ${dir} cannot be read (${(err as Error).message}); nothing was touched`);
  }
  if (!st.isDirectory()) throw new UserError(`--dir ${dir} is a file, not a folder; nothing was touched. Give a new or empty folder, e.g. --dir .caribou/quickstart`);
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return 'empty';
  if (entries.includes(QUICKSTART_MARKER)) return 'ours';
  const legacy = entries.every((e) => OWN_ENTRIES.has(e)) && readText(path.join(dir, '.gitignore')) === '*\n';
  if (legacy) return 'ours';
  throw new UserError(
    `--dir ${dir} is not empty and was not created by caribou quickstart (it has no ${QUICKSTART_MARKER} file); ` +
      `the quickstart clears its state folder, so it refuses to use this one and nothing was touched. ` +
      `Give a new or empty folder, e.g. --dir .caribou/quickstart`,
  );
}

/** Creates (or adopts, when empty) the state folder and marks it as the quickstart's. */
export function claimStateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const marker = path.join(dir, QUICKSTART_MARKER);
  if (!fs.existsSync(marker)) fs.writeFileSync(marker, 'Created by `caribou quickstart`, which may clear cloud/ and report.html here on its next run.\n');
  // the state folder is scratch: keep it out of git wherever it is
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n');
}

/** True when `file` is a report a quickstart wrote (so it may be overwritten or removed). */
export function isOwnReport(file: string): boolean {
  return (readText(file) ?? '').slice(0, 512).includes(REPORT_GENERATOR_TAG);
}

/** Checks, touching nothing, that the report may be written at `file`: absent, or a report a quickstart wrote. */
export function checkReportTarget(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UserError(`--report ${file} cannot be read (${(err as Error).message}); nothing was touched`);
  }
  if (st.isDirectory()) throw new UserError(`--report ${file} is a folder; give a file name, e.g. --report ${path.join(file, 'report.html')}; nothing was touched`);
  if (!isOwnReport(file))
    throw new UserError(`--report ${file} exists and is not a report caribou wrote; the quickstart will not overwrite it (nothing was touched). Give a new file name`);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
