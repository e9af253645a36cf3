/**
 * Reductions and the training steps that lean on them, batch 16, each timed as one step on both
 * engines (forward and backward together where the key says fwdbwd):
 *   reduce_sum_bias_16x32x24x24      Σ over N, H, W of a conv output gradient (a bias gradient);
 *   mse_loss_fwdbwd_16x3x96x96       mean squared error and its gradient for the prediction;
 *   bn_fwdbwd_16x64x24x24            training batch norm, then the gradients of x, γ and β;
 *   conv3x3_bias_fwdbwd_16x32x24x24  conv 32→32 3×3 'same' with bias, then the gradients of x, w and b.
 * flops: one per element read for the reductions (so the GFLOPS column reads as G elements/s);
 * the conv counts its three products, 3 · 2·N·H·W·C·C·9.
 * Ours is NCHW, TF.js NHWC. tfjs-core registers no gradients unless a model package does, so the
 * TF.js side spells out the backward with the same ops its gradient functions run.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { BenchCase, BenchFamily } from './types.js';
import { randomData } from './types.js';
import type { Runner } from '../harness.js';
import { Tensor, backward, variable, tidy, sum, mseLoss, fill, batchNorm2d, conv2d } from '../../src/engine/index.js';

type TfTensor = TfCore.Tensor;
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
const nhwc = ([n, c, h, w]: number[]): [number, number, number, number] => [n, h, w, c];

/** Ours: `run` makes outputs (inside tidy); leaves' gradients are cleared after each step. */
function oursRunner(leaves: Tensor[], others: Tensor[], run: () => Tensor[]): Runner {
  let outs: Tensor[] = [];
  const clear = () => {
    for (const t of outs) t.dispose();
    outs = [];
    for (const t of leaves) {
      t.grad?.dispose();
      t.grad = undefined;
    }
  };
  return {
    step: () => {
      outs = run();
    },
    after: clear,
    dispose: () => {
      clear();
      for (const t of [...leaves, ...others]) t.dispose();
    },
  };
}

function tfRunner(inputs: TfTensor[], run: () => TfTensor[]): Runner {
  let outs: TfTensor[] = [];
  return {
    step: () => {
      outs = run();
    },
    after: () => {
      for (const t of outs) t.dispose();
      outs = [];
    },
    dispose: () => {
      for (const t of inputs) t.dispose();
    },
  };
}

const biasShape = [16, 32, 24, 24];
const reduceSumBias: BenchCase = {
  key: 'reduce_sum_bias_16x32x24x24',
  flops: size(biasShape),
  ours: () => {
    const dy = Tensor.fromArray(randomData(size(biasShape), 21), biasShape);
    return oursRunner([], [dy], () => [sum(dy, [0, 2, 3])]);
  },
  tfjs: (tf) => {
    const dy = tf.tensor(randomData(size(biasShape), 21), nhwc(biasShape));
    return tfRunner([dy], () => [tf.sum(dy, [0, 1, 2])]);
  },
};

const mseShape = [16, 3, 96, 96];
const mseFwdBwd: BenchCase = {
  key: 'mse_loss_fwdbwd_16x3x96x96',
  flops: 2 * size(mseShape),
  ours: () => {
    const p = variable(Tensor.fromArray(randomData(size(mseShape), 22), mseShape));
    const t = Tensor.fromArray(randomData(size(mseShape), 23), mseShape);
    return oursRunner([p], [t], () => {
      const loss = tidy(() => {
        const l = mseLoss(p, t);
        backward(l);
        return l;
      });
      return [loss];
    });
  },
  tfjs: (tf) => {
    const p = tf.tensor(randomData(size(mseShape), 22), nhwc(mseShape));
    const t = tf.tensor(randomData(size(mseShape), 23), nhwc(mseShape));
    const n = size(mseShape);
    return tfRunner([p, t], () =>
      tf.tidy(() => {
        const diff = tf.sub(p, t);
        return [tf.mean(tf.square(diff)), tf.mul(diff, tf.scalar(2 / n))];
      }),
    );
  },
};

