/** Constant and random tensors. Random numbers come from a seeded CPU generator, so a seed gives
 * the same tensor on every adapter and in every browser. */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { numel } from '../shape.js';
import { checkAllocation, withOpLabel } from '../runtime/limits.js';
import { fillKernel } from '../kernels/elementwise.js';
import { fillCpu } from './cpu/fill.js';

export function fill(shape: readonly number[], value: number): Tensor {
  const eng = engine();
  if (eng.kind === 'cpu') return fillCpu(eng, shape, value);
  const t = Tensor.empty(shape);
  const wg = engine().tuning.elementwiseWG;
  const params = new ArrayBuffer(16);
  new Uint32Array(params, 0, 1)[0] = t.size;
  new Float32Array(params, 8, 1)[0] = value;
  engine().runKernel(
    { name: 'fill', key: `${wg}`, ...fillKernel(wg) },
    { buffers: [t.buffer], params: new Uint8Array(params), workgroups: grid1d(t.size, wg), bytes: t.size * 4 },
  );
  return t;
}

// Labelled so that a limit error says `zeros`, not `fill`, in bundles too (where stack frames carry no file).
export const zeros = (shape: readonly number[]) => withOpLabel('zeros', () => fill(shape, 0));
export const ones = (shape: readonly number[]) => withOpLabel('ones', () => fill(shape, 1));
export const tensor = (data: ArrayLike<number>, shape?: readonly number[]) => Tensor.fromArray(data, shape ?? [data.length]);

/** mulberry32: small, fast, and good enough for initialisation and data shuffling. */
export class Rng {
  private s: number;
  constructor(seed = 0) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }
  /** Standard normal via Box–Muller (the second value is discarded for simplicity). */
  normal(): number {
    const u1 = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * this.next());
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** The host copy of a random tensor, refused before it is built if the GPU could not hold the tensor. */
function hostData(shape: readonly number[]): Float32Array {
  checkAllocation(engine().limits, numel(shape) * 4, shape);
  return new Float32Array(numel(shape));
}

export function randUniform(shape: readonly number[], lo = 0, hi = 1, seed = 0): Tensor {
  const rng = new Rng(seed);
  const data = hostData(shape);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(lo, hi);
  return Tensor.fromArray(data, shape);
}

export function randNormal(shape: readonly number[], mean = 0, std = 1, seed = 0): Tensor {
  const rng = new Rng(seed);
  const data = hostData(shape);
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return Tensor.fromArray(data, shape);
}
