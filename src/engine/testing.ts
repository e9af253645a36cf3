/**
 * Test-only entry of the engine (tests and benchmarks; not part of the package): kernel overrides
 * that force a variant or tile shape, the float64 CPU references every op is checked against,
 * and the internals that tests drive directly. Import public names from `./index.ts`.
 */
export { setConv2dKernel, refConv2d, refConvTaps, type Conv2dKernelChoice } from './ops/conv2d.js';
export { setMatmulKernel, refMatmul, type MatmulKernelChoice } from './ops/matmul.js';
export { setReduceKernel, refReduce } from './ops/reduce.js';
export type { ReduceTuning } from './runtime/tuning.js';
export { ref, refMap, refZip, refPermute, type RefArray } from './reference.js';
export { unary, binary, unaryOps, binaryOps, type UnaryDef, type UnaryName, type BinaryName } from './ops/elementwise.js';
export { refBatchNorm2d } from './ops/batchnorm.js';
export { refPrelu } from './ops/activations.js';
export { refPixelShuffle, refUpsampleNearest } from './ops/pixel-shuffle.js';
export { refResize } from './ops/resize.js';
export { refMseLoss, refL1Loss, refBceWithLogits, refBce } from './ops/losses.js';
export { refLinear } from './ops/linear.js';
export { refMaxPool2d } from './ops/pool.js';
export { halfToF32Bits } from './io/safetensors.js';
export { sizeClass } from './runtime/buffer-pool.js';
export { BatchTracker } from './runtime/batches.js';
export { grid1d } from './runtime/grid.js';
export { Heap } from './cpu/heap.js';
