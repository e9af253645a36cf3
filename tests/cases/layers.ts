/** CNN layer op cases (batch norm, PReLU, pixel shuffle, upsampling, resize, losses), shared by the
 * Node suite and the headless-Chromium suite. */
import type { Tensor } from '../../src/engine/index.js';
import type { RefArray } from '../../src/engine/testing.js';
import {
  addScalar,
  fill,
  batchNorm2d,
  type BatchNormOptions,
  prelu,
  pixelShuffle,
  upsampleNearest,
  resize,
  type ResizeOptions,
  bce,
  bceWithLogits,
  l1Loss,
  mseLoss,
} from '../../src/engine/index.js';
import {
  refBatchNorm2d,
  refPrelu,
  refPixelShuffle,
  refUpsampleNearest,
  refResize,
  refBce,
  refBceWithLogits,
  refL1Loss,
  refMseLoss,
} from '../../src/engine/testing.js';
import type { OpCase } from '../helpers/check-op.js';
import { underEveryReduceKernel } from './reductions.js';

// Values straddling 0 stay ≥ 1e-2 from it, so a 1e-5 finite-difference step never crosses the kink.
const nearZero = [-0.5, -0.02, -0.01, 0.01, 0.02, 0.5, -1.5, 1.5, 0.03, -0.03, 2, -2];
const cycle = (values: number[], n: number) =>
  Array.from({ length: n }, (_, i) => values[i % values.length] * (1 + 0.1 * Math.floor(i / values.length)));

/** A smooth test image: low-frequency waves, different per channel. */
const smooth = (n: number, c: number, h: number, w: number) => {
  const out: number[] = [];
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) out.push(Math.fround(0.5 + 0.3 * Math.sin(0.21 * x + 0.4 * p) * Math.cos(0.17 * y - 0.3 * p)));
  return out;
};

/** BatchNorm in training mode from fresh running statistics (mean 0, var 1), as a module starts. */
function bnTrain(shift: number, opts: Omit<BatchNormOptions, 'training'> = {}): OpCase['gpu'] {
  return (x: Tensor, g: Tensor, b: Tensor) => {
    const c = x.shape[1];
    return batchNorm2d(shift ? addScalar(x, shift) : x, g, b, fill([c], 0), fill([c], 1), { training: true, ...opts });
  };
}
function bnTrainRef(shift: number, opts: Omit<BatchNormOptions, 'training'> = {}): OpCase['ref'] {
  return (x: RefArray, g: RefArray, b: RefArray) => {
    const c = x.shape[1];
    const shifted = { data: x.data.map((v) => v + shift), shape: x.shape };
    return refBatchNorm2d(shifted, g, b, { mean: new Float64Array(c), var: new Float64Array(c).fill(1) }, { training: true, ...opts });
  };
}

const lossTol = { gradAtol: 1e-6, gradRtol: 1e-4 };

function resizeCase(name: string, inShape: [number, number, number, number], outH: number, outW: number, opts: ResizeOptions): OpCase {
  return {
    name,
    inputs: [{ shape: inShape, init: smooth(...inShape), grad: false }],
    gpu: (x) => resize(x, outH, outW, opts),
    ref: (x) => refResize(x, outH, outW, opts),
    atol: 2e-6,
    rtol: 2e-6,
  };
}

