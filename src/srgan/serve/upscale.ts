/**
 * Upscale an image of any size through overlapping tiles. Each tile is an LR core plus `overlap`
 * pixels of context on every side; only the core's part of the output is kept. A model whose receptive
 * field reaches no further than `overlap` LR pixels therefore gives the same result tiled as
 * untiled, with no seams. At the image's edges the context comes from the image mirrored (reflection
 * padding, `edgePad` pixels): a convolution's own zero padding there is a black frame that some
 * models (UpscalerJS's ESRGANs) turn into stripes along the edges. Alpha is upscaled with the
 * training bicubic through the same tiles (without the mirror: bicubic already repeats the edge);
 * grey in gives grey out. An AbortSignal stops the work between tiles, with nothing left on the GPU.
 *
 * The work streams: tiles are read from the input's samples (8-bit, 16-bit or float) as they are
 * needed, and the output leaves one strip (a row of tiles) at a time, so a caller that encodes
 * strips as they come (the CLI) holds one strip of the output, never the whole of it.
 */
import * as E from '../../engine/index.js';
import { bicubicUpscale } from '../data/degrade.js';
import { selfEnsemble, type Planes } from './self-ensemble.js';
import { checkImage, hasAlpha, ImageShapeError, type Channels, type HostImage } from '../image/types.js';

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
    const n = Math.ceil(len / tile),
      base = Math.floor(len / n),
      extra = len % n,
      padded = len + 2 * pad;
    const win = Math.min(padded, base + (extra ? 1 : 0) + 2 * overlap);
    return Array.from({ length: n }, (_, i) => {
      const start = i * base + Math.min(i, extra);
      return [start, base + (i < extra ? 1 : 0), Math.min(Math.max(0, start + pad - overlap), padded - win), win];
    });
  };
  const tiles: Tile[] = [];
  for (const [y, h, iy, ih] of axis(height)) for (const [x, w, ix, iw] of axis(width)) tiles.push({ x, y, w, h, ix, iy, iw, ih });
  return tiles;
}

/**
 * The default core side: the largest square tile (with context) under the binding limit, at most 256.
 * The engine's own limits: what the WebGPU device was granted (the adapter's), or the CPU backend's.
 */
export function defaultTile(overlap: number, bytesPerLrPixel = 4096): number {
  const limit = E.engine().limits.maxStorageBufferBindingSize ?? 128 * 2 ** 20;
  const side = Math.floor(Math.sqrt(limit / bytesPerLrPixel)) - 2 * overlap;
  return Math.max(16, Math.min(256, side));
}

/** Index into [0, len) of position i mirrored about the edges (no edge repeat, as PyTorch's ReflectionPad). */
export function reflectIndex(i: number, len: number): number {
  if (len === 1) return 0;
  const period = 2 * (len - 1),
    m = ((i % period) + period) % period;
  return m < len ? m : period - m;
}

/** The pixels tiles are read from: interleaved samples, value / max in [0, 1] (8-bit, 16-bit or float images). */
export interface PixelSource {
  width: number;
  height: number;
  channels: Channels;
  samples: ArrayLike<number>;
  max: number;
}

/** Output rows [y, y + height) of the whole result, interleaved with the input's channels, in [0, 1]. */
export interface OutputStrip {
  y: number;
  height: number;
  width: number;
  channels: Channels;
  data: Float32Array;
}

/** One window of the source as planes [C, ih, iw]: RGB (grey repeated) mirrored around the edges, or alpha. */
function readWindow(src: PixelSource, ix: number, iy: number, iw: number, ih: number, pad: number, alpha: boolean): Planes {
  const { width: W, height: H, channels: C, samples, max } = src;
  const planes = alpha ? 1 : 3,
    data = new Float32Array(planes * iw * ih);
  const cols = Int32Array.from({ length: iw }, (_, x) => reflectIndex(ix + x - pad, W) * C);
  const channelOf = (p: number) => (alpha ? C - 1 : C <= 2 ? 0 : p);
  for (let r = 0; r < ih; r++) {
    const row = reflectIndex(iy + r - pad, H) * W * C;
    for (let p = 0; p < planes; p++) {
      const c = channelOf(p),
        dst = (p * ih + r) * iw;
      for (let x = 0; x < iw; x++) data[dst + x] = samples[row + cols[x] + c] / max;
    }
  }
  return { data, channels: planes, width: iw, height: ih };
}

/** `fn` on planes [C, h, w] → [C, h·scale, w·scale] on the engine; its intermediates are freed in E.tidy. */
async function runPlanes(fn: (x: E.Tensor) => E.Tensor, p: Planes, scale: number): Promise<Planes> {
  const shape = [1, p.channels, p.height, p.width];
  const y = E.tidy(() => fn(E.Tensor.fromArray(p.data, shape)));
  try {
    const want = [1, p.channels, p.height * scale, p.width * scale];
    if (y.shape.length !== 4 || y.shape.some((d, i) => d !== want[i]))
      throw new E.ShapeError(`upscale: the model returned [${y.shape}] for a tile of [${shape}], expected [${want}]`);
    return { data: await y.read(), channels: p.channels, width: p.width * scale, height: p.height * scale };
  } finally {
    y.dispose();
  }
}

const unit = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Copy a tile's core from the model's output (planes of the whole window, whose core starts at
 * dx, dy) into the strip, clamped to [0, 1], as the input's channels: grey is the mean of the three
 * planes (a model fed grey returns near-equal channels; the mean is the least-squares grey), alpha
 * comes from its own plane.
 */
