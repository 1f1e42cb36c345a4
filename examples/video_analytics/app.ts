/**
 * video_analytics: frame recognition over a bundled video (a port of Caribou's paper benchmark).
 *
 *   streaming ──▶ decode ──6 call sites (1 + 5 conditional)──▶ recognition ──▶ consolidate (join)
 *
 * streaming reads the video and sends it on; decode renders its frames and splits them into
 * up to 6 chunks (fanout 1–6, or "auto": one chunk per 25 frames); each recognition labels
 * its frames; consolidate puts the labels back in frame order and summarises them.
 */
import { workflow } from '../../sdk';
import { HEIGHT, VIDEOS, WIDTH, renderFrame } from './data';
import { classify } from './vision';

const wf = workflow({ name: 'video_analytics', version: '0.0.1' });

/** The entry payload. */
export interface Input {
  /** a bundled video: "parking_evening" (default) or "group_walk" */
  video?: string;
  /** how many recognition workers: 1–6, or "auto" (default) */
  fanout?: number | 'auto';
}
/** A video on its way to the decoder. */
export interface Stream {
  video: string;
  fanout: number | 'auto';
}
/** One chunk of frames for one recogniser; frames are base64-encoded grey-scale bytes. */
export interface Chunk {
  video: string;
  chunk: number;
  first_frame: number;
  frames: string[];
}
/** One recogniser's labels. */
export interface Labels {
  chunk: number;
  first_frame: number;
  labels: Array<{ label: string; score: number }>;
}

const MAX_FANOUT = 6;
const FRAMES_PER_WORKER = 25;

export const streaming = wf.fn<Input>({ name: 'streaming', entryPoint: true }, async (input, ctx) => {
  const video = input.video ?? 'parking_evening';
  if (!VIDEOS[video]) throw new Error(`unknown video ${JSON.stringify(video)}; bundled: ${Object.keys(VIDEOS).join(', ')}`);
  ctx.invoke(decode, { video, fanout: input.fanout ?? 'auto' });
});

export const decode = wf.fn<Stream>({ name: 'decode' }, async (s, ctx) => {
  const scene = VIDEOS[s.video];
  const auto = Math.floor((scene.frames - 1) / FRAMES_PER_WORKER) + 1;
  const n = Math.max(1, Math.min(MAX_FANOUT, s.fanout === 'auto' ? auto : Math.floor(s.fanout)));
  const per = Math.ceil(scene.frames / n);
  const chunk = (i: number): Chunk => {
    const first = i * per;
    const frames: string[] = [];
    for (let f = first; f < Math.min(scene.frames, first + per); f++) frames.push(Buffer.from(renderFrame(scene, f)).toString('base64'));
    return { video: s.video, chunk: i, first_frame: first, frames };
  };
  const empty = (i: number): Chunk => ({ video: s.video, chunk: i, first_frame: i * per, frames: [] });
  ctx.invoke(recognition, chunk(0));
  ctx.invoke(recognition, n > 1 ? chunk(1) : empty(1), { conditional: n > 1 });
  ctx.invoke(recognition, n > 2 ? chunk(2) : empty(2), { conditional: n > 2 });
  ctx.invoke(recognition, n > 3 ? chunk(3) : empty(3), { conditional: n > 3 });
  ctx.invoke(recognition, n > 4 ? chunk(4) : empty(4), { conditional: n > 4 });
  ctx.invoke(recognition, n > 5 ? chunk(5) : empty(5), { conditional: n > 5 });
});

export const recognition = wf.fn<Chunk>({ name: 'recognition' }, async (c, ctx) => {
  const labels = c.frames.map((b64) => classify(new Uint8Array(Buffer.from(b64, 'base64')))[0]);
  ctx.invoke(consolidate, { chunk: c.chunk, first_frame: c.first_frame, labels });
});

export const consolidate = wf.join<Labels>({ name: 'consolidate' }, async (ctx) => {
  const parts = (await ctx.predecessorData()).slice().sort((a, b) => a.first_frame - b.first_frame);
  const perFrame = parts.flatMap((p) => p.labels.map((l) => l.label));
  const histogram: Record<string, number> = {};
  for (const l of perFrame) histogram[l] = (histogram[l] ?? 0) + 1;
  // scenes: runs of equal labels, as [first frame, last frame, label]
  const scenes: Array<[number, number, string]> = [];
  perFrame.forEach((l, f) => {
    const last = scenes[scenes.length - 1];
    if (last && last[2] === l) last[1] = f;
    else scenes.push([f, f, l]);
  });
  const result = { run_id: ctx.runId, frames: perFrame.length, frame_size: [WIDTH, HEIGHT], chunks: parts.length, histogram, scenes };
  console.log(JSON.stringify(result));
  return result;
});

export default wf;
