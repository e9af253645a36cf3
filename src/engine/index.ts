/**
 * Public API of the engine (`srgan-webgpu`), platform-neutral: it bundles for the browser as is.
 * In Node, import `./node.ts` instead (package.json picks it under the `node` condition): it adds
 * Dawn (npm `webgpu`) as the device source and the file helpers. Test hooks and float64 references
 * live in `./testing.ts`, which is not part of the package.
 */
export {
  initEngine,
  engine,
  destroyEngine,
  onDeviceLost,
  WebGpuEngine,
  type Engine,
  type BackendName,
  type KernelSpec,
  type InitOptions,
} from './runtime/engine.js';
export type { SimdChoice } from './cpu/simd-build.js';
export { CpuEngine } from './cpu/cpu-engine.js';
export { NoAdapterError, describeAdapter, type AdapterSummary } from './runtime/device.js';
export { EngineError, GpuLimitError, GpuBatchError, KernelFaultError, OutOfMemoryError, DeviceLostError, GraphFreedError } from './errors.js';
export { withOpLabel } from './runtime/limits.js';
export { formatProfile, type ProfileRow } from './runtime/profiler.js';
export { chromeTrace, chromeTraceJson, type ChromeTrace, type TraceEvent, type KernelEvent } from './runtime/trace.js';
export { Tensor, liveTensorCount } from './tensor.js';
export { tidy, keep } from './scope.js';
export { backward, noGrad, variable, isGradEnabled } from './autograd.js';
export { ShapeError, fmt as formatShape } from './shape.js';

export {
  add,
  sub,
  mul,
  div,
  pow,
  minimum,
  maximum,
  equal,
  greater,
  neg,
  exp,
  log,
  sqrt,
  abs,
  square,
  relu,
  leakyRelu,
  sigmoid,
  tanh,
  addScalar,
  mulScalar,
  rsubScalar,
  powScalar,
  clamp,
} from './ops/elementwise.js';
export { sum, mean, max } from './ops/reduce.js';
export { reshape, flatten, permute, transpose, slice, concat, expand, broadcastTo } from './ops/layout.js';
export { fill, zeros, ones, tensor, Rng, randUniform, randNormal } from './ops/fill.js';
export { batchNorm2d, type BatchNormOptions } from './ops/batchnorm.js';
export { prelu } from './ops/activations.js';
export { pixelShuffle, upsampleNearest } from './ops/pixel-shuffle.js';
export { resize, type ResizeOptions } from './ops/resize.js';
export { mseLoss, l1Loss, bceWithLogits, bce } from './ops/losses.js';
export { matmul, type MatmulOptions } from './ops/matmul.js';
export { linear } from './ops/linear.js';
export { conv2d, type Conv2dOptions } from './ops/conv2d.js';
export { maxPool2d } from './ops/pool.js';

export { Optimizer } from './optim/optimizer.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { WeightAverage, type WeightAverageOptions } from './optim/weight-average.js';

export {
  encodeSafetensors,
  decodeSafetensors,
  tensorsToSafetensors,
  safetensorsToTensors,
  saveCheckpoint,
  loadCheckpoint,
  safetensorsBlob,
  decodeSafetensorsBlob,
  SafetensorsError,
  type SafetensorsDType,
  type HostTensor,
  type DecodedTensor,
  type DecodedSafetensors,
  type Checkpointable,
} from './io/safetensors.js';
export * as nn from './nn/index.js';
