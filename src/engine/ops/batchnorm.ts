/**
 * BatchNorm2d over NCHW, PyTorch semantics: training normalises with the batch statistics
 * (biased variance) and moves the running statistics in place on the GPU (unbiased variance);
 * eval normalises with the running statistics. The backward flows through the batch statistics.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { fmt, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { batchStatsKernel, chunkMomentsSpec, gradSumsSpec, inputGradKernel, normalizeKernel, runningStatsKernel } from '../kernels/batchnorm.js';
import type { KernelSource } from '../kernels/bindings.js';
import { WALK_WORDS } from '../kernels/chunked-reduce.js';
import { perChannelWidth } from '../kernels/common.js';
import { planReduce, reduceChoice, runChunked, sumPartials, type ReduceWalk } from './reduce.js';
import type { ReduceTuning } from '../runtime/tuning.js';
import { bnBatchStatsCpu, bnGradSumsCpu, bnInputGradCpu, bnNormalizeCpu, bnRunningStatsCpu } from './cpu/batchnorm.js';

export interface BatchNormOptions {
  training: boolean;
  /** Weight of the new batch in the running statistics (PyTorch's momentum, default 0.1). */
  momentum?: number;
  eps?: number;
}

interface Geometry {
  n: number;
  c: number;
  inner: number;
  count: number;
}

function params(g: Geometry, eps: number, momentum: number): Uint8Array {
  const buf = new ArrayBuffer(32);
  new Uint32Array(buf, 0, 4).set([g.n, g.c, g.inner, g.count]);
  new Float32Array(buf, 16, 3).set([eps, momentum, g.count > 1 ? g.count / (g.count - 1) : 1]);
  return new Uint8Array(buf);
}

/** `variant` must name whatever besides the workgroup size shapes `kernel`'s WGSL. */
function run(
  name: string,
  kernel: (wg: number) => KernelSource,
  inputs: Tensor[],
  outputs: Tensor[],
  p: Uint8Array,
  workgroups: [number, number],
  bytes: number,
  variant = '',
) {
  const wg = engine().tuning.elementwiseWG;
  engine().runKernel(
    { name, key: `${wg}|${variant}`, ...kernel(wg) },
    { buffers: [...inputs, ...outputs].map((t) => t.buffer), params: p, workgroups, bytes },
  );
}

function checkShapes(x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, training: boolean): Geometry {
  if (x.rank !== 4) throw new ShapeError(`batchNorm2d: input must be [N, C, H, W], got ${fmt(x.shape)}`);
  const [n, c, h, w] = x.shape;
  for (const [label, t] of [
    ['gamma', gamma],
    ['beta', beta],
    ['runningMean', runningMean],
    ['runningVar', runningVar],
  ] as const)
    if (t.rank !== 1 || t.shape[0] !== c)
      throw new ShapeError(`batchNorm2d: ${label} ${fmt(t.shape)} does not match the ${c} channels of input ${fmt(x.shape)}`);
  const count = n * h * w;
  if (training && count < 2) throw new ShapeError(`batchNorm2d: training needs more than one value per channel, input is ${fmt(x.shape)}`);
  return { n: x.size, c, inner: h * w, count };
}

/** Batch statistics [2, C] (mean, invstd), moving the running statistics: chunk moments, then their merge. */
function batchStats(x: Tensor, geo: Geometry, runningMean: Tensor, runningVar: Tensor, eps: number, momentum: number, ch: ReduceTuning): Tensor {
  const walk: ReduceWalk = { nOut: geo.c, nRed: geo.count, run: geo.inner, runStride: 1 };
  const plan = planReduce(walk, ch);
  const partSum = Tensor.empty([plan.chunks, geo.c]),
    partM2 = Tensor.empty([plan.chunks, geo.c]);
  runChunked(
    'bn_batch_stats',
    'moments',
    chunkMomentsSpec(),
    walk,
    plan,
    [x.buffer, partSum.buffer, partM2.buffer],
    new Uint32Array(WALK_WORDS),
    x.size * 8,
  );
  const stats = Tensor.empty([2, geo.c]);
  const buf = new ArrayBuffer(32);
  new Uint32Array(buf, 0, 4).set([geo.c, geo.count, plan.chunkLen, plan.chunks]);
  new Float32Array(buf, 16, 3).set([eps, momentum, geo.count / (geo.count - 1)]);
  run(
    'bn_batch_stats_merge',
    batchStatsKernel,
    [partSum, partM2],
    [stats, runningMean, runningVar],
    new Uint8Array(buf),
    grid1d(geo.c, engine().tuning.elementwiseWG),
    plan.chunks * geo.c * 8,
  );
  partSum.dispose();
  partM2.dispose();
  return stats;
}

/** Per channel Σg and Σg·x̂: chunk partials, then their sums. */
function gradSums(x: Tensor, g: Tensor, stats: Tensor, geo: Geometry, ch: ReduceTuning): [Tensor, Tensor] {
  const walk: ReduceWalk = { nOut: geo.c, nRed: geo.count, run: geo.inner, runStride: 1 };
  const plan = planReduce(walk, ch);
  const partG = Tensor.empty([plan.chunks, geo.c]),
    partGXhat = Tensor.empty([plan.chunks, geo.c]);
  runChunked(
    'bn_grad_sums',
    'sums',
    gradSumsSpec(),
    walk,
    plan,
    [x.buffer, g.buffer, stats.buffer, partG.buffer, partGXhat.buffer],
    new Uint32Array(WALK_WORDS),
    x.size * 8,
  );
  return [sumPartials(partG, plan.chunks, [geo.c], 1, ch), sumPartials(partGXhat, plan.chunks, [geo.c], 1, ch)];
}

