/**
 * ICNR initialisation (Aitken et al. 2017, "Checkerboard artifact free sub-pixel convolution") of
 * a convolution whose output a pixel shuffle ×r rearranges. A shuffle sends output channel
 * c·r² + k (PyTorch order) to sub-pixel k of channel c, so r² independent kernels per channel
 * mean r² differently-initialised sub-pixel filters: a fixed r-periodic lattice from the first step,
 * which training then has to unlearn (and a GAN can amplify). ICNR draws one kernel per shuffled
 * channel and gives it to all r² of its sub-pixels, so the conv + shuffle starts as a conv followed
 * by nearest-neighbour upsampling: every sub-pixel phase identical, no lattice at init. Training
 * is free to make them differ where the data asks for it.
 */
import * as E from '../../engine/index.js';
import type { Rng } from '../../engine/index.js';
import { ConfigError } from '../errors.js';

export interface IcnrOptions {
  /** Scale PyTorch's default weight bound by this (the residual-over-bicubic tail starts at 0.1). */
  gain?: number;
  /** Zero biases (the residual tail) instead of PyTorch's default uniform(±1/√fan_in). */
  zeroBias?: boolean;
}

/** Overwrite `conv`'s weights and bias with an ICNR draw for a pixel shuffle of factor r. */
export function icnrInit(conv: E.nn.Conv2d, r: number, rng: Rng, { gain = 1, zeroBias = false }: IcnrOptions = {}): void {
  const [o, i, kh, kw] = conv.weight.shape, group = r * r, k = i * kh * kw;
  if (o % group !== 0) throw new ConfigError(`icnrInit: ${o} output channels are not a multiple of r² = ${group}`);
  const bound = gain * E.nn.kaimingUniformBound(k);
  const weight = new Float32Array(o * k), bias = new Float32Array(o);
  for (let c = 0; c < o / group; c++) {
    const kernel = Float32Array.from({ length: k }, () => rng.uniform(-bound, bound));
    const b = zeroBias ? 0 : rng.uniform(-1 / Math.sqrt(k), 1 / Math.sqrt(k));
    for (let s = 0; s < group; s++) {
      weight.set(kernel, (c * group + s) * k);
      bias[c * group + s] = b;
    }
  }
  conv.loadStateDict({ weight: { shape: conv.weight.shape, data: weight }, bias: { shape: [o], data: bias } });
}
