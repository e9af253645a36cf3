/** Fully connected layer (PyTorch layout: weight [out, in]) and the Flatten that usually precedes it. */
import type { Tensor } from '../tensor.js';
import type { Rng } from '../ops/fill.js';
import { linear } from '../ops/linear.js';
import { flatten } from '../ops/layout.js';
import { Module } from './module.js';
import { biasUniform, initRng, kaimingUniform } from './init.js';

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean; rng?: Rng } = {},
  ) {
    super();
    const rng = initRng(opts.rng);
    this.weight = this.registerParameter('weight', kaimingUniform([outFeatures, inFeatures], inFeatures, rng));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', biasUniform(outFeatures, inFeatures, rng));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias ?? undefined);
  }
}

/** Flatten every axis from `startAxis` on (default: keep the batch axis). A view, not a copy. */
export class Flatten extends Module {
  constructor(readonly startAxis = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startAxis);
  }
}
