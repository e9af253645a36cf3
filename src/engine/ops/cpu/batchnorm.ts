/**
 * BatchNorm2d on the CPU backend, the same five kernels as the WGSL ones (kernels/batchnorm.ts):
 * batch statistics with the running-statistics update, eval statistics, normalisation, the two
 * per-channel gradient sums and the input gradient. x is read as [N, C, inner]; the statistics
 * are one [2, C] tensor (row 0 the mean, row 1 1/sqrt(var + eps)). The element loops are
 * WebAssembly SIMD (channels.ts); channel sums accumulate in float64, so no chunking is needed
 * for accuracy (the GPU chunks for parallelism and accuracy).
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import { channelAffine, channelMoments } from './channels.js';

export interface BnGeometry {
  n: number;
  c: number;
  inner: number;
  count: number;
}

/**
 * Training statistics: mean, then the squared deviations from it (two passes: no cancellation of
 * E[x²] − E[x]² for inputs far from 0), and the running statistics moved in place with the
 * unbiased variance, as PyTorch.
 */
export function bnBatchStatsCpu(
  eng: CpuEngine,
  x: Tensor,
  geo: BnGeometry,
  runningMean: Tensor,
  runningVar: Tensor,
  eps: number,
  momentum: number,
): Tensor {
  return eng.kernel(
    'bn_batch_stats',
    () => {
      const stats = Tensor.empty([2, geo.c]);
      const [totals] = channelMoments(eng, x, x, null, geo);
      const means = totals.map((t) => t / geo.count);
      // Σx·(x − mean) = Σ(x − mean)² + mean·Σ(x − mean), whose last sum is 0 up to float64 rounding.
      const [, m2s] = channelMoments(eng, x, x, means, geo);
      const sd = stats.data,
        rm = runningMean.data,
        rv = runningVar.data;
      for (let ch = 0; ch < geo.c; ch++) {
        const mean = means[ch],
          variance = Math.max(0, m2s[ch]) / geo.count;
        sd[ch] = mean;
        sd[geo.c + ch] = 1 / Math.sqrt(variance + eps);
        rm[ch] = (1 - momentum) * rm[ch] + momentum * mean;
        rv[ch] = (1 - momentum) * rv[ch] + momentum * variance * (geo.count / (geo.count - 1));
      }
      return stats;
    },
    3 * x.size,
    x.size * 8,
  );
}

/** Eval statistics: the running mean and 1/sqrt(running var + eps). */
export function bnRunningStatsCpu(eng: CpuEngine, runningMean: Tensor, runningVar: Tensor, c: number, eps: number): Tensor {
  return eng.kernel(
    'bn_running_stats',
    () => {
      const stats = Tensor.empty([2, c]);
      const sd = stats.data,
        rm = runningMean.data,
        rv = runningVar.data;
      for (let ch = 0; ch < c; ch++) {
        sd[ch] = rm[ch];
        sd[c + ch] = 1 / Math.sqrt(rv[ch] + eps);
      }
      return stats;
    },
    0,
    c * 16,
  );
}

/** y = x·scale + shift per channel, with scale = invstd·γ and shift = β − mean·scale. */
export function bnNormalizeCpu(eng: CpuEngine, x: Tensor, stats: Tensor, gamma: Tensor, beta: Tensor, geo: BnGeometry): Tensor {
  return eng.kernel(
    'bn_normalize',
    () => {
      const y = Tensor.empty(x.shape);
      const sd = stats.data,
        gd = gamma.data,
        bd = beta.data;
      channelAffine(eng, x, x, y, geo, (ch) => {
        const scale = Math.fround(sd[geo.c + ch] * gd[ch]);
        return [scale, 0, 0, Math.fround(bd[ch] - sd[ch] * scale)];
      });
      return y;
    },
    2 * x.size,
    x.size * 8,
  );
}

/** Per channel Σg (→ dβ) and Σg·x̂ (→ dγ), with x̂ = (x − mean)·invstd. */
export function bnGradSumsCpu(eng: CpuEngine, x: Tensor, g: Tensor, stats: Tensor, geo: BnGeometry): [Tensor, Tensor] {
  return eng.kernel(
    'bn_grad_sums',
    () => {
      const sumG = Tensor.empty([geo.c]),
        sumGXhat = Tensor.empty([geo.c]);
      const sd = stats.data;
      const [a, b] = channelMoments(eng, g, x, sd.subarray(0, geo.c), geo);
      const sg = sumG.data,
        sgx = sumGXhat.data;
      for (let ch = 0; ch < geo.c; ch++) {
        sg[ch] = a[ch];
        sgx[ch] = b[ch] * sd[geo.c + ch];
      }
      return [sumG, sumGXhat] as [Tensor, Tensor];
    },
    4 * x.size,
    x.size * 8,
  );
}

/**
 * dx. With batch statistics: γ·invstd · (g − Σg/M − x̂·Σ(g·x̂)/M) (M the count per channel); with
 * running statistics, which are constants: γ·invstd·g.
 */
export function bnInputGradCpu(
  eng: CpuEngine,
  x: Tensor,
  g: Tensor,
  stats: Tensor,
  gamma: Tensor,
  geo: BnGeometry,
  sums: [Tensor, Tensor] | null,
): Tensor {
  return eng.kernel(
    `bn_input_grad_${sums ? 'train' : 'eval'}`,
    () => {
      const dx = Tensor.empty(x.shape);
      const sd = stats.data,
        gam = gamma.data;
      const sg = sums ? sums[0].data : null,
        sgx = sums ? sums[1].data : null;
      // k·(g − gMean − (x − mean)·slope) as k·g + (−k·slope)·(x − mean) − k·gMean.
      channelAffine(eng, g, x, dx, geo, (ch) => {
        const invstd = sd[geo.c + ch],
          k = gam[ch] * invstd;
        if (!sg || !sgx) return [k, 0, 0, 0];
        const gMean = sg[ch] / geo.count,
          slope = (sgx[ch] / geo.count) * invstd;
        return [k, -k * slope, sd[ch], -k * gMean];
      });
      return dx;
    },
    5 * x.size,
    x.size * (sums ? 12 : 8),
  );
}
