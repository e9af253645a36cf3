/**
 * Matmul cases shared by the Node suite and the headless-Chromium suite. Every case runs once per
 * kernel choice (variant, tile shape, split-K): shapes are chosen so that each load path of the shader is taken (K, M, N
 * multiples of 4 or not, each transpose flag), tiles are crossed and cut (sizes above one
 * workgroup tile, and primes), and batches broadcast.
 */
import type { Tensor } from '../../src/engine/index.js';
import type { RefArray } from '../../src/engine/testing.js';
import { matmul, type MatmulOptions } from '../../src/engine/index.js';
import { refMatmul, setMatmulKernel, type MatmulKernelChoice } from '../../src/engine/testing.js';
import type { InputSpec, OpCase } from '../helpers/check-op.js';

interface MatmulShapeCase {
  name: string;
  a: number[];
  b: number[];
  bias?: number[];
  opts?: Omit<MatmulOptions, 'bias'>;
  /** Skip the finite-difference gradient check (large shapes: the reference is O(n³) per probe). */
  forwardOnly?: boolean;
  atol?: number;
}

const shapes: MatmulShapeCase[] = [
  { name: 'odd 7x5 · 5x3', a: [7, 5], b: [5, 3] },
  { name: 'aligned 8x12 · 12x16', a: [8, 12], b: [12, 16] },
  { name: 'K%4≠0, N%4=0: 5x6 · 6x8', a: [5, 6], b: [6, 8] },
  { name: 'K%4=0, N odd: 9x8 · 8x5', a: [9, 8], b: [8, 5] },
  { name: 'transA odd', a: [5, 7], b: [5, 3], opts: { transA: true } },
  { name: 'transA aligned (M%4=0)', a: [12, 8], b: [12, 4], opts: { transA: true } },
  { name: 'transB odd', a: [7, 5], b: [3, 5], opts: { transB: true } },
  { name: 'transB aligned (K%4=0)', a: [6, 8], b: [10, 8], opts: { transB: true } },
  { name: 'transA transB odd', a: [5, 7], b: [3, 5], opts: { transA: true, transB: true } },
  { name: 'transA transB aligned', a: [8, 4], b: [12, 8], opts: { transA: true, transB: true } },
  { name: 'batched 3x5x7 · 3x7x4', a: [3, 5, 7], b: [3, 7, 4] },
  { name: 'batch broadcast 2x1x5x6 · 3x6x4', a: [2, 1, 5, 6], b: [3, 6, 4] },
  { name: 'shared B (folded) 3x5x8 · 8x4', a: [3, 5, 8], b: [8, 4] },
  { name: 'shared B, transB 2x3x4 · 5x4', a: [2, 3, 4], b: [5, 4], opts: { transB: true } },
  { name: 'shared A 5x8 · 3x8x4', a: [5, 8], b: [3, 8, 4] },
  { name: 'batched transA transB', a: [3, 7, 5], b: [3, 4, 7], opts: { transA: true, transB: true } },
  { name: 'batched transA, shared B', a: [2, 6, 5], b: [6, 3], opts: { transA: true } },
  { name: 'vector · matrix', a: [7], b: [7, 3] },
  { name: 'matrix · vector', a: [5, 7], b: [7] },
  { name: 'dot', a: [9], b: [9] },
  { name: 'batched matrix · vector', a: [2, 5, 7], b: [7] },
  { name: 'bias per column [N]', a: [5, 6], b: [6, 7], bias: [7] },
  { name: 'bias per column [1,N], aligned', a: [4, 8], b: [8, 8], bias: [1, 8] },
  { name: 'bias per row [M,1]', a: [5, 6], b: [6, 7], bias: [5, 1] },
  { name: 'bias per row, batched', a: [2, 5, 6], b: [6, 3], bias: [5, 1] },
  { name: 'bias per column, folded batch, transB', a: [3, 4, 6], b: [5, 6], bias: [5], opts: { transB: true } },
  { name: 'K = 0 gives zeros', a: [3, 0], b: [0, 4] },
  { name: 'several tiles, partial edges 70x6 · 6x67', a: [70, 6], b: [6, 67] },
  { name: 'tall, long K 131x300 · 300x9', a: [131, 300], b: [300, 9], forwardOnly: true, atol: 1e-3 },
  { name: 'tall, long K transposed', a: [300, 131], b: [9, 300], opts: { transA: true, transB: true }, forwardOnly: true, atol: 1e-3 },
  { name: 'short, very long K 5x600 · 600x6', a: [5, 600], b: [600, 6], forwardOnly: true, atol: 1e-3 },
  { name: 'wide aligned 16x64 · 64x260', a: [16, 64], b: [64, 260], forwardOnly: true, atol: 5e-4 },
];

