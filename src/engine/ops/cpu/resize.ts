/**
 * Separable resampling along one axis on the CPU backend (input [outer, inLen, inner], output
 * [outer, outLen, inner]), with the WGSL kernel's geometry (kernels/resize.ts) in f32 step by
 * step: the same centres, the same first and last taps, the same tap weights and the same f32
 * total that renormalises them. Only the weighted sum itself runs in f64. The weights depend on
 * the output index alone, so they are computed once per axis instead of once per element; the
 * weighted sums run in WebAssembly (assembly/elementwise.ts) with the same f64 arithmetic.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import type { ResizeMethod } from '../../kernels/resize.js';
import { numel } from '../../shape.js';
import { resizeJob } from '../../cpu/jobs.js';

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
export interface AxisFilterParams {
  scale: number;
  support: number;
  invFilterScale: number;
}

interface Taps {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  total: Float32Array;
  width: number;
}

function tapsFor(inLen: number, outLen: number, method: ResizeMethod, p: AxisFilterParams): Taps {
  const scale = f32(p.scale),
    support = f32(p.support),
    inv = f32(p.invFilterScale);
  const width = 2 * Math.ceil(support) + 3;
  const t: Taps = {
    first: new Int32Array(outLen),
    count: new Int32Array(outLen),
    weights: new Float32Array(outLen * width),
    total: new Float32Array(outLen),
    width,
  };
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

export function resizeAxisCpu(
  eng: CpuEngine,
  method: ResizeMethod,
  x: Tensor,
  outShape: readonly number[],
  outer: number,
  inLen: number,
  outLen: number,
  inner: number,
  p: AxisFilterParams,
): Tensor {
  return eng.kernel(
    `resize_${method}`,
    () => {
      const y = Tensor.empty(outShape);
      const t = tapsFor(inLen, outLen, method, p);
      if (!y.size) return y;
      // The sums run in the WebAssembly job (f64, the same order: the same bits as a JS loop),
      // over tap tables copied into the heap.
      const ints = eng.heap.alloc(8 * outLen, 'cpu resize taps'),
        floats = eng.heap.alloc(4 * outLen * (t.width + 1), 'cpu resize weights');
      try {
        const buf = eng.heap.memory.buffer;
        new Int32Array(buf, ints.offset, outLen).set(t.first);
        new Int32Array(buf, ints.offset + 4 * outLen, outLen).set(t.count);
        new Float32Array(buf, floats.offset, outLen * t.width).set(t.weights);
        new Float32Array(buf, floats.offset + 4 * outLen * t.width, outLen).set(t.total);
        resizeJob(
          eng,
          x.storage.block.offset,
          y.storage.block.offset,
          outer,
          inLen,
          outLen,
          inner,
          {
            first: ints.offset,
            count: ints.offset + 4 * outLen,
            weights: floats.offset,
            total: floats.offset + 4 * outLen * t.width,
            width: t.width,
          },
          t.width,
        );
      } finally {
        eng.heap.release(ints);
        eng.heap.release(floats);
      }
      return y;
    },
    numel(outShape) * (2 * Math.ceil(p.support) + 2) * 4,
    4 * (outer * inLen * inner + outer * outLen * inner),
  );
}