/** The batch-norm kernels of this engine's backend. */
interface BnKernels {
  batchStats(): Tensor;
  runningStats(): Tensor;
  normalize(stats: Tensor): Tensor;
  gradSums(g: Tensor, stats: Tensor): [Tensor, Tensor];
  inputGrad(g: Tensor, stats: Tensor, sums: [Tensor, Tensor] | null): Tensor;
}

function kernelsFor(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  runningMean: Tensor,
  runningVar: Tensor,
  geo: Geometry,
  eps: number,
  momentum: number,
): BnKernels {
  const eng = engine();
  if (eng.kind === 'cpu') {
    return {
      batchStats: () => bnBatchStatsCpu(eng, x, geo, runningMean, runningVar, eps, momentum),
      runningStats: () => bnRunningStatsCpu(eng, runningMean, runningVar, geo.c, eps),
      normalize: (stats) => bnNormalizeCpu(eng, x, stats, gamma, beta, geo),
      gradSums: (g, stats) => bnGradSumsCpu(eng, x, g, stats, geo),
      inputGrad: (g, stats, sums) => bnInputGradCpu(eng, x, g, stats, gamma, geo, sums),
    };
  }
  const p = params(geo, eps, momentum);
  const ch = reduceChoice();
  const wg = eng.tuning.elementwiseWG;
  const v = perChannelWidth(geo.inner);
  return {
    batchStats: () => batchStats(x, geo, runningMean, runningVar, eps, momentum, ch),
    runningStats: () => {
      const stats = Tensor.empty([2, geo.c]);
      run('bn_running_stats', runningStatsKernel, [runningMean, runningVar], [stats], p, grid1d(geo.c, wg), geo.c * 16);
      return stats;
    },
    normalize: (stats) => {
      const y = Tensor.empty(x.shape);
      run('bn_normalize', (w) => normalizeKernel(w, v), [x, stats, gamma, beta], [y], p, grid1d(x.size / v, wg), x.size * 8, `${v}`);
      return y;
    },
    gradSums: (g, stats) => gradSums(x, g, stats, geo, ch),
    inputGrad: (g, stats, sums) => {
      const dx = Tensor.empty(x.shape);
      const training = !!sums;
      const ins = sums ? [x, g, stats, gamma, ...sums] : [x, g, stats, gamma];
      run(
        `bn_input_grad_${training ? 'train' : 'eval'}`,
        (w) => inputGradKernel(w, v, training),
        ins,
        [dx],
        p,
        grid1d(x.size / v, wg),
        x.size * (training ? 12 : 8),
        `${v}`,
      );
      return dx;
    },
  };
}

export function batchNorm2d(x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, opts: BatchNormOptions): Tensor {
  const geo = checkShapes(x, gamma, beta, runningMean, runningVar, opts.training);
  const { training } = opts;
  const k = kernelsFor(x, gamma, beta, runningMean, runningVar, geo, opts.eps ?? 1e-5, opts.momentum ?? 0.1);
  const stats = training ? k.batchStats() : k.runningStats();
  const y = k.normalize(stats);

  return record(
    y,
    'batchNorm2d',
    [x, gamma, beta],
    (g, needs) => {
      // Training dx needs both channel sums even when γ and β are frozen.
      let sums: [Tensor, Tensor] | undefined;
      if (training || needs[1] || needs[2]) sums = k.gradSums(g, stats);
      const dx = needs[0] ? k.inputGrad(g, stats, training ? sums! : null) : null;
      // Σg·x̂ is exactly dγ and Σg is dβ, so the sums are handed out rather than copied.
      const [sumG, sumGXhat] = sums ?? [];
      const dGamma = needs[1] ? sumGXhat! : null;
      const dBeta = needs[2] ? sumG! : null;
      if (!needs[1]) sumGXhat?.dispose();
      if (!needs[2]) sumG?.dispose();
      return [dx, dGamma, dBeta];
    },
    [stats],
  );
}

/**
 * float64 reference. In training it moves `running` (mean and var arrays) in place exactly as
 * the GPU op does, so tests can follow several steps.
 */
export function refBatchNorm2d(
  x: RefArray,
  gamma: RefArray,
  beta: RefArray,
  running: { mean: Float64Array; var: Float64Array },
  opts: BatchNormOptions,
): RefArray {
  const [n, c, h, w] = x.shape;
  const inner = h * w,
    count = n * inner;
  const eps = opts.eps ?? 1e-5,
    m = opts.momentum ?? 0.1;
  const out = new Float64Array(x.data.length);
  for (let ch = 0; ch < c; ch++) {
    const at = (r: number) => (Math.floor(r / inner) * c + ch) * inner + (r % inner);
    let mean = running.mean[ch],
      variance = running.var[ch];
    if (opts.training) {
      mean = 0;
      for (let r = 0; r < count; r++) mean += x.data[at(r)];
      mean /= count;
      variance = 0;
      for (let r = 0; r < count; r++) variance += (x.data[at(r)] - mean) ** 2;
      variance /= count;
      running.mean[ch] = (1 - m) * running.mean[ch] + m * mean;
      running.var[ch] = (1 - m) * running.var[ch] + (m * variance * count) / (count - 1);
    }
    const invstd = 1 / Math.sqrt(variance + eps);
    for (let r = 0; r < count; r++) out[at(r)] = (x.data[at(r)] - mean) * invstd * gamma.data[ch] + beta.data[ch];
  }
  return { data: out, shape: [...x.shape] };
}