/** Kernel choices every case runs under: both variants, default and odd tile shapes. */
export const matmulKernels: Record<string, Partial<MatmulKernelChoice>> = {
  'registers 8x2 wg8x8': { variant: 'registers', rows: 8, vec4Cols: 2, wgX: 8, wgY: 8 },
  'registers 4x1 wg16x4': { variant: 'registers', rows: 4, vec4Cols: 1, wgX: 16, wgY: 4 },
  'registers 3x1 wg4x4': { variant: 'registers', rows: 3, vec4Cols: 1, wgX: 4, wgY: 4 },
  'workgroup 4x1 wg16x16 tk16': { variant: 'workgroup', rows: 4, vec4Cols: 1, wgX: 16, wgY: 16, tileK: 16 },
  'workgroup 8x2 wg8x4 tk8': { variant: 'workgroup', rows: 8, vec4Cols: 2, wgX: 8, wgY: 4, tileK: 8 },
  // Forced split-K (the heuristic only splits on GPUs): chunks cut K, partial sums are reduced.
  'registers 8x2 split-K 3': { variant: 'registers', rows: 8, vec4Cols: 2, wgX: 8, wgY: 8, splitK: 3 },
  'workgroup 4x1 tk16 split-K 5': { variant: 'workgroup', rows: 4, vec4Cols: 1, wgX: 16, wgY: 16, tileK: 16, splitK: 5 },
  // The GPU default: workgroup tiles, split-K left to the heuristic (it splits the 600-deep case).
  'workgroup 4x1 tk32 auto split-K': { variant: 'workgroup', rows: 4, vec4Cols: 1, wgX: 16, wgY: 16, tileK: 32, splitK: 0 },
};

/**
 * The shapes every WebGPU kernel choice runs where the whole set is too slow to compile
 * (SwiftShader): each vec4/scalar load path, each transpose, a broadcast batch, both bias modes,
 * tiles cut at the edges, and a K long enough to split. The CPU backend runs every shape.
 */
export const matmulGpuSubset = new Set([
  'odd 7x5 · 5x3',
  'aligned 8x12 · 12x16',
  'transA aligned (M%4=0)',
  'transB aligned (K%4=0)',
  'transA transB odd',
  'batch broadcast 2x1x5x6 · 3x6x4',
  'bias per row, batched',
  'bias per column, folded batch, transB',
  'several tiles, partial edges 70x6 · 6x67',
  'short, very long K 5x600 · 600x6',
]);

/** The cases of `kernel` (none: the engine's own choice), limited to the shapes named in `only`. */
export function matmulCases(kernel?: Partial<MatmulKernelChoice>, only?: ReadonlySet<string>): OpCase[] {
  return shapes
    .filter((s) => !only || only.has(s.name))
    .map((s) => {
      const inputs: InputSpec[] = [{ shape: s.a }, { shape: s.b }];
      if (s.bias) inputs.push({ shape: s.bias });
      if (s.forwardOnly) for (const i of inputs) i.grad = false;
      return {
        name: s.name,
        inputs,
        atol: s.atol,
        // The kernel choice is set inside gpu() so that the backward kernels, which run later, use it too.
        gpu: (a: Tensor, b: Tensor, bias?: Tensor) => {
          if (kernel) setMatmulKernel(kernel);
          return matmul(a, b, { ...s.opts, bias });
        },
        ref: (a: RefArray, b: RefArray, bias?: RefArray) => refMatmul(a, b, { ...s.opts, bias }),
      };
    });
}
