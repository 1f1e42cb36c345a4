/**
 * Deterministic stand-ins for speech synthesis and audio encoding: pure arithmetic, no network.
 * "Speech" gives every character a fixed number of samples of a tone whose pitch depends on the
 * character, so character spans map exactly to sample spans, which the censor relies on.
 */

/** Samples per character at the synthesis rate. */
export const SAMPLES_PER_CHAR = 80;
/** Synthesis sample rate (Hz). */
export const SYNTH_RATE = 8000;
/** Encoded sample rate (Hz), as Caribou's encoding step converted to 5 kHz. */
export const ENCODED_RATE = 5000;

/** Synthesises `text` to 8-bit unsigned PCM samples (0–255, silence 128). */
export function synthesise(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 32;
    const silent = /\s/.test(ch);
    const freq = 200 + (code % 64) * 12; // Hz
    for (let i = 0; i < SAMPLES_PER_CHAR; i++) {
      const v = silent ? 0 : Math.sin((2 * Math.PI * freq * i) / SYNTH_RATE);
      out.push(Math.round(128 + 100 * v));
    }
  }
  return out;
}

/** Resamples 8-bit PCM at `from` Hz to signed 16-bit PCM at `to` Hz (linear interpolation). */
export function encode(samples: number[], from: number, to: number): number[] {
  const n = Math.floor((samples.length * to) / from);
  const out = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    const x = (j * from) / to;
    const i = Math.floor(x);
    const a = samples[i] ?? 128;
    const b = samples[i + 1] ?? a;
    const v = a + (b - a) * (x - i);
    out[j] = Math.round((v - 128) * 256);
  }
  return out;
}

/** Character spans [start, end) of censored words in `text`. */
export function censoredSpans(text: string, words: string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const re = new RegExp(`\\b(?:${words.map((w) => w.replace(/[^a-z]/gi, '')).join('|')})\\b`, 'gi');
  for (let m = re.exec(text); m; m = re.exec(text)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/** Silences (sets to 0) the samples of each character span, given samples per character at this rate. */
export function silence(samples: number[], spans: Array<[number, number]>, samplesPerChar: number): { samples: number[]; silenced: number } {
  const out = samples.slice();
  let silenced = 0;
  for (const [s, e] of spans) {
    const from = Math.floor(s * samplesPerChar);
    const to = Math.min(out.length, Math.ceil(e * samplesPerChar));
    for (let i = from; i < to; i++) {
      if (out[i] !== 0) silenced++;
      out[i] = 0;
    }
  }
  return { samples: out, silenced };
}