/** Layers whose forward or backward reduces (batch norm, PReLU's dα, the fused losses): run under every reduction kernel. */
const reducingCases: OpCase[] = [
  // batch norm: gradients flow through the batch mean and variance into x, and into γ and β.
  {
    name: 'batch_norm2d training [3,3,5,7]',
    inputs: [{ shape: [3, 3, 5, 7] }, { shape: [3] }, { shape: [3] }],
    gpu: bnTrain(0),
    ref: bnTrainRef(0),
  },
  {
    name: 'batch_norm2d training, input far from 0 (two-pass variance)',
    inputs: [{ shape: [2, 4, 3, 5] }, { shape: [4] }, { shape: [4] }],
    gpu: bnTrain(20, { eps: 1e-3 }),
    ref: bnTrainRef(20, { eps: 1e-3 }),
    atol: 5e-4,
    rtol: 5e-4,
  },
  {
    name: 'batch_norm2d training, 1×1 spatial [6,2,1,1]',
    inputs: [{ shape: [6, 2, 1, 1] }, { shape: [2] }, { shape: [2] }],
    gpu: bnTrain(0),
    ref: bnTrainRef(0),
  },
  // H·W a multiple of 4: the per-channel kernels take 4 elements per invocation.
  {
    name: 'batch_norm2d training, 4 elements per invocation [2,3,4,4]',
    inputs: [{ shape: [2, 3, 4, 4] }, { shape: [3] }, { shape: [3] }],
    gpu: bnTrain(0),
    ref: bnTrainRef(0),
  },
  // PReLU: per-channel and shared α; inputs sit just either side of the kink.
  {
    name: 'prelu per channel, values near 0',
    inputs: [
      { shape: [2, 3, 2, 3], init: cycle(nearZero, 36) },
      { shape: [3], init: [0.25, -0.1, 0.6] },
    ],
    gpu: prelu,
    ref: refPrelu,
  },
  {
    name: 'prelu shared alpha, values near 0',
    inputs: [
      { shape: [2, 4, 3], init: cycle(nearZero, 24) },
      { shape: [1], init: [0.2] },
    ],
    gpu: prelu,
    ref: refPrelu,
  },
  // Losses (scalar means). Their gradients are O(1/n), so the gradient tolerance is tightened to match.
  { name: 'mse_loss [3,5]', inputs: [{ shape: [3, 5] }, { shape: [3, 5] }], gpu: mseLoss, ref: refMseLoss, ...lossTol },
  { name: 'l1_loss [4,6]', inputs: [{ shape: [4, 6] }, { shape: [4, 6] }], gpu: l1Loss, ref: refL1Loss, ...lossTol },
  {
    name: 'bce_with_logits [3,7]',
    inputs: [{ shape: [3, 7] }, { shape: [3, 7], init: cycle([0, 1, 0.9, 0.1, 0.5], 21) }],
    gpu: bceWithLogits,
    ref: refBceWithLogits,
    ...lossTol,
  },
];

