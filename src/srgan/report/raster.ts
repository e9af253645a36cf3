/**
 * 8-bit RGB images on the host, for the figures a run writes (grids, contact sheets): blank
 * canvases, copies, nearest-neighbour enlargement. Platform-neutral (no canvas in Node), so the
 * CLI's run folder and the app's worker compose the same pixels.
 */
import type { HostImage } from '../image/types.js';

/** 8-bit RGB, row-major, 3 bytes a pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type Rgb = readonly [number, number, number];

export function blankRgb(width: number, height: number, fill: Rgb = [255, 255, 255]): RgbImage {
  const data = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(fill, 3 * i);
  return { width, height, data };
}

/** Copy `src` into `dst` with its top-left corner at (x, y); parts outside `dst` are cut off. */
export function blit(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  const x0 = Math.max(0, x),
    x1 = Math.min(dst.width, x + src.width);
  if (x1 <= x0) return;
  for (let r = Math.max(0, y); r < Math.min(dst.height, y + src.height); r++) {
    const s = ((r - y) * src.width + (x0 - x)) * 3;
    dst.data.set(src.data.subarray(s, s + (x1 - x0) * 3), (r * dst.width + x0) * 3);
  }
}

export function fillRect(dst: RgbImage, x: number, y: number, w: number, h: number, color: Rgb): void {
  for (let r = Math.max(0, y); r < Math.min(dst.height, y + h); r++)
    for (let c = Math.max(0, x); c < Math.min(dst.width, x + w); c++) dst.data.set(color, (r * dst.width + c) * 3);
}

/** A host image ([0, 1] floats, any channel count) as 8-bit RGB: grey repeated, alpha dropped. */
export function rgbFromHost(img: HostImage): RgbImage {
  const { width, height, channels: ch } = img;
  const out = new Uint8ClampedArray(width * height * 3);
  const grey = ch <= 2;
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(img.data[i * ch + (grey ? 0 : c)] * 255);
  return { width, height, data: out };
}

/** Each pixel repeated `scale`×`scale` times, so an LR image's pixels stay visible at HR size. */
export function nearestUpscale(img: RgbImage, scale: number): RgbImage {
  const out = blankRgb(img.width * scale, img.height * scale);
  for (let y = 0; y < out.height; y++)
    for (let x = 0; x < out.width; x++) {
      const s = (((y / scale) | 0) * img.width + ((x / scale) | 0)) * 3;
      out.data.set(img.data.subarray(s, s + 3), (y * out.width + x) * 3);
    }
  return out;
}

export function cropRgb(img: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const out = blankRgb(width, height);
  blit(out, img, -x, -y);
  return out;
}
