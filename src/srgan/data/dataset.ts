/**
 * Training batches of random HR crops from a set of photos, on the host: [B, 3, crop, crop] in [0, 1].
 * The LR input is made from them on the GPU (degrade.ts), so this file never touches a tensor.
 *
 * Determinism: every crop (which image, where, flipped or not) is drawn from one seeded generator,
 * synchronously and in batch order, before any pixel is touched. Decoding and copying then run
 * ahead of the training loop (`prefetch` batches, a bounded queue) in whatever order they finish,
 * but batches come out in the order they were drawn, so timing never changes the data.
 * `state` is the generator's state after the last batch `next()` returned (not after the ones
 * prefetched), so `restore(state)` continues exactly where a saved run stopped.
 *
 * Images smaller than the crop are skipped with a warning rather than upscaled: an upscaled image
 * would teach the model that blurry interpolated pixels are the sharp target.
 *
 * With a `degrade` spec other than bicubic (degradations/spec.ts) each batch also carries its LR,
 * made here on the host: each crop draws one seed after its flip, and its degradation runs from a
 * generator of its own, so the LR depends on nothing but the dataset's seed and the batch index.
 */
import type { HostImage } from '../image/types.js';
import { PixelCache, type PackedRgb } from './pixel-cache.js';
import { SeededRng } from './rng.js';
import { degradePlanes, isPlainBicubic, parseDegradeSpec, type DegradeSpec } from './degradations/index.js';
import { DataError } from '../errors.js';

export const DEFAULT_CACHE_BYTES = 1.5 * 2 ** 30;

/** No usable image, a bad option, or a bad saved state. */
export class DatasetError extends DataError {
  override name = 'DatasetError';
}

/** One image the dataset can crop from; `load` may be called again after the cache dropped it. */
export interface ImageSource {
  name: string;
  width: number;
  height: number;
  load(): Promise<HostImage | PackedRgb>;
}

export interface DatasetOptions {
  /** HR crop side in pixels (cfg.hrCrop). */
  crop: number;
  batch: number;
  seed: number;
  /** Random horizontal flips (default true). */
  flips?: boolean;
  /** Batches decoded ahead of the one being trained on (default 2). */
  prefetch?: number;
  /** Memory for decoded images, packed RGB (default 1.5 GiB); beyond it, least recently used images are decoded again. */
  cacheBytes?: number;
  /** Where skipped images are reported (default console.warn). */
  warn?: (message: string) => void;
  /** How the LR is made (a degradation spec, e.g. 'realistic'); absent or 'bicubic': not here, by makeLr on the GPU. */
  degrade?: string;
  /** The LR is crop / scale (default 4). */
  scale?: number;
}

export interface CropSpec {
  image: number;
  name: string;
  x: number;
  y: number;
  flip: boolean;
  /** Seed of this crop's degradation (with a `degrade` spec). */
  degradeSeed?: number;
}

export interface HostBatch {
  /** [B, 3, crop, crop] planar RGB in [0, 1], ready for Tensor.fromArray(data, shape). */
  data: Float32Array;
  shape: [number, number, number, number];
  crops: CropSpec[];
  /** The degraded LR, [B, 3, crop/scale, crop/scale] in [0, 1] (with a `degrade` spec; otherwise the trainer makes it). */
  lowRes?: { data: Float32Array; shape: [number, number, number, number] };
}

/** All a checkpoint needs to continue the same sequence of batches. */
export interface DatasetState {
  rng: number;
  batches: number;
}

interface Pending {
  batch: Promise<HostBatch>;
  stateAfter: DatasetState;
}

export class PhotoDataset {
  readonly sources: readonly ImageSource[];
  readonly crop: number;
  readonly batch: number;
  private readonly flips: boolean;
  private readonly prefetch: number;
  private readonly rng: SeededRng;
  private readonly degrade?: { spec: DegradeSpec; scale: number };
  private readonly cache: PixelCache;
  private queue: Pending[] = [];
  private drawn = 0;
  private consumed: DatasetState;

  /** Keep the sources at least as large as the crop (warning about the others); none left is an error. */
  constructor(sources: readonly ImageSource[], opts: DatasetOptions) {
    const { crop, batch } = opts;
    if (!Number.isInteger(crop) || crop < 1) throw new DatasetError(`crop must be a positive integer, got ${crop}`);
    if (!Number.isInteger(batch) || batch < 1) throw new DatasetError(`batch must be a positive integer, got ${batch}`);
    const warn = opts.warn ?? ((m: string) => console.warn(m));
    const usable = sources.filter((s) => {
      const ok = s.width >= crop && s.height >= crop;
      if (!ok) warn(`skipping ${s.name}: ${s.width}×${s.height} is smaller than the ${crop}-px training crop`);
      return ok;
    });
    if (!usable.length)
      throw new DatasetError(sources.length
        ? `no image is at least ${crop}×${crop} px (the training crop) among ${sources.length}: use larger photos or a smaller crop`
        : 'no usable image: the dataset is empty');
    this.sources = usable;
    this.crop = crop;
    this.batch = batch;
    this.flips = opts.flips ?? true;
    this.prefetch = Math.max(1, opts.prefetch ?? 2);
    this.rng = new SeededRng(opts.seed);
    const spec = opts.degrade === undefined ? undefined : parseDegradeSpec(opts.degrade);
    const scale = opts.scale ?? 4;
    if (spec && !isPlainBicubic(spec)) {
      if (crop % scale) throw new DatasetError(`crop ${crop} is not a multiple of the scale ${scale}`);
      this.degrade = { spec, scale };
    }
    this.cache = new PixelCache(opts.cacheBytes ?? DEFAULT_CACHE_BYTES, (i) => this.sources[i].load());
    this.consumed = { rng: this.rng.state, batches: 0 };
  }