export const layerCases: OpCase[] = [
  ...underEveryReduceKernel(reducingCases),
  // Reductions these share with the cases above, or none (eval batch norm): the adapter's kernels only.
  {
    name: 'bce_with_logits, 4 elements per backward invocation [2,3,4]',
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4], init: 'uniform' }],
    gpu: bceWithLogits,
    ref: refBceWithLogits,
    ...lossTol,
  },
  { name: 'prelu shared alpha, odd size [5,3]', inputs: [{ shape: [5, 3] }, { shape: [1], init: [0.3] }], gpu: prelu, ref: refPrelu },
  { name: 'prelu per channel [3,5,4,3] random', inputs: [{ shape: [3, 5, 4, 3] }, { shape: [5], init: 'uniform' }], gpu: prelu, ref: refPrelu },
  {
    name: 'batch_norm2d eval [3,3,5,7]',
    inputs: [{ shape: [3, 3, 5, 7] }, { shape: [3] }, { shape: [3] }, { shape: [3], grad: false }, { shape: [3], init: 'positive', grad: false }],
    gpu: (x, g, b, rm, rv) => batchNorm2d(x, g, b, rm, rv, { training: false }),
    ref: (x, g, b, rm, rv) => refBatchNorm2d(x, g, b, { mean: rm.data, var: rv.data }, { training: false }),
  },
  {
    name: 'batch_norm2d eval, 4 elements per invocation [3,2,2,2]',
    inputs: [{ shape: [3, 2, 2, 2] }, { shape: [2] }, { shape: [2] }, { shape: [2], grad: false }, { shape: [2], init: 'positive', grad: false }],
    gpu: (x, g, b, rm, rv) => batchNorm2d(x, g, b, rm, rv, { training: false }),
    ref: (x, g, b, rm, rv) => refBatchNorm2d(x, g, b, { mean: rm.data, var: rv.data }, { training: false }),
  },
  {
    // ±50 (and ±100: exp(100) would overflow f32 if ever formed); 0 exactly checks the gradient σ(0) − t.
    name: 'bce_with_logits at ±50, ±100 and 0',
    inputs: [
      { shape: [10], init: [-50, 50, -50, 50, 100, -100, 0, 0, 3, -2] },
      { shape: [10], init: [0, 1, 1, 0, 0, 1, 1, 0, 1, 0.5] },
    ],
    gpu: bceWithLogits,
    ref: refBceWithLogits,
    ...lossTol,
    rtol: 1e-5,
  },
  {
    name: 'bce on probabilities [2,6]',
    inputs: [
      { shape: [2, 6], init: [0.05, 0.2, 0.5, 0.7, 0.95, 0.33, 0.61, 0.12, 0.88, 0.4, 0.5, 0.75] },
      { shape: [2, 6], init: cycle([1, 0, 0.9, 0.1], 12) },
    ],
    gpu: (p, t) => bce(p, t),
    ref: (p, t) => refBce(p, t),
    ...lossTol,
  },
  {
    // 0 and 1 are clipped to [1e-7, 1 − 1e-7]: finite loss, zero gradient (finite differences step 1e-9 stay clipped).
    name: 'bce on probabilities at 0 and 1 (clipped)',
    inputs: [
      { shape: [6], init: [0, 1, 0, 1, 0.3, 0.8] },
      { shape: [6], init: [1, 0, 0, 1, 1, 0] },
    ],
    gpu: (p, t) => bce(p, t),
    ref: (p, t) => refBce(p, t),
    ...lossTol,
    eps: 1e-9,
    rtol: 1e-5,
  },
  {
    name: 'mse_loss, target without gradient [2,3,4]',
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4], grad: false }],
    gpu: mseLoss,
    ref: refMseLoss,
    ...lossTol,
  },
  {
    name: 'l1_loss, only the target needs a gradient [5,7]',
    inputs: [{ shape: [5, 7], grad: false }, { shape: [5, 7] }],
    gpu: l1Loss,
    ref: refL1Loss,
    ...lossTol,
  },
  // Sub-pixel rearrangements.
  { name: 'pixel_shuffle r=2 [2,8,3,5]', inputs: [{ shape: [2, 8, 3, 5] }], gpu: (x) => pixelShuffle(x, 2), ref: (x) => refPixelShuffle(x, 2) },
  { name: 'pixel_shuffle r=3 [1,18,2,3]', inputs: [{ shape: [1, 18, 2, 3] }], gpu: (x) => pixelShuffle(x, 3), ref: (x) => refPixelShuffle(x, 3) },
  { name: 'upsample_nearest ×2 [2,3,3,5]', inputs: [{ shape: [2, 3, 3, 5] }], gpu: (x) => upsampleNearest(x), ref: (x) => refUpsampleNearest(x, 2) },
  {
    name: 'upsample_nearest ×3 [1,2,2,3]',
    inputs: [{ shape: [1, 2, 2, 3] }],
    gpu: (x) => upsampleNearest(x, 3),
    ref: (x) => refUpsampleNearest(x, 3),
  },
  // Resize (forward only).
  resizeCase('resize bicubic ×4 down, antialiased [1,2,16,20]→[4,5]', [1, 2, 16, 20], 4, 5, {}),
  resizeCase('resize bicubic ×4 down, no antialias', [1, 2, 16, 20], 4, 5, { antialias: false }),
  resizeCase('resize bicubic up [2,1,5,7]→[11,16]', [2, 1, 5, 7], 11, 16, {}),
  resizeCase('resize bilinear down, uneven [1,3,9,13]→[4,5]', [1, 3, 9, 13], 4, 5, { method: 'bilinear' }),
  resizeCase('resize bicubic, height only [1,1,8,6]→[3,6]', [1, 1, 8, 6], 3, 6, {}),
];
