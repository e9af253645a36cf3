/**
 * Parameter initialisation as in PyTorch's defaults, drawn on the CPU from a seeded generator so a
 * seed reproduces a model on every adapter. Layers draw from `options.rng` when given, otherwise
 * from one shared generator that `manualSeed` resets (like `torch.manual_seed`).
 */
import { Tensor } from '../tensor.js';
import { Rng } from '../ops/fill.js';
import { numel } from '../shape.js';

let shared = new Rng(0);

/** Reset the shared generator: models built after this call are the same for the same seed. */
export function manualSeed(seed: number): void {
  shared = new Rng(seed);
}

export function initRng(rng?: Rng): Rng {
  return rng ?? shared;
}

/** uniform(−bound, bound), each value rounded to f32. */
export function uniformTensor(shape: readonly number[], bound: number, rng: Rng): Tensor {
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
  return Tensor.fromArray(data, shape);
}

/**
 * Kaiming-uniform bound for a leaky-ReLU slope `a`: gain = √(2 / (1 + a²)), bound = gain·√(3 / fan_in).
 * PyTorch's Conv and Linear default a = √5 makes this 1/√fan_in.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  return Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fanIn);
}

export function kaimingUniform(shape: readonly number[], fanIn: number, rng: Rng, a = Math.sqrt(5)): Tensor {
  return uniformTensor(shape, kaimingUniformBound(fanIn, a), rng);
}

/** PyTorch's default bias: uniform(±1/√fan_in). */
export function biasUniform(size: number, fanIn: number, rng: Rng): Tensor {
  return uniformTensor([size], fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0, rng);
}