  /** A dataset over images already decoded (the browser, tests); they are kept in memory. */
  static fromImages(images: readonly HostImage[], opts: DatasetOptions): PhotoDataset {
    const sources = images.map((img, i) => ({
      name: img.name ?? `image ${i}`, width: img.width, height: img.height, load: async () => img,
    }));
    const ds = new PhotoDataset(sources, { cacheBytes: Infinity, ...opts });
    ds.sources.forEach((s, i) => ds.primeCache(i, images[sources.indexOf(s as (typeof sources)[number])]));
    return ds;
  }

  /** Hand over pixels decoded while opening, so the first batches need no second decode. */
  primeCache(index: number, img: HostImage | PackedRgb): void {
    this.cache.prime(index, img);
  }

  get state(): DatasetState {
    return { ...this.consumed };
  }

  /** Continue from a saved state: prefetched batches are dropped and drawn again from there. */
  restore(state: DatasetState): void {
    if (!state || !Number.isInteger(state.batches) || state.batches < 0)
      throw new DatasetError(`restore: not a dataset state: ${JSON.stringify(state)}`);
    this.rng.state = state.rng;
    this.drawn = state.batches;
    this.queue = [];
    this.consumed = { ...state };
  }

  /** The next batch; keeps `prefetch` more in preparation. */
  async next(): Promise<HostBatch> {
    this.fill();
    const head = this.queue.shift()!;
    this.fill();
    const batch = await head.batch;
    this.consumed = head.stateAfter;
    return batch;
  }

  private fill(): void {
    while (this.queue.length < this.prefetch) {
      const crops = this.draw();
      const batch = this.assemble(crops);
      // A failure is reported when its batch is awaited, not as an unhandled rejection meanwhile.
      batch.catch(() => {});
      this.queue.push({ batch, stateAfter: { rng: this.rng.state, batches: ++this.drawn } });
    }
  }

  /** Draw one batch's crops: image, then y, x, then the flip, per sample. */
  private draw(): CropSpec[] {
    return Array.from({ length: this.batch }, () => {
      const image = this.rng.int(this.sources.length);
      const s = this.sources[image];
      const y = this.rng.int(s.height - this.crop + 1);
      const x = this.rng.int(s.width - this.crop + 1);
      const flip = this.flips ? this.rng.next() < 0.5 : false;
      // Drawn only with a degradation, so plain runs keep the crop sequence they always had.
      return this.degrade ? { image, name: s.name, x, y, flip, degradeSeed: this.rng.int(2 ** 32) } : { image, name: s.name, x, y, flip };
    });
  }

  private async assemble(crops: CropSpec[]): Promise<HostBatch> {
    const c = this.crop, plane = c * c;
    const data = new Float32Array(crops.length * 3 * plane);
    const d = this.degrade, lc = d ? c / d.scale : 0;
    const lowRes = d && { data: new Float32Array(crops.length * 3 * lc * lc), shape: [crops.length, 3, lc, lc] as HostBatch['shape'] };
    await Promise.all(crops.map(async (spec, b) => {
      const px = await this.cache.get(spec.image);
      const hr = data.subarray(b * 3 * plane, (b + 1) * 3 * plane);
      copyCrop(px, spec, c, hr);
      if (d) lowRes!.data.set(degradePlanes(d.spec, { width: c, height: c, data: hr }, d.scale, new SeededRng(spec.degradeSeed!)).data, b * 3 * lc * lc);
    }));
    return { data, shape: [crops.length, 3, c, c], crops, ...(lowRes ? { lowRes } : {}) };
  }
}

/** Copy a crop×crop window (mirrored when flipped) of packed RGB into planar floats. */
function copyCrop(px: PackedRgb, spec: CropSpec, crop: number, out: Float32Array): void {
  const { width: w, height: h, samples, max } = px;
  if (spec.x + crop > w || spec.y + crop > h)
    throw new DatasetError(`${spec.name} is ${w}×${h} now, too small for the crop at ${spec.x},${spec.y} (was the file replaced?)`);
  const inv = 1 / max;
  for (let ch = 0; ch < 3; ch++)
    for (let r = 0; r < crop; r++) {
      const src = ((spec.y + r) * w + spec.x) * 3 + ch;
      const dst = (ch * crop + r) * crop;
      for (let k = 0; k < crop; k++) out[dst + k] = samples[src + 3 * (spec.flip ? crop - 1 - k : k)] * inv;
    }
}
