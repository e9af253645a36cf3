/**
 * Image resampling for the data pipeline (making low-resolution inputs, upscaling baselines):
 * bicubic (a = −0.5) or bilinear, half-pixel centres, taps outside the image dropped and the rest
 * renormalised (PIL's border rule), and antialiased
 * downscaling by stretching the kernel over the scale factor. Values are not clamped to [0, 1]:
 * bicubic overshoots near edges as it does in PIL and Matlab.
 *
 * Forward only: the output does not record a gradient.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { fmt, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { resizeAxisKernel, type ResizeMethod } from '../kernels/resize.js';
import { resizeAxisCpu } from './cpu/resize.js';

export interface ResizeOptions {
  method?: ResizeMethod;
  /** Stretch the filter when downscaling so that every source pixel contributes (default true). */
  antialias?: boolean;
}

/** Filter geometry for one axis, shared by the GPU op and the reference. */
function axisFilter(inLen: number, outLen: number, method: ResizeMethod, antialias: boolean) {
  const scale = inLen / outLen;
  const filterScale = antialias && scale > 1 ? scale : 1;
  const radius = method === 'bicubic' ? 2 : 1;
  return { scale, filterScale, support: radius * filterScale };
}

function resizeAxis(
  x: Tensor,
  outShape: number[],
  outer: number,
  inLen: number,
  outLen: number,
  inner: number,
  method: ResizeMethod,
  antialias: boolean,
): Tensor {
  const f = axisFilter(inLen, outLen, method, antialias);
  const eng = engine();
  if (eng.kind === 'cpu') {
    const p = { scale: f.scale, support: f.support, invFilterScale: 1 / f.filterScale };
    return resizeAxisCpu(eng, method, x, outShape, outer, inLen, outLen, inner, p);
  }
  const y = Tensor.empty(outShape);
  const params = new ArrayBuffer(32);
  new Uint32Array(params, 0, 4).set([y.size, inLen, outLen, inner]);
  new Float32Array(params, 16, 3).set([f.scale, f.support, 1 / f.filterScale]);
  const wg = engine().tuning.elementwiseWG;
  const taps = 2 * Math.ceil(f.support) + 2;
  engine().runKernel(
    { name: `resize_${method}`, key: `${wg}`, ...resizeAxisKernel(method, wg) },
    {
      buffers: [x.buffer, y.buffer],
      params: new Uint8Array(params),
      workgroups: grid1d(y.size, wg),
      flops: y.size * taps * 4,
      bytes: (outer * inLen * inner + y.size) * 4,
    },
  );
  return y;
}

/** Resize [N, C, H, W] to [N, C, outH, outW]: the width pass, then the height pass. */
export function resize(x: Tensor, outH: number, outW: number, opts: ResizeOptions = {}): Tensor {
  if (x.rank !== 4) throw new ShapeError(`resize: input must be [N, C, H, W], got ${fmt(x.shape)}`);
  if (![outH, outW].every((d) => Number.isInteger(d) && d > 0))
    throw new ShapeError(`resize: output size ${outH}×${outW} must be positive integers (input ${fmt(x.shape)})`);
  const [n, c, h, w] = x.shape;
  if (h === 0 || w === 0) throw new ShapeError(`resize: cannot resample the empty image ${fmt(x.shape)}`);
  const method = opts.method ?? 'bicubic';
  const antialias = opts.antialias ?? true;
  // An axis whose length does not change is skipped (at scale 1 the filter is the identity anyway),
  // but the width pass always runs so the result is a fresh tensor.
  const wide = resizeAxis(x, [n, c, h, outW], n * c * h, w, outW, 1, method, antialias);
  if (outH === h) return wide;
  const out = resizeAxis(wide, [n, c, outH, outW], n * c, h, outH, outW, method, antialias);
  wide.dispose();
  return out;
}

const filters: Record<ResizeMethod, (t: number) => number> = {
  bicubic: (t) => {
    const x = Math.abs(t);
    if (x < 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
    if (x < 2) return -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2;
    return 0;
  },
  bilinear: (t) => Math.max(0, 1 - Math.abs(t)),
};

/** float64 reference: the same separable filter, evaluated pixel by pixel. */
export function refResize(x: RefArray, outH: number, outW: number, opts: ResizeOptions = {}): RefArray {
  const method = opts.method ?? 'bicubic';
  const antialias = opts.antialias ?? true;
  const [n, c, h, w] = x.shape;
  // weights[o] = list of [source index, normalised weight]; out-of-image taps are dropped (PIL)
  const axisWeights = (inLen: number, outLen: number) => {
    const f = axisFilter(inLen, outLen, method, antialias);
    return Array.from({ length: outLen }, (_, o) => {
      const centre = (o + 0.5) * f.scale;
      const taps: [number, number][] = [];
      const first = Math.max(Math.floor(centre - f.support - 0.5), 0);
      const last = Math.min(Math.ceil(centre + f.support - 0.5), inLen - 1);
      for (let k = first; k <= last; k++) taps.push([k, filters[method]((k + 0.5 - centre) / f.filterScale)]);
      const total = taps.reduce((s, [, v]) => s + v, 0);
      return taps.map(([k, v]) => [k, v / total] as [number, number]);
    });
  };
  const wx = axisWeights(w, outW),
    wy = axisWeights(h, outH);
  const out = new Float64Array(n * c * outH * outW);
  for (let p = 0; p < n * c; p++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++) {
        let acc = 0;
        for (const [ky, vy] of wy[oy]) for (const [kx, vx] of wx[ox]) acc += vy * vx * x.data[(p * h + ky) * w + kx];
        out[(p * outH + oy) * outW + ox] = acc;
      }
  return { data: out, shape: [n, c, outH, outW] };
}
