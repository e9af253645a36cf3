/**
 * Separable resampling along one axis on the CPU backend (input [outer, inLen, inner], output
 * [outer, outLen, inner]), with the WGSL kernel's geometry (shaders/resize.ts) in f32 step by
 * step: the same centres, the same first and last taps, the same tap weights and the same f32
 * total that renormalises them. Only the weighted sum itself runs in f64. The weights depend on
 * the output index alone, so they are computed once per axis instead of once per element.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import type { ResizeMethod } from '../../../shaders/resize.js';
import { numel } from '../../shape.js';

const f32 = Math.fround;

/** The WGSL filterAt, f32 at every operation. */
const filterAt: Record<ResizeMethod, (t: number) => number> = {
  bicubic: (t) => {
    const x = Math.abs(t);
    if (x < 1) return f32(f32(f32(f32(f32(1.5 * x) - 2.5) * x) * x) + 1);
    if (x < 2) return f32(f32(f32(f32(f32(f32(-0.5 * x) + 2.5) * x) - 4) * x) + 2);
    return 0;
  },
  bilinear: (t) => Math.max(0, f32(1 - Math.abs(t))),
};

/** The filter's per-axis parameters, as the uniform holds them (f32). */
export interface AxisFilterParams { scale: number; support: number; invFilterScale: number }

interface Taps { first: Int32Array; count: Int32Array; weights: Float32Array; total: Float32Array; width: number }

function tapsFor(inLen: number, outLen: number, method: ResizeMethod, p: AxisFilterParams): Taps {
  const scale = f32(p.scale), support = f32(p.support), inv = f32(p.invFilterScale);
  const width = 2 * Math.ceil(support) + 3;
  const t: Taps = { first: new Int32Array(outLen), count: new Int32Array(outLen), weights: new Float32Array(outLen * width),
    total: new Float32Array(outLen), width };
  for (let o = 0; o < outLen; o++) {
    const centre = f32(f32(o + 0.5) * scale);
    const first = Math.max(Math.floor(f32(f32(centre - support) - 0.5)), 0);
    const last = Math.min(Math.ceil(f32(f32(centre + support) - 0.5)), inLen - 1);
    let total = 0;
    for (let k = first; k <= last; k++) {
      const wgt = filterAt[method](f32(f32(f32(k + 0.5) - centre) * inv));
      t.weights[o * width + k - first] = wgt;
      total = f32(total + wgt);
    }
    t.first[o] = first;
    t.count[o] = last - first + 1;
    t.total[o] = total;
  }
  return t;
}

export function resizeAxisCpu(eng: CpuEngine, method: ResizeMethod, x: Tensor, outShape: readonly number[], outer: number,
  inLen: number, outLen: number, inner: number, p: AxisFilterParams): Tensor {
  return eng.kernel(`resize_${method}`, () => {
    const y = Tensor.empty(outShape);
    const xd = x.data, yd = y.data;
    const t = tapsFor(inLen, outLen, method, p);
    const acc = new Float64Array(inner);
    for (let q = 0; q < outer; q++)
      for (let o = 0; o < outLen; o++) {
        const src = (q * inLen + t.first[o]) * inner, dst = (q * outLen + o) * inner, wo = o * t.width;
        if (inner === 1) {
          // The width pass: taps are neighbours in memory, the sum fits a register.
          let sum = 0;
          for (let k = 0; k < t.count[o]; k++) sum += t.weights[wo + k] * xd[src + k];
          yd[dst] = sum / t.total[o];
          continue;
        }
        acc.fill(0);
        for (let k = 0; k < t.count[o]; k++) {
          const wgt = t.weights[wo + k], row = src + k * inner;
          for (let b = 0; b < inner; b++) acc[b] += wgt * xd[row + b];
        }
        for (let b = 0; b < inner; b++) yd[dst + b] = acc[b] / t.total[o];
      }
    return y;
  }, numel(outShape) * (2 * Math.ceil(p.support) + 2) * 4, 4 * (outer * inLen * inner + outer * outLen * inner));
}
