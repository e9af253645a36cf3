/**
 * 2-D max pooling over NCHW (no padding, floor mode, as PyTorch's MaxPool2d defaults), its
 * gradient, and a float64 reference. Overlapping windows (stride < kernel) are allowed: the
 * backward is a gather over the windows that cover each input pixel (see kernels/pool.ts).
 * The gradient of each window goes to its first maximum in row-major order, as in PyTorch.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { fmt, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { maxPoolBackwardKernel, maxPoolKernel } from '../kernels/pool.js';
import { maxPoolBackwardCpu, maxPoolForwardCpu } from './cpu/pool.js';

export interface PoolGeometry {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  k: number;
  s: number;
}

/** Output size and checks; `stride` defaults to the kernel size (non-overlapping windows). */
export function poolGeometry(shape: readonly number[], kernel: number, stride = kernel): PoolGeometry {
  if (shape.length !== 4) throw new ShapeError(`maxPool2d: input must be [N, C, H, W], got ${fmt(shape)}`);
  if (![kernel, stride].every((v) => Number.isInteger(v) && v >= 1))
    throw new ShapeError(`maxPool2d: kernel ${kernel} and stride ${stride} must be positive integers (input ${fmt(shape)})`);
  const [n, c, h, w] = shape;
  if (h < kernel || w < kernel) throw new ShapeError(`maxPool2d: input ${fmt(shape)} is smaller than the ${kernel}×${kernel} window`);
  return { planes: n * c, h, w, oh: Math.floor((h - kernel) / stride) + 1, ow: Math.floor((w - kernel) / stride) + 1, k: kernel, s: stride };
}

function run(backward: boolean, buffers: GPUBuffer[], items: number, g: PoolGeometry): void {
  const wg = engine().tuning.elementwiseWG;
  engine().runKernel(
    { name: backward ? 'max_pool2d_bwd' : 'max_pool2d', key: `${wg}`, ...(backward ? maxPoolBackwardKernel(wg) : maxPoolKernel(wg)) },
    {
      buffers,
      params: new Uint32Array([items, g.h, g.w, g.oh, g.ow, g.k, g.s, 0]),
      workgroups: grid1d(items, wg),
      bytes: items * 4 * (backward ? 2 + g.k * g.k : 1 + g.k * g.k),
    },
  );
}

/** [N, C, H, W] → [N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1]. */
export function maxPool2d(x: Tensor, kernel = 2, stride = kernel): Tensor {
  const g = poolGeometry(x.shape, kernel, stride);
  const [n, c] = x.shape;
  const eng = engine();
  if (eng.kind === 'cpu') {
    const out = maxPoolForwardCpu(eng, x, [n, c, g.oh, g.ow], g);
    return record(out, 'maxPool2d', [x], (grad) => [maxPoolBackwardCpu(eng, x, grad, g)]);
  }
  const y = Tensor.empty([n, c, g.oh, g.ow]);
  run(false, [x.buffer, y.buffer], y.size, g);
  return record(y, 'maxPool2d', [x], (grad) => {
    const dx = Tensor.empty(x.shape);
    run(true, [x.buffer, grad.buffer, dx.buffer], x.size, g);
    return [dx];
  });
}

/** float64 reference, written straight from the definition. */
export function refMaxPool2d(x: RefArray, kernel = 2, stride = kernel): RefArray {
  const g = poolGeometry(x.shape, kernel, stride);
  const out = new Float64Array(g.planes * g.oh * g.ow);
  let o = 0;
  for (let p = 0; p < g.planes; p++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++) {
        let best = -Infinity;
        for (let ky = 0; ky < g.k; ky++)
          for (let kx = 0; kx < g.k; kx++) best = Math.max(best, x.data[(p * g.h + oy * g.s + ky) * g.w + ox * g.s + kx]);
        out[o++] = best;
      }
  return { data: out, shape: [x.shape[0], x.shape[1], g.oh, g.ow] };
}
