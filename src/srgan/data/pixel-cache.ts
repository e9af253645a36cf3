/**
 * Decoded training images kept in memory as packed interleaved RGB (8- or 16-bit integers when the
 * file was, so a photo costs 3 bytes a pixel instead of 12), least recently used first out when over the byte budget.
 * Loads in flight are shared, so a batch that crops one photo eight times decodes it once.
 */
import type { HostImage } from '../image/types.js';

/** Interleaved RGB samples, samples[(y·width + x)·3 + c]; value = sample / max. */
export interface PackedRgb {
  width: number;
  height: number;
  samples: Uint8Array | Uint16Array | Float32Array;
  max: number;
}

/** Pack a float image: integers again when it came from an 8/16-bit file (exact), floats otherwise. */
export function packRgb(img: HostImage): PackedRgb {
  const max = img.bitDepth === 8 ? 255 : img.bitDepth === 16 ? 65535 : 1;
  const n = img.width * img.height, ch = img.channels;
  const samples = max === 255 ? new Uint8Array(3 * n) : max === 65535 ? new Uint16Array(3 * n) : new Float32Array(3 * n);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      const v = img.data[i * ch + (ch <= 2 ? 0 : c)] * max;
      samples[i * 3 + c] = max === 1 ? v : Math.round(v);
    }
  return { width: img.width, height: img.height, samples, max };
}

const toPacked = (img: HostImage | PackedRgb): PackedRgb => ('samples' in img && 'max' in img ? img : packRgb(img));

export class PixelCache {
  private entries = new Map<number, { pixels: Promise<PackedRgb>; bytes: number }>();
  private used = 0;

  constructor(private readonly budgetBytes: number, private readonly load: (index: number) => Promise<HostImage | PackedRgb>) {}

  /** Put an already decoded image in (opening a folder decodes everything once to check it). */
  prime(index: number, img: HostImage | PackedRgb): void {
    if (this.entries.has(index)) return;
    const packed = toPacked(img);
    this.insert(index, Promise.resolve(packed), packed.samples.byteLength);
  }

  get(index: number): Promise<PackedRgb> {
    const hit = this.entries.get(index);
    if (hit) {
      // Re-insert to mark it most recently used (Map keeps insertion order).
      this.entries.delete(index);
      this.entries.set(index, hit);
      return hit.pixels;
    }
    const pixels = this.load(index).then(toPacked);
    const entry = { pixels, bytes: 0 };
    this.entries.set(index, entry);
    pixels.then((p) => {
      if (this.entries.get(index) !== entry) return;
      entry.bytes = p.samples.byteLength;
      this.used += entry.bytes;
      this.evict();
    }, () => this.entries.get(index) === entry && this.entries.delete(index));
    return pixels;
  }

  private insert(index: number, pixels: Promise<PackedRgb>, bytes: number): void {
    this.entries.set(index, { pixels, bytes });
    this.used += bytes;
    this.evict();
  }

  private evict(): void {
    for (const [k, e] of this.entries) {
      // Always keep the newest entry, even alone over budget: a crop needs its image.
      if (this.used <= this.budgetBytes || this.entries.size <= 1) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
  }
}
