/**
 * Bundled input for video_analytics: small grey-scale "videos" of a parking lot, described by
 * their scene (what moves through it, frame by frame) and rendered deterministically, so the
 * bytes are the same on every machine. A frame is WIDTH × HEIGHT bytes, row-major, 0 = black.
 */
export const WIDTH = 32;
export const HEIGHT = 24;

/** Something crossing the scene: a rectangle of one brightness moving at a constant speed. */
interface Mover {
  from: number;
  to: number;
  x0: number;
  y: number;
  w: number;
  h: number;
  dx: number;
  shade: number;
}

/** A video: its length and lighting, and what crosses it. */
export interface Scene {
  frames: number;
  /** background brightness at frame 0 and at the last frame (dusk darkens it) */
  light: [number, number];
  movers: Mover[];
}

export const VIDEOS: Record<string, Scene> = {
  // a car drives through, later a person walks across, while evening falls
  parking_evening: {
    frames: 120,
    light: [150, 40],
    movers: [
      { from: 10, to: 60, x0: -8, y: 12, w: 8, h: 5, dx: 0.8, shade: 250 },
      { from: 50, to: 110, x0: 32, y: 6, w: 2, h: 6, dx: -0.5, shade: 10 },
    ],
  },
  // a short clip: two people cross in daylight
  group_walk: {
    frames: 40,
    light: [170, 160],
    movers: [
      { from: 0, to: 40, x0: 0, y: 8, w: 2, h: 6, dx: 0.7, shade: 20 },
      { from: 5, to: 40, x0: 30, y: 14, w: 2, h: 6, dx: -0.6, shade: 15 },
    ],
  },
};

/** Renders frame `f` of a scene (deterministic, with fixed pseudo-random sensor noise). */
export function renderFrame(scene: Scene, f: number): Uint8Array {
  const px = new Uint8Array(WIDTH * HEIGHT);
  const t = scene.frames > 1 ? f / (scene.frames - 1) : 0;
  const bg = scene.light[0] + (scene.light[1] - scene.light[0]) * t;
  for (let i = 0; i < px.length; i++) {
    const noise = ((i * 2654435761 + f * 40503) >>> 0) % 9; // 0..8, a fixed hash: same noise everywhere
    px[i] = clamp(bg + noise - 4);
  }
  for (const m of scene.movers) {
    if (f < m.from || f >= m.to) continue;
    const x = Math.round(m.x0 + m.dx * (f - m.from));
    for (let y = m.y; y < m.y + m.h; y++)
      for (let xx = x; xx < x + m.w; xx++) if (xx >= 0 && xx < WIDTH && y >= 0 && y < HEIGHT) px[y * WIDTH + xx] = m.shade;
  }
  return px;
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** The labels recognition can give a frame, in score order ties are broken by. */
export const LABELS = ['empty lot', 'car', 'pedestrian', 'car and pedestrian', 'dark scene'] as const;
export type Label = (typeof LABELS)[number];
