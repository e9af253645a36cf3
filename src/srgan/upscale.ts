/**
 * Upscale an image of any size through overlapping tiles. Each tile is an LR core plus `overlap`
 * pixels of context on every side; only the core's part of the output is kept. A model whose receptive
 * field reaches no further than `overlap` LR pixels therefore gives the same result tiled as
 * untiled, with no seams. At the image's edges the context comes from the image mirrored (reflection
 * padding, `edgePad` pixels): a convolution's own zero padding there is a black frame that some
 * models (UpscalerJS's ESRGANs) turn into stripes along the edges. Alpha is upscaled with the
 * training bicubic through the same tiles (without the mirror: bicubic already repeats the edge);
 * grey in gives grey out. An AbortSignal stops the work between tiles, with nothing left on the GPU.
 */
import * as E from '../engine/index.js';
import { bicubicUpscale } from './data/degrade.js';
import { selfEnsemble, type Planes } from './self-ensemble.js';
import { alphaPlane, checkImage, clampUnit, fromRgbPlanes, ImageShapeError, toRgbPlanes, type HostImage } from './image/types.js';

export interface UpscaleOptions {
  scale?: number;
  /** LR side of a tile's core in pixels (default: as large as the adapter's buffer limit allows, at most 256). */
  tile?: number;
  /** LR pixels of context on each side of a core (default 16; at least the model's receptive radius for no seams). */
  overlap?: number;
  /**
   * LR pixels of the image mirrored around each edge before tiling (default: `overlap`), so that
   * tiles at the edge see picture, not the model's zero padding. 0 gives the model's own padding.
   */
  edgePad?: number;
  /** Stops the work before the next tile (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Geometric self-ensemble: average the model over the 8 flips and transpositions of the image
   * (see self-ensemble.ts). 8× the work; alpha stays a single bicubic pass.
   */
  selfEnsemble?: boolean;
  /** Called after each tile with the tiles done and the total (alpha tiles included). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Bytes the model's largest activation takes per LR pixel, used to size the default tile against
   * maxStorageBufferBindingSize. Default 4096: the paper generator's upsampler (256 f32 channels at
   * 2× resolution = 256 · 4 · 4 bytes).
   */
  bytesPerLrPixel?: number;
}

export interface Tile {
  /** Core (kept) rectangle, LR pixels. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Input rectangle: the core plus its context, inside the image padded by `pad` on each side (and in its coordinates). */
  ix: number;
  iy: number;
  iw: number;
  ih: number;
}

/**
 * Cores of at most tile×tile covering the image, each read with at least `overlap` pixels of context
 * on every side that is not an edge of the image padded by `pad` pixels (so with pad ≥ overlap, on
 * every side). Every input window has the same size (windows near an edge slide inward instead of
 * shrinking), so all tiles share one shape: the engine compiles its kernels once and reuses the
 * same buffers.
 */
export function planTiles(width: number, height: number, tile: number, overlap: number, pad = 0): Tile[] {
  if (!Number.isInteger(tile) || tile < 1) throw new ImageShapeError(`upscale: tile must be a positive integer, got ${tile}`);
  if (!Number.isInteger(overlap) || overlap < 0) throw new ImageShapeError(`upscale: overlap must be an integer ≥ 0, got ${overlap}`);
  if (!Number.isInteger(pad) || pad < 0) throw new ImageShapeError(`upscale: edgePad must be an integer ≥ 0, got ${pad}`);
  // Per axis: [core start, core length, window start, window length]; windows in padded coordinates.
  const axis = (len: number) => {
    const n = Math.ceil(len / tile), base = Math.floor(len / n), extra = len % n, padded = len + 2 * pad;
    const win = Math.min(padded, base + (extra ? 1 : 0) + 2 * overlap);
    return Array.from({ length: n }, (_, i) => {
      const start = i * base + Math.min(i, extra);
      return [start, base + (i < extra ? 1 : 0), Math.min(Math.max(0, start + pad - overlap), padded - win), win];
    });
  };
  const tiles: Tile[] = [];
  for (const [y, h, iy, ih] of axis(height))
    for (const [x, w, ix, iw] of axis(width)) tiles.push({ x, y, w, h, ix, iy, iw, ih });
  return tiles;
}

/** The default core side: the largest square tile (with context) under the binding limit, at most 256. */
export function defaultTile(overlap: number, bytesPerLrPixel = 4096): number {
  const limit = E.engine().adapter.limits.maxStorageBufferBindingSize ?? 128 * 2 ** 20;
  const side = Math.floor(Math.sqrt(limit / bytesPerLrPixel)) - 2 * overlap;
  return Math.max(16, Math.min(256, side));
}

/** Index into [0, len) of position i mirrored about the edges (no edge repeat, as PyTorch's ReflectionPad). */
export function reflectIndex(i: number, len: number): number {
  if (len === 1) return 0;
  const period = 2 * (len - 1), m = ((i % period) + period) % period;
  return m < len ? m : period - m;
}

