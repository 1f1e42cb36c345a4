/**
 * image_processing: transforms of a bundled image (a port of Caribou's paper benchmark).
 *
 *   get_requests ──5 call sites (1 + 4 conditional)──▶ image_processor
 *
 * get_requests reads the requested transforms (flip, rotate, blur, greyscale, resize; all five
 * by default) and sends one to each image_processor instance; the first call always runs, the
 * other four only when that many transforms were requested.
 */
import { workflow } from '../../sdk';
import { IMAGES, Image } from './data';
import { TRANSFORMS, Transform, apply, checksum } from './transforms';

const wf = workflow({ name: 'image_processing', version: '0.0.1' });

/** The entry payload. */
export interface Input {
  /** a bundled image: "sunset" (default) */
  image?: string;
  /** which transforms to run, at most 5 (default all, in the order flip, rotate, blur, greyscale, resize) */
  transforms?: Transform[];
}
/** One transform request. */
export interface Request {
  transform: Transform;
  image: Image;
}

export const getRequests = wf.fn<Input>({ name: 'get_requests', entryPoint: true }, async (input, ctx) => {
  const image = IMAGES[input.image ?? 'sunset'];
  if (!image) throw new Error(`unknown image ${JSON.stringify(input.image)}; bundled: ${Object.keys(IMAGES).join(', ')}`);
  const wanted = (input.transforms ?? [...TRANSFORMS]).slice(0, 5);
  for (const t of wanted) if (!TRANSFORMS.includes(t)) throw new Error(`unknown transform ${JSON.stringify(t)}; known: ${TRANSFORMS.join(', ')}`);
  const req = (i: number): Request => ({ transform: wanted[i] ?? TRANSFORMS[i], image });
  ctx.invoke(imageProcessor, req(0));
  ctx.invoke(imageProcessor, req(1), { conditional: wanted.length > 1 });
  ctx.invoke(imageProcessor, req(2), { conditional: wanted.length > 2 });
  ctx.invoke(imageProcessor, req(3), { conditional: wanted.length > 3 });
  ctx.invoke(imageProcessor, req(4), { conditional: wanted.length > 4 });
});

export const imageProcessor = wf.fn<Request>({ name: 'image_processor' }, async (req, ctx) => {
  const out = apply(req.transform, req.image);
  const result = { run_id: ctx.runId, transform: req.transform, width: out.width, height: out.height, checksum: checksum(out) };
  console.log(JSON.stringify(result));
  return result;
});

export default wf;
