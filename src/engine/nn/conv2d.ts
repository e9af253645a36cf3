/** 2-D convolution layer over NCHW images; weights in PyTorch's OIHW layout. */
import type { Tensor } from '../tensor.js';
import type { Rng } from '../ops/fill.js';
import { conv2d } from '../ops/conv2d.js';
import { Module } from './module.js';
import { biasUniform, initRng, kaimingUniform } from './init.js';

export interface Conv2dOptions {
  stride?: number;
  /** 'same' keeps H×W at stride 1; a number pads every side; [ph, pw] pads rows and columns. Default 0. */
  padding?: 'same' | 'valid' | number | [number, number];
  bias?: boolean;
  /** Activation fused into the kernel's epilogue (cheaper than a separate layer). */
  activation?: 'none' | 'relu' | 'leakyRelu';
  alpha?: number;
  rng?: Rng;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | [number, number],
    readonly opts: Conv2dOptions = {},
  ) {
    super();
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    this.kernelSize = [kh, kw];
    const rng = initRng(opts.rng);
    // Each output sums inChannels·kh·kw products: that is the fan-in PyTorch's init scales by.
    const fanIn = inChannels * kh * kw;
    this.weight = this.registerParameter('weight', kaimingUniform([outChannels, inChannels, kh, kw], fanIn, rng));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', biasUniform(outChannels, fanIn, rng));
  }

  forward(x: Tensor): Tensor {
    const { stride = 1, padding = 0, activation = 'none', alpha } = this.opts;
    return conv2d(x, this.weight, this.bias, { stride, padding, activation, alpha });
  }
}
