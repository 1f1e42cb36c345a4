/**
 * A tiny, deterministic frame "recogniser" standing in for SqueezeNet: it measures a few
 * features of a grey-scale frame and scores each label against them.
 */
import { HEIGHT, LABELS, Label, WIDTH } from './data';

/** Features of one frame. */
export interface Features {
  brightness: number;
  /** share of pixels much brighter than the frame's median */
  bright: number;
  /** share of pixels much darker than the frame's median */
  dark: number;
}

/** Measures a frame. */
export function features(px: Uint8Array): Features {
  const sorted = Array.from(px).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  let sum = 0;
  let bright = 0;
  let dark = 0;
  for (const v of px) {
    sum += v;
    if (v > median + 60) bright++;
    if (v < median - 60) dark++;
  }
  return { brightness: sum / px.length, bright: bright / px.length, dark: dark / px.length };
}

/** Scores every label for a frame (higher is more likely) and returns the top 5, best first. */
export function classify(px: Uint8Array): Array<{ label: Label; score: number }> {
  if (px.length !== WIDTH * HEIGHT) throw new Error(`a frame has ${WIDTH * HEIGHT} pixels, got ${px.length}`);
  const f = features(px);
  const car = Math.min(1, f.bright / 0.03);
  const person = Math.min(1, f.dark / 0.01);
  const night = f.brightness < 60 ? 1 : 0;
  const scores: Record<Label, number> = {
    'empty lot': (1 - car) * (1 - person) * (1 - night),
    car: car * (1 - person),
    pedestrian: person * (1 - car),
    'car and pedestrian': car * person,
    'dark scene': night * (1 - car) * 0.9,
  };
  return LABELS.map((label) => ({ label, score: Math.round(scores[label] * 1000) / 1000 })).sort((a, b) => b.score - a.score || LABELS.indexOf(a.label) - LABELS.indexOf(b.label));
}
