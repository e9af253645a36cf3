/**
 * Batch normalisation over the channels of NCHW images. In training it normalises with the batch
 * statistics and updates the running ones (the op does that in place); in eval it uses the running
 * statistics. PyTorch's `num_batches_tracked` is not kept: it only matters for momentum = None
 * (a cumulative average), which this layer does not offer.
 */
import type { Tensor } from '../tensor.js';
import { batchNorm2d } from '../ops/batchnorm.js';
import { ones, zeros } from '../ops/fill.js';
import { Module } from './module.js';

export interface BatchNorm2dOptions {
  /** Weight of the new batch statistic in the running average (PyTorch's convention). */
  momentum?: number;
  eps?: number;
}

export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly momentum: number;
  readonly eps: number;

  constructor(
    readonly numFeatures: number,
    { momentum = 0.1, eps = 1e-5 }: BatchNorm2dOptions = {},
  ) {
    super();
    this.momentum = momentum;
    this.eps = eps;
    this.weight = this.registerParameter('weight', ones([numFeatures]));
    this.bias = this.registerParameter('bias', zeros([numFeatures]));
    this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]));
    this.runningVar = this.registerBuffer('running_var', ones([numFeatures]));
  }

  forward(x: Tensor): Tensor {
    return batchNorm2d(x, this.weight, this.bias, this.runningMean, this.runningVar, {
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}
