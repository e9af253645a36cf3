/**
 * The held-out images a run reports on, every few steps: a few whole faces at the original
 * project's setting (HR 256×256 → LR 64×64) and one photo crop of the same size. Small on
 * purpose: the metrics log evaluates them every --eval-every steps, and they must cost seconds,
 * not minutes, on a CPU adapter. LR and bicubic are made once here with the training degradation
 * (src/srgan/data/degrade.ts); the metrics come from src/srgan/metrics.ts.
 */
import * as E from '../../engine/index.js';
import { bicubicUpscale, makeLr } from '../data/degrade.js';
import { compareImages, meanMetrics, type LowResMaker, type MetricSet } from '../metrics.js';
import { imageToTensor, tensorToImage } from '../image/tensor.js';
import { clampUnit, fromRgbPlanes, quantize8, toRgbPlanes, type HostImage } from '../image/types.js';
import { upscaleImage } from '../serve/upscale.js';
import { ConfigError, DataError } from '../errors.js';

export interface EvalImage {
  name: string;
  /** 3-channel, size × size, 8-bit values. */
  hr: HostImage;
  lr: HostImage;
  bicubic: HostImage;
}

export interface EvalSet {
  scale: number;
  images: EvalImage[];
}

/** Upscales an LR image to [0, 1] RGB pixels at scale × its size. */
export type Upscale = (lr: HostImage) => Promise<HostImage>;

/** A generator (anything with `enhance`: eval mode, no graph, [0, 1] out) run through the tiled upscaler. */
export const upscalerOf =
  (model: { enhance(lr: E.Tensor): E.Tensor }, scale: number): Upscale =>
  (lr) =>
    upscaleImage((t) => model.enhance(t), lr, { scale });

export const DEFAULT_FACES = 4,
  DEFAULT_SIZE = 256;

/** The centre square of an image, as large as its short side. */
export function centreSquare(img: HostImage, side = Math.min(img.width, img.height)): HostImage {
  const ch = img.channels,
    x0 = (img.width - side) >> 1,
    y0 = (img.height - side) >> 1;
  const data = new Float32Array(side * side * ch);
  for (let y = 0; y < side; y++)
    data.set(img.data.subarray(((y0 + y) * img.width + x0) * ch, ((y0 + y) * img.width + x0 + side) * ch), y * side * ch);
  return { ...img, width: side, height: side, data };
}

/**
 * The report's HR images (not yet resized): the first `faces` faces as centre squares, then the
 * centre size×size crop of the first photo at least that large. Throws when there is nothing.
 */
export function pickHeldout(faces: readonly HostImage[], photos: readonly HostImage[], opts: { faces?: number; size?: number } = {}): HostImage[] {
  const size = opts.size ?? DEFAULT_SIZE;
  const picked = faces.slice(0, opts.faces ?? DEFAULT_FACES).map((f) => centreSquare(f));
  const photo = photos.find((p) => p.width >= size && p.height >= size);
  if (photo) picked.push(centreSquare(photo, size));
  if (!picked.length) throw new DataError(`the run report needs held-out faces or a photo of at least ${size}×${size}`);
  return picked;
}

async function onGpu(img: HostImage, f: (x: E.Tensor) => E.Tensor): Promise<HostImage> {
  const out = E.tidy(() => f(imageToTensor(img)));
  try {
    const res = await tensorToImage(out, 3);
    clampUnit(res.data);
    return quantize8(res);
  } finally {
    out.dispose();
  }
}

/** Each image resized to size × size (antialiased bicubic, when it is not that size already), its LR and its bicubic. */
export async function prepareEvalSet(
  images: readonly HostImage[],
  opts: { scale?: number; size?: number; lowRes?: LowResMaker } = {},
): Promise<EvalSet> {
  const scale = opts.scale ?? 4,
    size = opts.size ?? DEFAULT_SIZE;
  if (size % scale) throw new ConfigError(`the report's image size ${size} is not a multiple of the scale ${scale}`);
  const out: EvalImage[] = [];
  for (const [i, img] of images.entries()) {
    const rgb = quantize8(fromRgbPlanes(toRgbPlanes(img), img.width, img.height, 3, null, img.name));
    const hr =
      img.width === size && img.height === size ? rgb : await onGpu(rgb, (x) => E.resize(x, size, size, { method: 'bicubic', antialias: true }));
    const lr = opts.lowRes ? await opts.lowRes(hr, i) : await onGpu(hr, (x) => makeLr(x, scale));
    out.push({ name: img.name ?? `image ${i}`, hr, lr, bicubic: await onGpu(lr, (x) => bicubicUpscale(x, scale)) });
  }
  return { scale, images: out };
}

/** Mean metrics of the set's bicubic upscales (fixed for a set: computed once per run). */
export function bicubicMetrics(set: EvalSet): MetricSet {
  return meanMetrics(set.images.map((im) => compareImages(im.bicubic, im.hr, set.scale)));
}

/**
 * A model's outputs on the set (8-bit, as saved images are) and their mean metrics, by the
 * protocol of src/srgan/metrics.ts: 8-bit LR in, the border of `scale` pixels cropped, Y channel.
 */
export async function evaluateSet(set: EvalSet, upscale: Upscale): Promise<{ outputs: HostImage[]; metrics: MetricSet }> {
  const outputs: HostImage[] = [];
  for (const im of set.images) {
    const sr = await upscale(im.lr);
    if (sr.width !== im.hr.width || sr.height !== im.hr.height)
      throw new Error(`run report: the model gave ${sr.width}×${sr.height} for ${im.name} (expected ${im.hr.width}×${im.hr.height})`);
    outputs.push(quantize8({ ...sr, data: clampUnit(Float32Array.from(sr.data)) }));
  }
  return { outputs, metrics: meanMetrics(outputs.map((o, i) => compareImages(o, set.images[i].hr, set.scale))) };
}
