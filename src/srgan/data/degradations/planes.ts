/**
 * The degradations work on planar RGB on the host: [3, H, W] float32 in [0, 1] (the layout of a
 * training batch's sample). Host code runs unchanged in Node and in the browser's training worker,
 * and a JPEG step needs the pixels on the host anyway (see ../../../../docs/training.md for the
 * timing that made the host the place for blur and resize too).
 */
import { fromRgbPlanes, toRgbPlanes, type HostImage } from '../../image/types.js';

export interface Planes {
  width: number;
  height: number;
  /** 3 · height · width values: R plane, G plane, B plane, each row-major. */
  data: Float32Array;
}

export const planesOf = (img: HostImage): Planes => ({ width: img.width, height: img.height, data: toRgbPlanes(img) });

export const hostImageOf = (p: Planes, name?: string): HostImage => fromRgbPlanes(p.data, p.width, p.height, 3, null, name);

/** Clamp into [0, 1] in place (after noise, as Real-ESRGAN does before the next step). */
export function clampPlanes(p: Planes): Planes {
  const d = p.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i];
  return p;
}

/** Clamp and round to 8 bits in place: the LR a model meets is an 8-bit file. */
export function round8(p: Planes): Planes {
  const d = p.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.round((d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i]) * 255) / 255;
  return p;
}

/** BT.601 luma of each pixel (what a grey-noise step and JPEG's Y see). */
export function luma(p: Planes): Float32Array {
  const n = p.width * p.height, d = p.data, out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i] + 0.587 * d[n + i] + 0.114 * d[2 * n + i];
  return out;
}

/** Index into [0, n) mirrored at the borders without repeating the edge (PyTorch's 'reflect' pad), for any distance. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}
