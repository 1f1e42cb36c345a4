import { strict as assert } from 'assert';
import fc from 'fast-check';
import { logProblem } from '../../src/cloud/local/leveldb-check';

const BLOCK = 32768;

/**
 * Writes records in LevelDB's log format (FULL/FIRST/MIDDLE/LAST fragments across 32 KiB
 * blocks), as the MANIFEST holds them; `whole` is every length at which a prefix holds only
 * whole fragments (a fragment's end, or inside a block's zero trailer).
 */
function logOf(payloads: number[]): { buf: Buffer; whole: Set<number> } {
  const out: number[] = [];
  const whole = new Set<number>([0]);
  for (const size of payloads) {
    let left = size;
    let first = true;
    do {
      const room = BLOCK - (out.length % BLOCK);
      if (room < 7) {
        for (let i = 0; i < room; i++) {
          out.push(0);
          whole.add(out.length);
        }
        continue;
      }
      const frag = Math.min(left, room - 7);
      const last = frag === left;
      const type = first && last ? 1 : first ? 2 : last ? 4 : 3;
      out.push(1, 2, 3, 4, frag & 0xff, frag >> 8, type);
      for (let i = 0; i < frag; i++) out.push(0x61);
      left -= frag;
      first = false;
      whole.add(out.length);
    } while (left > 0);
  }
  return { buf: Buffer.from(out), whole };
}

describe('LevelDB MANIFEST check (fast-check, seeded)', () => {
  it('a whole log passes; a log cut inside a record is reported as cut short', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (sizes, at) => {
        const { buf, whole } = logOf(sizes);
        assert.equal(logProblem(buf), undefined);
        const cut = Math.floor(at * buf.length);
        const p = logProblem(buf.subarray(0, cut));
        if (cut === 0) assert.equal(p, 'it is empty');
        else if (whole.has(cut)) assert.equal(p, undefined, `a cut at ${cut} between fragments`);
        else assert.match(p ?? '', /cut short/, `a cut at ${cut} of ${buf.length} inside a fragment is not found`);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('an empty file and an unknown record type are named', () => {
    assert.equal(logProblem(Buffer.alloc(0)), 'it is empty');
    assert.match(logProblem(Buffer.from([0, 0, 0, 0, 1, 0, 9, 0x61]))!, /unknown record type 9/);
  });
});