function placeCore(
  strip: OutputStrip,
  rgb: Planes,
  alpha: Planes | null,
  alphaAt: [number, number],
  coreAt: [number, number],
  dx: number,
  dy: number,
  w: number,
  h: number,
): void {
  const { channels: C, width: W, data } = strip,
    grey = C <= 2,
    n = rgb.width * rgb.height;
  for (let r = 0; r < h; r++) {
    const src = (dy + r) * rgb.width + dx,
      dst = ((coreAt[1] + r) * W + coreAt[0]) * C;
    const asrc = alpha ? (alphaAt[1] + r) * alpha.width + alphaAt[0] : 0;
    for (let x = 0; x < w; x++) {
      const o = dst + x * C,
        s = src + x;
      if (grey) data[o] = (unit(rgb.data[s]) + unit(rgb.data[n + s]) + unit(rgb.data[2 * n + s])) / 3;
      else for (let c = 0; c < 3; c++) data[o + c] = unit(rgb.data[c * n + s]);
      if (alpha) data[o + C - 1] = unit(alpha.data[asrc + x]);
    }
  }
}

/** The `total` that onProgress counts to: one per model run (8 per tile with the self-ensemble), one per alpha tile. */
export function progressTotal(
  image: { width: number; height: number; channels: Channels },
  tile: number,
  overlap: number,
  selfEnsemble: boolean,
): number {
  const tiles = planTiles(image.width, image.height, tile, overlap).length;
  return tiles * (selfEnsemble ? 8 : 1) + (hasAlpha(image) ? tiles : 0);
}

/**
 * Upscale `source` with `run` (see upscaleImage), handing the result to `onStrip` one row of tiles
 * at a time, top to bottom; the next strip starts once `onStrip` has resolved (backpressure for an
 * encoder). Memory: the source, one strip and one tile's worth of work, whatever the image's height.
 */
export async function upscaleStrips(
  run: (lrTile: E.Tensor) => E.Tensor,
  source: PixelSource,
  opts: UpscaleOptions,
  onStrip: (strip: OutputStrip) => Promise<void> | void,
): Promise<void> {
  const scale = opts.scale ?? 4;
  if (!Number.isInteger(scale) || scale < 1) throw new ImageShapeError(`upscale: scale must be a positive integer, got ${scale}`);
  const overlap = opts.overlap ?? 16;
  const tile = opts.tile ?? defaultTile(overlap, opts.bytesPerLrPixel);
  const { width, height, channels } = source;
  const pad = opts.edgePad ?? overlap;
  // The same cores in the same order; RGB windows in the mirrored image's coordinates, alpha's in the image's.
  const tiles = planTiles(width, height, tile, overlap, pad),
    alphaTiles = planTiles(width, height, tile, overlap);
  const withAlpha = hasAlpha(source);
  const total = progressTotal(source, tile, overlap, !!opts.selfEnsemble);
  let done = 0;
  const tick = () => opts.onProgress?.(++done, total);
  const model = async (p: Planes) => {
    const out = await runPlanes(run, p, scale);
    tick();
    return out;
  };
  const outWidth = width * scale;
  for (let i = 0; i < tiles.length;) {
    const rowY = tiles[i].y,
      rowH = tiles[i].h;
    const strip: OutputStrip = {
      y: rowY * scale,
      height: rowH * scale,
      width: outWidth,
      channels,
      data: new Float32Array(outWidth * rowH * scale * channels),
    };
    for (; i < tiles.length && tiles[i].y === rowY; i++) {
      opts.signal?.throwIfAborted();
      const t = tiles[i],
        a = alphaTiles[i];
      const window = readWindow(source, t.ix, t.iy, t.iw, t.ih, pad, false);
      const rgb = await (opts.selfEnsemble ? selfEnsemble(window, model) : model(window));
      // bicubic reaches 2 LR pixels, well inside any overlap ≥ 2; alpha needs no model.
      const alpha = withAlpha ? await runPlanes((x) => bicubicUpscale(x, scale), readWindow(source, a.ix, a.iy, a.iw, a.ih, 0, true), scale) : null;
      if (alpha) tick();
      placeCore(
        strip,
        rgb,
        alpha,
        [(t.x - a.ix) * scale, (t.y - a.iy) * scale],
        [t.x * scale, 0],
        (t.x + pad - t.ix) * scale,
        (t.y + pad - t.iy) * scale,
        t.w * scale,
        t.h * scale,
      );
    }
    await onStrip(strip);
  }
}

/**
 * Upscale `image` with `run`, a model mapping an LR tile [1, 3, h, w] in [0, 1] to [1, 3, h·scale,
 * w·scale] in [0, 1] (an InferenceModel's `run`, see inference.ts). `run` is called inside E.tidy,
 * so its intermediates are freed.
 * The result has the input's channels (grey stays grey, alpha is kept) and values in [0, 1].
 */
export async function upscaleImage(run: (lrTile: E.Tensor) => E.Tensor, image: HostImage, opts: UpscaleOptions = {}): Promise<HostImage> {
  checkImage(image);
  const scale = opts.scale ?? 4,
    { width, height, channels } = image;
  const out = new Float32Array(width * scale * height * scale * channels);
  await upscaleStrips(run, { width, height, channels, samples: image.data, max: 1 }, opts, (s) => out.set(s.data, s.y * s.width * channels));
  return { width: width * scale, height: height * scale, channels, data: out, name: image.name };
}
