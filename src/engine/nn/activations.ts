/** Activation layers. Only PReLU has a parameter (one slope per channel, PyTorch's `weight`). */
import type { Tensor } from '../tensor.js';
import { leakyRelu, relu, sigmoid, tanh } from '../ops/elementwise.js';
import { prelu } from '../ops/activations.js';
import { fill } from '../ops/fill.js';
import { Module } from './module.js';

export class PReLU extends Module {
  readonly weight: Tensor;
  /** `channels` = 1 shares one slope across all channels; otherwise it must equal the channel count. */
  constructor(
    readonly channels = 1,
    init = 0.25,
  ) {
    super();
    this.weight = this.registerParameter('weight', fill([channels], init));
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}

export class LeakyReLU extends Module {
  constructor(readonly alpha = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.alpha);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
