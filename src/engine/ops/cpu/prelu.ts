/**
 * PReLU on the CPU backend, as the WGSL kernels (kernels/prelu.ts): x read as [N, C, inner], the
 * channel of element i is (i / inner) % C, and x = 0 takes the negative branch (PyTorch's choice:
 * gradient α, and it adds 0·g to dα).
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import { channelMoments } from './channels.js';
import { preluJob } from '../../cpu/jobs.js';

export interface PreluGeometry {
  n: number;
  c: number;
  inner: number;
}

export function preluCpu(eng: CpuEngine, x: Tensor, alpha: Tensor, geo: PreluGeometry): Tensor {
  return eng.kernel(
    'prelu',
    () => {
      const y = Tensor.empty(x.shape);
      const at = (t: Tensor) => t.storage.block.offset;
      preluJob(eng, at(x), at(x), at(alpha), at(y), geo.n, geo.c, geo.inner);
      return y;
    },
    x.size,
    x.size * 8,
  );
}

export function preluInputGradCpu(eng: CpuEngine, x: Tensor, alpha: Tensor, g: Tensor, geo: PreluGeometry): Tensor {
  return eng.kernel(
    'prelu_bwd',
    () => {
      const dx = Tensor.empty(x.shape);
      const at = (t: Tensor) => t.storage.block.offset;
      preluJob(eng, at(x), at(g), at(alpha), at(dx), geo.n, geo.c, geo.inner);
      return dx;
    },
    x.size,
    x.size * 12,
  );
}

/** dα[c] = Σ g·x over channel c's elements with x ≤ 0 (float64 sums). */
export function preluAlphaGradCpu(eng: CpuEngine, x: Tensor, g: Tensor, alphaShape: readonly number[], geo: PreluGeometry): Tensor {
  return eng.kernel(
    'prelu_alpha_grad',
    () => {
      const dAlpha = Tensor.empty(alphaShape);
      dAlpha.data.set(channelMoments(eng, g, x, null, geo, true)[1]);
      return dAlpha;
    },
    2 * x.size,
    x.size * 8,
  );
}
