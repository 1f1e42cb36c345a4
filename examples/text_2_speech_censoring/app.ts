/**
 * text_2_speech_censoring: speech synthesis with censoring (a port of Caribou's paper benchmark).
 *
 *   get_input ──site 0──▶ text_2_speech ──▶ encoding ──▶ censor (join)
 *             ──site 1──▶ profanity ───────────────────▶ censor
 *
 * text_2_speech "speaks" the text (a tone per character, see audio.ts), encoding resamples it
 * from 8 kHz 8-bit to 5 kHz 16-bit, profanity finds the censored words' spans, and censor
 * silences those spans in the encoded audio. The two branches reach the join with different
 * payloads, so the join's payload type is their union.
 */
import { workflow } from '../../sdk';
import { ENCODED_RATE, SAMPLES_PER_CHAR, SYNTH_RATE, censoredSpans, encode, silence, synthesise } from './audio';
import { CENSORED_WORDS, TEXTS } from './data';

const wf = workflow({ name: 'text_2_speech_censoring', version: '0.0.1' });

/** The entry payload: a bundled text ("short" by default, or "long") or the text itself. */
export interface Input {
  document?: string;
  text?: string;
}
/** Text for one branch. */
export interface Text {
  text: string;
}
/** Synthesised speech. */
export interface Speech {
  samples: number[];
  rate: number;
  samples_per_char: number;
}
/** What reaches the censor: the encoded audio, or the spans to silence. */
export type CensorInput =
  | { kind: 'audio'; samples: number[]; rate: number; samples_per_char: number }
  | { kind: 'spans'; spans: Array<[number, number]>; words: string[] };

export const getInput = wf.fn<Input>({ name: 'get_input', entryPoint: true }, async (input, ctx) => {
  const text = input.text ?? TEXTS[input.document ?? 'short'];
  if (text === undefined) throw new Error(`unknown document ${JSON.stringify(input.document)}; bundled: ${Object.keys(TEXTS).join(', ')}`);
  ctx.invoke(text2Speech, { text });
  ctx.invoke(profanity, { text });
});

export const text2Speech = wf.fn<Text>({ name: 'text_2_speech' }, async ({ text }, ctx) => {
  ctx.invoke(encoding, { samples: synthesise(text), rate: SYNTH_RATE, samples_per_char: SAMPLES_PER_CHAR });
});

export const encoding = wf.fn<Speech>({ name: 'encoding' }, async (speech, ctx) => {
  const samples = encode(speech.samples, speech.rate, ENCODED_RATE);
  ctx.invoke(censor, { kind: 'audio', samples, rate: ENCODED_RATE, samples_per_char: (speech.samples_per_char * ENCODED_RATE) / speech.rate });
});

export const profanity = wf.fn<Text>({ name: 'profanity' }, async ({ text }, ctx) => {
  const spans = censoredSpans(text, CENSORED_WORDS);
  ctx.invoke(censor, { kind: 'spans', spans, words: spans.map(([s, e]) => text.slice(s, e)) });
});

export const censor = wf.join<CensorInput>({ name: 'censor' }, async (ctx) => {
  const parts = await ctx.predecessorData();
  const audio = parts.find((p) => p.kind === 'audio');
  const spans = parts.find((p) => p.kind === 'spans');
  if (!audio || audio.kind !== 'audio' || !spans || spans.kind !== 'spans') throw new Error('censor needs both the audio and the spans');
  const out = silence(audio.samples, spans.spans, audio.samples_per_char);
  const result = {
    run_id: ctx.runId,
    duration_s: out.samples.length / audio.rate,
    rate: audio.rate,
    censored_words: spans.words,
    silenced_samples: out.silenced,
    checksum: out.samples.reduce((h, v) => (h * 31 + (v & 0xffff)) >>> 0, 7),
  };
  console.log(JSON.stringify(result));
  return result;
});

export default wf;
