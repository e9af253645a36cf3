/** Public API of the engine. */
export { initEngine, engine, destroyEngine, Engine, type KernelSpec } from './runtime/engine.js';
export { NoAdapterError, type AdapterSummary } from './runtime/device.js';
export { formatProfile, type ProfileRow } from './runtime/profiler.js';
export { Tensor, liveTensorCount } from './tensor.js';
export { tidy, keep } from './scope.js';
export { backward, noGrad, variable, isGradEnabled } from './autograd.js';
export { ShapeError } from './shape.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/layout.js';
export * from './ops/fill.js';
export * from './reference.js';
export { Optimizer } from './optim/optimizer.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