/** Planes [C, H, W] padded by `pad` on every side with the image mirrored: [C, H + 2·pad, W + 2·pad]. */
export function reflectPad(planes: Float32Array, channels: number, width: number, height: number, pad: number): Float32Array {
  if (pad === 0) return planes;
  const pw = width + 2 * pad, ph = height + 2 * pad;
  const out = new Float32Array(channels * pw * ph);
  const cols = Int32Array.from({ length: pw }, (_, x) => reflectIndex(x - pad, width));
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < ph; y++) {
      const src = c * width * height + reflectIndex(y - pad, height) * width, dst = (c * ph + y) * pw;
      for (let x = 0; x < pw; x++) out[dst + x] = planes[src + cols[x]];
    }
  return out;
}

/**
 * Run `fn` ([1, C, ih, iw] → [1, C, ih·scale, iw·scale]) over every tile of `planes` ([C, H, W],
 * padded by `pad` with reflection) and assemble the cores' outputs into [C, H·scale, W·scale].
 */
async function runTiles(planes: Float32Array, channels: number, width: number, height: number, tiles: Tile[], pad: number,
  fn: (x: E.Tensor) => E.Tensor, scale: number, tick: () => void, signal?: AbortSignal): Promise<Float32Array> {
  const W = width * scale, H = height * scale;
  const out = new Float32Array(channels * W * H);
  const padded = reflectPad(planes, channels, width, height, pad), pw = width + 2 * pad, ph = height + 2 * pad;
  for (const t of tiles) {
    signal?.throwIfAborted();
    const input = new Float32Array(channels * t.iw * t.ih);
    for (let c = 0; c < channels; c++)
      for (let r = 0; r < t.ih; r++) {
        const src = c * pw * ph + (t.iy + r) * pw + t.ix;
        input.set(padded.subarray(src, src + t.iw), (c * t.ih + r) * t.iw);
      }
    const y = E.tidy(() => fn(E.Tensor.fromArray(input, [1, channels, t.ih, t.iw])));
    let data: Float32Array;
    try {
      const want = [1, channels, t.ih * scale, t.iw * scale];
      if (y.shape.length !== 4 || y.shape.some((d, i) => d !== want[i]))
        throw new E.ShapeError(`upscale: the model returned [${y.shape}] for a tile of [${[1, channels, t.ih, t.iw]}], expected [${want}]`);
      data = await y.read();
    } finally {
      y.dispose();
    }
    const ow = t.iw * scale, oh = t.ih * scale;
    const dx = (t.x + pad - t.ix) * scale, dy = (t.y + pad - t.iy) * scale;
    for (let c = 0; c < channels; c++)
      for (let r = 0; r < t.h * scale; r++) {
        const src = (c * oh + dy + r) * ow + dx, dst = c * W * H + (t.y * scale + r) * W + t.x * scale;
        out.set(data.subarray(src, src + t.w * scale), dst);
      }
    tick();
  }
  return clampUnit(out);
}

/**
 * Upscale `image` with `run`, a model mapping an LR tile [1, 3, h, w] in [0, 1] to [1, 3, h·scale,
 * w·scale] in [0, 1] (an InferenceModel's `run`, see inference.ts). `run` is called inside E.tidy,
 * so its intermediates are freed.
 * The result has the input's channels (grey stays grey, alpha is kept) and values in [0, 1].
 */
export async function upscaleImage(run: (lrTile: E.Tensor) => E.Tensor, image: HostImage, opts: UpscaleOptions = {}): Promise<HostImage> {
  checkImage(image);
  const scale = opts.scale ?? 4;
  if (!Number.isInteger(scale) || scale < 1) throw new ImageShapeError(`upscale: scale must be a positive integer, got ${scale}`);
  const overlap = opts.overlap ?? 16;
  const tile = opts.tile ?? defaultTile(overlap, opts.bytesPerLrPixel);
  const { width, height } = image;
  const pad = opts.edgePad ?? overlap;
  const tiles = planTiles(width, height, tile, overlap);
  const alpha = alphaPlane(image);
  // A transposed image (half of the ensemble's maps) may cut into another number of tiles.
  const modelTiles = opts.selfEnsemble ? 4 * (tiles.length + planTiles(height, width, tile, overlap, pad).length) : tiles.length;
  const total = modelTiles + (alpha ? tiles.length : 0);
  let done = 0;
  const tick = () => opts.onProgress?.(++done, total);
  const model = async (p: Planes): Promise<Planes> => ({
    data: await runTiles(p.data, 3, p.width, p.height, planTiles(p.width, p.height, tile, overlap, pad), pad, run, scale, tick, opts.signal),
    channels: 3, width: p.width * scale, height: p.height * scale,
  });
  const planes: Planes = { data: toRgbPlanes(image), channels: 3, width, height };
  const rgb = (await (opts.selfEnsemble ? selfEnsemble(planes, model) : model(planes))).data;
  // bicubic reaches 2 LR pixels, well inside any overlap ≥ 2; alpha needs no model.
  const a = alpha && await runTiles(alpha, 1, width, height, tiles, 0, (x) => bicubicUpscale(x, scale), scale, tick, opts.signal);
  return fromRgbPlanes(rgb, width * scale, height * scale, image.channels, a, image.name);
}
