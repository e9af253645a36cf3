/** Neural-network layers on top of the engine's ops. */
export { Module, StateDictError, type HostArray, type StateValue, type StateDictSource, type LoadResult } from './module.js';
export { manualSeed, initRng, uniformTensor, kaimingUniform, kaimingUniformBound, biasUniform } from './init.js';
export { Conv2d, type Conv2dOptions } from './conv2d.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './batchnorm2d.js';
export { PReLU, LeakyReLU, ReLU, Sigmoid, Tanh, Identity } from './activations.js';
export { Linear, Flatten } from './linear.js';
export { Sequential } from './sequential.js';
export { Residual } from './residual.js';
