/** The five image transforms of Caribou's image_processing benchmark, on plain RGB arrays. */
import { Image } from './data';

/** Names of the transforms, in the order get_requests applies them by default. */
export const TRANSFORMS = ['flip', 'rotate', 'blur', 'greyscale', 'resize'] as const;
export type Transform = (typeof TRANSFORMS)[number];

const at = (img: Image, x: number, y: number, c: number): number => img.rgb[(y * img.width + x) * 3 + c];

function build(width: number, height: number, pixel: (x: number, y: number, c: number) => number): Image {
  const rgb = new Array<number>(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = Math.round(pixel(x, y, c));
  return { width, height, rgb };
}

/** Applies one transform. */
export function apply(t: Transform, img: Image): Image {
  switch (t) {
    case 'flip': // left-right mirror
      return build(img.width, img.height, (x, y, c) => at(img, img.width - 1 - x, y, c));
    case 'rotate': // 90° clockwise
      return build(img.height, img.width, (x, y, c) => at(img, y, img.height - 1 - x, c));
    case 'blur': // 3×3 box blur, edges clamped
      return build(img.width, img.height, (x, y, c) => {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) s += at(img, Math.min(img.width - 1, Math.max(0, x + dx)), Math.min(img.height - 1, Math.max(0, y + dy)), c);
        return s / 9;
      });
    case 'greyscale': // ITU-R 601 luma in all three channels
      return build(img.width, img.height, (x, y) => 0.299 * at(img, x, y, 0) + 0.587 * at(img, x, y, 1) + 0.114 * at(img, x, y, 2));
    case 'resize': // half size, averaging 2×2 blocks
      return build(Math.max(1, img.width >> 1), Math.max(1, img.height >> 1), (x, y, c) => {
        const xs = [2 * x, Math.min(img.width - 1, 2 * x + 1)];
        const ys = [2 * y, Math.min(img.height - 1, 2 * y + 1)];
        return (at(img, xs[0], ys[0], c) + at(img, xs[1], ys[0], c) + at(img, xs[0], ys[1], c) + at(img, xs[1], ys[1], c)) / 4;
      });
  }
}

/** A short fingerprint of an image (FNV-1a over dimensions and bytes). */
export function checksum(img: Image): string {
  let h = 0x811c9dc5;
  for (const v of [img.width, img.height, ...img.rgb]) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
