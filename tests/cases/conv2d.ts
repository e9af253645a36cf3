/**
 * conv2d cases shared by the Node suite and the headless-Chromium suite. The shapes run under the
 * kernels below (the register variants on a subset), so both variants are proven on whatever
 * adapter runs the suite: the
 * register-tiled kernels with their adapter's tiles and with tiles that do not divide the shapes
 * (ragged pixel rows and channel groups), and the workgroup-tiled GPU kernels.
 * Shapes stay small: the gradients are checked against finite differences of the float64
 * reference, two reference evaluations per input element.
 */
import type { Tensor } from '../../src/engine/index.js';
import type { RefArray } from '../../src/engine/testing.js';
import { conv2d, type Conv2dOptions } from '../../src/engine/index.js';
import { refConv2d, setConv2dKernel, type Conv2dKernelChoice } from '../../src/engine/testing.js';
import type { InputSpec, OpCase } from '../helpers/check-op.js';

export const conv2dKernels: Record<string, Partial<Conv2dKernelChoice>> = {
  registers: { variant: 'registers' },
  // Tiles that cut pixel rows, channel groups, input-channel blocks and kernel-row blocks.
  'registers, ragged tiles': { variant: 'registers', tp: 3, v: 1, wgC: 3, wgV: 2, wgTp: 3, wgAcc: 12, wgInvocations: 5000, wgSegments: 1, wg: 16 },
  workgroup: { variant: 'workgroup' },
};

/** The ragged-tile kernel only runs the shapes whose sizes its tiles cut in every way (compiles are slow). */
const raggedShapes = new Set([
  '3x3 stride 1 same',
  '3x3 stride 2 same (odd input)',
  '9x9 same, 3 input channels',
  'batch 3, 3 channels, 3x3 same',
  '1x1, 70 output channels (several channel tiles, split wgrad)',
  'fused leakyRelu stride 2',
]);

/**
 * The register kernel specialises its WGSL per kernel size and stride, so each shape is a compile
 * of seconds on SwiftShader. Where WebGPU is a software adapter the CPU backend runs instead (and
 * runs every shape), so this variant keeps one shape per code path: each stride and dgrad phase
 * kind (phases without taps at stride 3), odd and even kernels, 1×1, several channel tiles each
 * way, each fused activation. The workgroup variant (hardware GPUs) runs every shape.
 */
const registerShapes = new Set([
  ...raggedShapes,
  '2x2 stride 3 (pixels no tap reaches)',
  'even kernel 4x4 stride 2 same',
  '66 input channels (several dgrad channel tiles)',
  'fused relu',
  'padding 3, wider than the kernel reaches',
]);

const shapesFor = (kernelName: string) =>
  kernelName === 'workgroup' ? shapes : shapes.filter((s) => (kernelName.includes('ragged') ? raggedShapes : registerShapes).has(s.name));

interface ConvShapeCase {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  opts?: Conv2dOptions;
  atol?: number;
}

const shapes: ConvShapeCase[] = [
  { name: '3x3 stride 1 same', x: [1, 4, 6, 6], w: [5, 4, 3, 3], bias: true, opts: { padding: 'same' } },
  { name: '3x3 stride 2 same (odd input)', x: [1, 3, 7, 5], w: [4, 3, 3, 3], bias: true, opts: { stride: 2, padding: 'same' } },
  { name: '3x3 stride 2 same (even input)', x: [2, 2, 6, 8], w: [3, 2, 3, 3], opts: { stride: 2, padding: 'same' } },
  { name: '3x3 stride 2 pad 1', x: [1, 2, 7, 6], w: [3, 2, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: '9x9 same, 3 input channels', x: [1, 3, 9, 8], w: [3, 3, 9, 9], bias: true, opts: { padding: 'same' } },
  { name: '1x1', x: [2, 5, 4, 3], w: [7, 5, 1, 1], bias: true },
  { name: '1x1 stride 2', x: [1, 3, 5, 5], w: [2, 3, 1, 1], opts: { stride: 2 } },
  { name: '7x5 input valid, no bias', x: [1, 3, 7, 5], w: [6, 3, 3, 3] },
  { name: 'batch 3, 3 channels, 3x3 same', x: [3, 3, 5, 7], w: [5, 3, 3, 3], bias: true, opts: { padding: 'same' } },
  { name: 'even kernel 2x4, padding [1, 2]', x: [1, 2, 5, 6], w: [3, 2, 2, 4], bias: true, opts: { padding: [1, 2] } },
  { name: 'padding 3, wider than the kernel reaches', x: [1, 2, 4, 5], w: [3, 2, 3, 3], bias: true, opts: { padding: 3 } },
  { name: '2x2 stride 3 (pixels no tap reaches)', x: [1, 2, 8, 7], w: [3, 2, 2, 2], opts: { stride: 3 } },
  { name: 'even kernel 4x4 stride 2 same', x: [1, 2, 8, 7], w: [3, 2, 4, 4], opts: { stride: 2, padding: 'same' } },
  { name: '1x1, 70 output channels (several channel tiles, split wgrad)', x: [1, 3, 10, 9], w: [70, 3, 1, 1], bias: true },
  { name: '66 input channels (several dgrad channel tiles)', x: [1, 66, 4, 4], w: [2, 66, 3, 3], opts: { padding: 'same' } },
  { name: 'fused relu', x: [1, 3, 6, 5], w: [6, 3, 3, 3], bias: true, opts: { padding: 'same', activation: 'relu' } },
  { name: 'fused leakyRelu 0.2, no bias', x: [2, 3, 5, 5], w: [4, 3, 3, 3], opts: { padding: 'same', activation: 'leakyRelu', alpha: 0.2 } },
  {
    name: 'fused leakyRelu stride 2',
    x: [1, 4, 6, 6],
    w: [9, 4, 3, 3],
    bias: true,
    opts: { stride: 2, padding: 'same', activation: 'leakyRelu', alpha: 0.1 },
  },
];

/** kernel undefined: the engine's own choice (the CPU backend has one kernel). */
function withKernel<T>(kernel: Partial<Conv2dKernelChoice> | undefined, fn: () => T): T {
  setConv2dKernel(kernel);
  try {
    return fn();
  } finally {
    setConv2dKernel(undefined);
  }
}

function toCase(s: ConvShapeCase, kernelName: string, kernel: Partial<Conv2dKernelChoice> | undefined): OpCase {
  const inputs: InputSpec[] = [{ shape: s.x }, { shape: s.w, init: 'uniform' }];
  if (s.bias) inputs.push({ shape: [s.w[0]], init: 'uniform' });
  return {
    name: `${s.name} [${kernelName}]`,
    inputs,
    gpu: (x: Tensor, w: Tensor, b?: Tensor) => withKernel(kernel, () => conv2d(x, w, b ?? null, s.opts)),
    ref: (x: RefArray, w: RefArray, b?: RefArray) => refConv2d(x, w, b ?? null, s.opts),
    atol: s.atol ?? 2e-4,
    rtol: 2e-4,
  };
}

export const conv2dCases: OpCase[] = Object.entries(conv2dKernels).flatMap(([name, kernel]) => shapesFor(name).map((s) => toCase(s, name, kernel)));

/** Every shape once, under the engine's own kernel choice (the CPU backend's suite). */
export const conv2dShapeCases: OpCase[] = shapes.map((s) => toCase(s, 'default', undefined));
