/**
 * A cheap look at the local cloud's LevelDB (dynalite's tables) before it is opened: dynalite
 * reports a damaged database only by throwing from deep inside a request (a raw LevelDB stack
 * that kills the process). Checked here, without opening it, from the file formats alone:
 *  - CURRENT names a MANIFEST that exists;
 *  - the MANIFEST's log records are whole (a crash or a copy cut short truncates it);
 *  - every table file (.ldb/.sst) ends with LevelDB's footer magic number (a truncated or
 *    overwritten table file does not).
 * Cost: one directory listing plus reading CURRENT, the small MANIFEST and 8 bytes per table
 * file (docs/benchmarks.md). Block checksums are not verified (LevelDB does that on read).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CorruptStateError } from '../../model/errors';

/** LevelDB's table magic number (kTableMagicNumber 0xdb4775248b80fb57), little-endian. */
const TABLE_MAGIC = Buffer.from([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]);
const FOOTER_BYTES = 48;
const LOG_BLOCK = 32768;
const LOG_HEADER = 7;

/** How to get out of a damaged table store: there is no safe repair, only a fresh local cloud. */
export function startAfresh(home: string): string {
  return `Start afresh: rm -rf ${home} (removes every local deployment and its history), then deploy your workflows again with caribou deploy --workflow-dir <dir>`;
}

/** Throws a CorruptStateError naming the damaged file of the LevelDB in `dir` (tables of the local cloud at `home`). */
export function checkLevelDb(dir: string, home: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // no tables yet
  }
  const tables = names.filter((n) => /\.(ldb|sst)$/.test(n));
  const manifests = names.filter((n) => /^MANIFEST-\d+$/.test(n));
  const bad = (file: string, problem: string) => new CorruptStateError(path.join(dir, file), problem, startAfresh(home));
  if (!names.includes('CURRENT')) {
    if (tables.length || manifests.length) throw bad('CURRENT', 'it is missing, so the table store cannot be opened');
    return;
  }
  const current = fs.readFileSync(path.join(dir, 'CURRENT'), 'utf8');
  const m = /^(MANIFEST-\d+)\n?$/.exec(current);
  if (!m) throw bad('CURRENT', `it should name the table store's MANIFEST file; it holds ${JSON.stringify(current.slice(0, 40))}`);
  if (!names.includes(m[1])) throw bad('CURRENT', `it names ${m[1]}, which does not exist`);
  const problem = logProblem(fs.readFileSync(path.join(dir, m[1])));
  if (problem) throw bad(m[1], problem);
  for (const n of tables) {
    const file = path.join(dir, n);
    const size = fs.statSync(file).size;
    if (size < FOOTER_BYTES) throw bad(n, `the table file is cut short (${size} bytes)`);
    const tail = Buffer.alloc(8);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, tail, 0, 8, size - 8);
    } finally {
      fs.closeSync(fd);
    }
    if (!tail.equals(TABLE_MAGIC)) throw bad(n, 'the table file is cut short or overwritten (it does not end with the LevelDB table footer)');
  }
}

/** Why a LevelDB log-format file (the MANIFEST) is not whole, or undefined when its records are. */
export function logProblem(buf: Buffer): string | undefined {
  if (buf.length === 0) return 'it is empty';
  let off = 0;
  while (off < buf.length) {
    const left = LOG_BLOCK - (off % LOG_BLOCK);
    if (left < LOG_HEADER) {
      off += left; // a block's trailer is zero padding
      continue;
    }
    if (buf.length - off < LOG_HEADER) return `it is cut short (a record header at byte ${off} is incomplete)`;
    const len = buf.readUInt16LE(off + 4);
    const type = buf[off + 6];
    if (type === 0 && len === 0) break; // preallocated, never written
    if (type < 1 || type > 4) return `it is garbled (an unknown record type ${type} at byte ${off})`;
    if (LOG_HEADER + len > left) return `it is garbled (a record at byte ${off} runs past its block)`;
    if (off + LOG_HEADER + len > buf.length) return `it is cut short (a record at byte ${off} needs ${len} bytes, the file ends after ${buf.length - off - LOG_HEADER})`;
    off += LOG_HEADER + len;
  }
  return undefined;
}
