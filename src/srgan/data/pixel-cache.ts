/**
 * Decoded training images kept in memory as packed RGB (8- or 16-bit integers when the file was, so a
 * photo costs 3 bytes a pixel instead of 12), least recently used first out when over the byte budget.
 * Loads in flight are shared, so a batch that crops one photo eight times decodes it once.
 */
import { toRgbPlanes, type HostImage } from '../image/types.js';

/** Planar RGB [3, H, W] samples; value = sample / max. */
export interface PackedRgb {
  width: number;
  height: number;
  planes: Uint8Array | Uint16Array | Float32Array;
  max: number;
}

export function packRgb(img: HostImage): PackedRgb {
  const f = toRgbPlanes(img);
  const max = img.bitDepth === 8 ? 255 : img.bitDepth === 16 ? 65535 : 1;
  if (max === 1) return { width: img.width, height: img.height, planes: f, max };
  const planes = max === 255 ? new Uint8Array(f.length) : new Uint16Array(f.length);
  for (let i = 0; i < f.length; i++) planes[i] = Math.round(f[i] * max);
  return { width: img.width, height: img.height, planes, max };
}

export class PixelCache {
  private entries = new Map<number, { pixels: Promise<PackedRgb>; bytes: number }>();
  private used = 0;

  constructor(private readonly budgetBytes: number, private readonly load: (index: number) => Promise<HostImage>) {}

  /** Put an already decoded image in (opening a folder decodes everything once to check it). */
  prime(index: number, img: HostImage | PackedRgb): void {
    if (this.entries.has(index)) return;
    const packed = 'planes' in img ? img : packRgb(img);
    this.insert(index, Promise.resolve(packed), packed.planes.byteLength);
  }

  get(index: number): Promise<PackedRgb> {
    const hit = this.entries.get(index);
    if (hit) {
      // Re-insert to mark it most recently used (Map keeps insertion order).
      this.entries.delete(index);
      this.entries.set(index, hit);
      return hit.pixels;
    }
    const pixels = this.load(index).then(packRgb);
    const entry = { pixels, bytes: 0 };
    this.entries.set(index, entry);
    pixels.then((p) => {
      if (this.entries.get(index) !== entry) return;
      entry.bytes = p.planes.byteLength;
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
