/**
 * What an upscale will cost before it starts, and how long it has left while it runs. Time comes
 * from a rate measured on this adapter (milliseconds per input megapixel, per model, scale and
 * self-ensemble), stored in localStorage after each run that got past its first tile: the first
 * tile compiles the kernels, so the rate is taken over the tiles after it.
 */
import { duration } from '../srgan/report/summary.js';

/**
 * Bytes the page holds per output pixel while it upscales: the model's output and its bicubic
 * twin, each as float32 planes (12 B) and as an interleaved float32 image (12 B), then as 8-bit
 * RGBA pixels and a canvas (8 B) to encode them. 64 B in all; the tiles' GPU memory is small beside it.
 */
const BYTES_PER_OUTPUT_PIXEL = 64;
/** Above either, the view asks before it starts. */
export const LARGE_OUTPUT_PIXELS = 8e6;
export const LONG_UPSCALE_MS = 60_000;

const KEY = 'srgan-webgpu.upscale-rates';

export interface RateKey {
  adapter: string;
  model: string;
  scale: number;
  ensemble: boolean;
}

const keyOf = (k: RateKey) => `${k.adapter}|${k.model}|x${k.scale}|${k.ensemble ? 'ensemble' : 'plain'}`;

function readRates(): Record<string, number> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, number>;
  } catch {
    return {};
  }
}

/** The stored rate (ms per input megapixel) for this adapter and model, if one was measured. */
export function storedRate(k: RateKey): number | undefined {
  const r = readRates()[keyOf(k)];
  return Number.isFinite(r) && r > 0 ? r : undefined;
}

export function storeRate(k: RateKey, msPerMp: number): void {
  if (!(Number.isFinite(msPerMp) && msPerMp > 0)) return;
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...readRates(), [keyOf(k)]: msPerMp }));
  } catch {
    // A full or disabled storage only costs the next estimate.
  }
}

export interface Plan {
  outWidth: number;
  outHeight: number;
  bytes: number;
  /** Expected time in ms, from the stored rate; undefined when none was measured here yet. */
  ms?: number;
  large: boolean;
}

export function planUpscale(width: number, height: number, scale: number, rate: number | undefined): Plan {
  const outWidth = width * scale,
    outHeight = height * scale,
    outPixels = outWidth * outHeight;
  const ms = rate === undefined ? undefined : (rate * width * height) / 1e6;
  return {
    outWidth,
    outHeight,
    bytes: outPixels * BYTES_PER_OUTPUT_PIXEL,
    ms,
    large: outPixels >= LARGE_OUTPUT_PIXELS || (ms ?? 0) >= LONG_UPSCALE_MS,
  };
}

export const megapixels = (w: number, h: number) => `${w * h >= 1e5 ? ((w * h) / 1e6).toFixed(1) : ((w * h) / 1e6).toPrecision(2)} MP`;
export const formatBytes = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GB` : `${Math.max(1, Math.round(b / 2 ** 20))} MB`);
export const formatMs = (ms: number) => duration(Math.max(1, ms / 1000));

/**
 * Progress of one run: tiles done of the model pass (most of the time) and of the bicubic pass.
 * The ETA comes from the model pass's tiles after the first (the first one compiles kernels).
 */
export class UpscaleClock {
  readonly started = performance.now();
  private firstTileAt?: number;
  private lastTileAt?: number;
  tilesDone = 0;
  tiles = 0;

  tile(done: number, total: number): void {
    const now = performance.now();
    if (done === 1) this.firstTileAt = now;
    this.lastTileAt = now;
    [this.tilesDone, this.tiles] = [done, total];
  }

  /** ms per tile after the first, once two tiles are done. */
  private get steadyMsPerTile(): number | undefined {
    if (this.tilesDone < 2 || this.firstTileAt === undefined) return undefined;
    return (this.lastTileAt! - this.firstTileAt) / (this.tilesDone - 1);
  }

  /** Model-pass time left in ms; undefined before a rate is known. */
  get etaMs(): number | undefined {
    if (!this.tiles) return undefined;
    const perTile = this.steadyMsPerTile ?? (this.tilesDone ? (this.lastTileAt! - this.started) / this.tilesDone : undefined);
    return perTile === undefined ? undefined : perTile * (this.tiles - this.tilesDone);
  }

  /** ms per input megapixel, for the next estimate: steady tiles only when there were two or more. */
  msPerMp(inputPixels: number): number | undefined {
    if (!this.tilesDone || !this.tiles) return undefined;
    const perTile = this.steadyMsPerTile ?? (this.lastTileAt! - this.started) / this.tilesDone;
    return (perTile * this.tiles) / (inputPixels / 1e6);
  }
}
