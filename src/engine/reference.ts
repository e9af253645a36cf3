/**
 * float64 CPU reference arrays. Every op family exports a reference built on these, and tests
 * compare the GPU against it and take finite differences of it.
 */
import { broadcastShapes, broadcastStrides, numel, stridesOf } from './shape.js';

export interface RefArray {
  data: Float64Array;
  shape: number[];
}

export const ref = (data: ArrayLike<number>, shape: readonly number[]): RefArray => ({ data: Float64Array.from(data), shape: [...shape] });

export function refMap(x: RefArray, f: (v: number) => number): RefArray {
  return { data: x.data.map(f), shape: [...x.shape] };
}

/** Broadcasting binary map (NumPy rules). */
export function refZip(a: RefArray, b: RefArray, f: (x: number, y: number) => number): RefArray {
  const shape = broadcastShapes('ref', a.shape, b.shape);
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const st = stridesOf(shape);
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    let rem = i,
      ia = 0,
      ib = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / st[d]);
      rem -= c * st[d];
      ia += c * sa[d];
      ib += c * sb[d];
    }
    out[i] = f(a.data[ia], b.data[ib]);
  }
  return { data: out, shape };
}

/** Gather through a permutation of axes. */
export function refPermute(x: RefArray, perm: readonly number[]): RefArray {
  const shape = perm.map((p) => x.shape[p]);
  const st = stridesOf(x.shape);
  const ost = stridesOf(shape);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    let rem = i,
      src = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / ost[d]);
      rem -= c * ost[d];
      src += c * st[perm[d]];
    }
    out[i] = x.data[src];
  }
  return { data: out, shape };
}