const bnShape = [16, 64, 24, 24];
const bnFwdBwd: BenchCase = {
  key: 'bn_fwdbwd_16x64x24x24',
  flops: 4 * size(bnShape),
  ours: () => {
    const c = bnShape[1];
    const x = variable(Tensor.fromArray(randomData(size(bnShape), 24), bnShape));
    const gamma = variable(fill([c], 1)),
      beta = variable(fill([c], 0));
    const rm = fill([c], 0),
      rv = fill([c], 1);
    const dy = Tensor.fromArray(randomData(size(bnShape), 25), bnShape);
    return oursRunner([x, gamma, beta], [rm, rv, dy], () => {
      tidy(() => backward(batchNorm2d(x, gamma, beta, rm, rv, { training: true }), dy));
      return [];
    });
  },
  tfjs: (tf) => {
    const c = bnShape[1];
    const x = tf.tensor(randomData(size(bnShape), 24), nhwc(bnShape));
    const gamma = tf.ones([c]),
      beta = tf.zeros([c]);
    const dy = tf.tensor(randomData(size(bnShape), 25), nhwc(bnShape));
    // dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
    return tfRunner([x, gamma, beta, dy], () =>
      tf.tidy(() => {
        const axes = [0, 1, 2];
        const { mean, variance } = tf.moments(x, axes);
        const y = tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
        const invstd = tf.rsqrt(tf.add(variance, tf.scalar(1e-5)));
        const xhat = tf.mul(tf.sub(x, mean), invstd);
        const dyXhat = tf.mul(dy, xhat);
        const dx = tf.mul(tf.mul(gamma, invstd), tf.sub(tf.sub(dy, tf.mean(dy, axes)), tf.mul(xhat, tf.mean(dyXhat, axes))));
        return [y, dx, tf.sum(dyXhat, axes), tf.sum(dy, axes)];
      }),
    );
  },
};

const convShape = [16, 32, 24, 24];
const convBiasFwdBwd: BenchCase = {
  key: 'conv3x3_bias_fwdbwd_16x32x24x24',
  flops: 3 * 2 * size(convShape) * 32 * 9,
  ours: () => {
    const x = variable(Tensor.fromArray(randomData(size(convShape), 26), convShape));
    const w = variable(Tensor.fromArray(randomData(32 * 32 * 9, 27, Math.sqrt(6 / (9 * 32))), [32, 32, 3, 3]));
    const b = variable(Tensor.fromArray(randomData(32, 28), [32]));
    const dy = Tensor.fromArray(randomData(size(convShape), 29), convShape);
    return oursRunner([x, w, b], [dy], () => {
      tidy(() => backward(conv2d(x, w, b, { padding: 'same' }), dy));
      return [];
    });
  },
  tfjs: (tf) => {
    const x = tf.tensor(randomData(size(convShape), 26), nhwc(convShape)) as TfCore.Tensor4D;
    const w = tf.tensor(randomData(32 * 32 * 9, 27, Math.sqrt(6 / (9 * 32))), [3, 3, 32, 32]) as TfCore.Tensor4D;
    const b = tf.tensor(randomData(32, 28), [32]);
    const dy = tf.tensor(randomData(size(convShape), 29), nhwc(convShape)) as TfCore.Tensor4D;
    const common = { strides: [1, 1] as [number, number], pad: 'same' as const, dataFormat: 'NHWC' as const };
    // The kernels tf.grads would run for a fused conv with bias: forward, both conv gradients, Σ dy.
    return tfRunner([x, w, b, dy], () => [
      tf.fused.conv2d({ x, filter: w, bias: b, strides: 1, pad: 'same' }),
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
        ...common,
        inputShape: nhwc(convShape),
      } as unknown as TfCore.NamedAttrMap) as TfTensor,
      tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: [3, 3, 32, 32] } as unknown as TfCore.NamedAttrMap) as TfTensor,
      tf.sum(dy, [0, 1, 2]),
    ]);
  },
};

export const reductionsFamily: BenchFamily = {
  name: 'reductions',
  cases: [reduceSumBias, mseFwdBwd, bnFwdBwd, convBiasFwdBwd],
};
