/**
 * Reduction cases under every reduction kernel, shared by the Node suite and the headless-Chromium
 * suite (spread into the core and layer lists). Each case runs with the adapter's own choice, with
 * register chunks so short that every reduction takes several chunks and passes (and the last
 * chunk is ragged), and with the GPU's workgroup trees forced on this adapter (8 threads, so the
 * tiny shapes still span several workgroups; the tree is the same code at any power of two).
 * The kernel is chosen in the forward and carried into the backward, so the gradients (batch-norm
 * sums, PReLU's dα, max's tie count) run under the same kernel.
 */
import * as E from '../../src/engine/index.js';
import * as T from '../../src/engine/testing.js';
import type { ReduceTuning, RefArray } from '../../src/engine/testing.js';
import { setReduceKernel } from '../../src/engine/testing.js';
import type { OpCase } from '../helpers/check-op.js';

export const reduceKernels: Record<string, Partial<ReduceTuning> | undefined> = {
  adapter: undefined,
  'registers, short chunks': { variant: 'registers', wg: 16, invocations: 100000, minChunk: 2 },
  // Outputs whose elements are not contiguous fall back to registers: short chunks there too.
  'workgroup of 8': { variant: 'workgroup', groupWG: 8, workgroups: 100000, minPerThread: 1, wg: 16, invocations: 100000, minChunk: 2 },
};

function withReduceKernel<T>(kernel: Partial<ReduceTuning> | undefined, fn: () => T): T {
  setReduceKernel(kernel);
  try {
    return fn();
  } finally {
    setReduceKernel(undefined);
  }
}

/** Each case once per reduction kernel, named after it. */
export function underEveryReduceKernel(cases: OpCase[]): OpCase[] {
  return Object.entries(reduceKernels).flatMap(([kname, kernel]) =>
    cases.map((c) => ({ ...c, name: `${c.name} [${kname}]`, gpu: (...xs: E.Tensor[]) => withReduceKernel(kernel, () => c.gpu(...xs)) })),
  );
}

const r = (kind: 'sum' | 'mean' | 'max', x: RefArray, axes: number[], keep: boolean): RefArray => {
  const data = T.refReduce(kind, x.data, x.shape, axes);
  const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return { data, shape };
};

const reduceShapes: OpCase[] = [
  { name: 'sum all [3,5,7]', inputs: [{ shape: [3, 5, 7] }], gpu: (x) => E.sum(x), ref: (x) => r('sum', x, [0, 1, 2], false) },
  // A conv bias gradient: runs of H·W, kept channels between reduced axes.
  {
    name: 'sum NCHW over N,H,W [3,4,5,7]',
    inputs: [{ shape: [3, 4, 5, 7] }],
    gpu: (x) => E.sum(x, [0, 2, 3]),
    ref: (x) => r('sum', x, [0, 2, 3], false),
  },
  // Kept innermost axis: the reduced elements are 6 apart (no workgroup tree).
  { name: 'sum axis 0 [37,6]', inputs: [{ shape: [37, 6] }], gpu: (x) => E.sum(x, 0), ref: (x) => r('sum', x, [0], false) },
  {
    name: 'sum axes [0,2] keepDims [3,5,7]',
    inputs: [{ shape: [3, 5, 7] }],
    gpu: (x) => E.sum(x, [0, 2], true),
    ref: (x) => r('sum', x, [0, 2], true),
  },
  // Mean gradients are O(1/n): the tolerance shrinks with them.
  {
    name: 'mean all [4,9,11]',
    inputs: [{ shape: [4, 9, 11] }],
    gpu: (x) => E.mean(x),
    ref: (x) => r('mean', x, [0, 1, 2], false),
    gradAtol: 1e-6,
    gradRtol: 1e-4,
  },
  {
    name: 'mean NCHW over N,H,W keepDims [2,3,4,5]',
    inputs: [{ shape: [2, 3, 4, 5] }],
    gpu: (x) => E.mean(x, [0, 2, 3], true),
    ref: (x) => r('mean', x, [0, 2, 3], true),
    gradAtol: 1e-5,
    gradRtol: 1e-4,
  },
  { name: 'max all [5,13]', inputs: [{ shape: [5, 13] }], gpu: (x) => E.max(x), ref: (x) => r('max', x, [0, 1], false) },
  { name: 'max axes [0,2] [4,3,6]', inputs: [{ shape: [4, 3, 6] }], gpu: (x) => E.max(x, [0, 2]), ref: (x) => r('max', x, [0, 2], false) },
];

export const reductionCoreCases: OpCase[] = underEveryReduceKernel(reduceShapes);

/** Broadcasting copies (expand, gradients of sum/mean) and merged-axis binary broadcasts. */
export const broadcastCases: OpCase[] = [
  {
    name: 'expand scalar [1,1] → [3,4]',
    inputs: [{ shape: [1, 1] }],
    gpu: (x) => E.expand(x, [3, 4]),
    ref: (x) => ({ data: new Float64Array(12).fill(x.data[0]), shape: [3, 4] }),
  },
  {
    name: 'expand two kept blocks [2,1,3] → [2,4,3]',
    inputs: [{ shape: [2, 1, 3] }],
    gpu: (x) => E.expand(x, [2, 4, 3]),
    ref: (x) => ({ data: Float64Array.from({ length: 24 }, (_, i) => x.data[Math.floor(i / 12) * 3 + (i % 3)]), shape: [2, 4, 3] }),
  },
  {
    name: 'bias add [2,3,4,5] + [1,3,1,1]',
    inputs: [{ shape: [2, 3, 4, 5] }, { shape: [1, 3, 1, 1] }],
    gpu: E.add,
    ref: (x, b) => ({ data: x.data.map((v, i) => v + b.data[Math.floor(i / 20) % 3]), shape: [2, 3, 4, 5] }),
  },
  {
    name: 'mul [4,1,3,1] x [5,1,2]',
    inputs: [{ shape: [4, 1, 3, 1] }, { shape: [5, 1, 2] }],
    gpu: E.mul,
    ref: (a, b) => {
      const out = new Float64Array(4 * 5 * 3 * 2);
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 5; j++)
          for (let k = 0; k < 3; k++) for (let l = 0; l < 2; l++) out[((i * 5 + j) * 3 + k) * 2 + l] = a.data[i * 3 + k] * b.data[j * 2 + l];
      return { data: out, shape: [4, 5, 3, 2] };
    },
  },
  {
    name: 'slice whole rows [4,5,3] (contiguous copy)',
    inputs: [{ shape: [4, 5, 3] }],
    gpu: (x) => E.slice(x, [1, 0, 0], [2, -1, -1]),
    ref: (x) => ({ data: x.data.slice(15, 45), shape: [2, 5, 3] }),
  },
];
