/**
 * PReLU on the CPU backend, as the WGSL kernels (shaders/prelu.ts): x read as [N, C, inner], the
 * channel of element i is (i / inner) % C, and x = 0 takes the negative branch (PyTorch's choice:
 * gradient α, and it adds 0·g to dα).
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';

export interface PreluGeometry { n: number; c: number; inner: number }

/** Calls fn(start, a) for each [start, start + inner) run, a being its channel's α. */
function eachRun(geo: PreluGeometry, alpha: Float32Array, fn: (start: number, a: number) => void): void {
  for (let start = 0, ch = 0; start < geo.n; start += geo.inner, ch = (ch + 1) % geo.c) fn(start, alpha[ch]);
}

export function preluCpu(eng: CpuEngine, x: Tensor, alpha: Tensor, geo: PreluGeometry): Tensor {
  return eng.kernel('prelu', () => {
    const y = Tensor.empty(x.shape);
    const at = (t: Tensor) => t.storage.block.offset;
    eng.kernels.preluForward(at(x), at(alpha), at(y), geo.n, geo.c, geo.inner);
    return y;
  }, x.size, x.size * 8);
}

export function preluInputGradCpu(eng: CpuEngine, x: Tensor, alpha: Tensor, g: Tensor, geo: PreluGeometry): Tensor {
  return eng.kernel('prelu_bwd', () => {
    const dx = Tensor.empty(x.shape);
    const xd = x.data, gd = g.data, dd = dx.data;
    eachRun(geo, alpha.data, (s, a) => {
      for (let i = s; i < s + geo.inner; i++) dd[i] = xd[i] > 0 ? gd[i] : a * gd[i];
    });
    return dx;
  }, x.size, x.size * 12);
}

/** dα[c] = Σ g·x over channel c's elements with x ≤ 0 (float64 sums). */
export function preluAlphaGradCpu(eng: CpuEngine, x: Tensor, g: Tensor, alphaShape: readonly number[], geo: PreluGeometry): Tensor {
  return eng.kernel('prelu_alpha_grad', () => {
    const dAlpha = Tensor.empty(alphaShape);
    const xd = x.data, gd = g.data;
    const sums = new Float64Array(geo.c);
    for (let start = 0, ch = 0; start < geo.n; start += geo.inner, ch = (ch + 1) % geo.c) {
      let s = 0;
      for (let i = start; i < start + geo.inner; i++) if (!(xd[i] > 0)) s += gd[i] * xd[i];
      sums[ch] += s;
    }
    dAlpha.data.set(sums);
    return dAlpha;
  }, 2 * x.size, x.size * 8);
}
