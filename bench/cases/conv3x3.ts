/**
 * conv3x3_{fwd,bwd}_HxWxC: 3×3 convolution, stride 1, 'same' padding, batch 1, C channels in and out
 * (conv3x3s2_…: stride 2, the discriminator's downsampling). fwd = 2·OH·OW·C·C·9 flops. bwd = the input gradient plus the weight gradient of sum(conv(x, w)),
 * each as costly as the forward, so twice that. Only those two gradients are timed on both sides:
 * ours runs the forward untimed and then backward(y, ones); TF.js runs the very kernels its
 * tf.grads would (Conv2DBackpropInput, Conv2DBackpropFilter) on a ones dy.
 * Layouts differ by design: ours is NCHW with weights [Cout, Cin, 3, 3], TF.js is NHWC with
 * filters [3, 3, Cin, Cout].
 */
import type { BenchCase, BenchFamily, Tf } from './types.js';
import { randomData } from './types.js';
import type { Runner } from '../harness.js';
import { Tensor, backward, noGrad, variable, fill, conv2d } from '../../src/engine/index.js';
import type * as TfCore from '@tensorflow/tfjs-core';

type TfTensor = TfCore.Tensor;

export interface ConvShape {
  h: number;
  w: number;
  c: number;
  stride?: number;
}

/** Output size: 'same' padding gives ceil(size / stride). */
const outDims = (s: ConvShape) => [Math.ceil(s.h / (s.stride ?? 1)), Math.ceil(s.w / (s.stride ?? 1))];

function inputs({ h, w, c }: ConvShape) {
  // Weights scaled like He initialisation so outputs stay O(1) (no denormals or overflow to skew timing).
  return { x: randomData(h * w * c, 11), k: randomData(c * c * 9, 12, Math.sqrt(6 / (9 * c))) };
}

function oursForward(s: ConvShape): Runner {
  const { x, k } = inputs(s);
  const tx = Tensor.fromArray(x, [1, s.c, s.h, s.w]);
  const tw = Tensor.fromArray(k, [s.c, s.c, 3, 3]);
  let y: Tensor | undefined;
  return {
    step: () => {
      y = conv2d(tx, tw, null, { padding: 'same', stride: s.stride });
    },
    after: () => y?.dispose(),
    dispose: () => {
      tx.dispose();
      tw.dispose();
    },
  };
}

function oursBackward(s: ConvShape): Runner {
  const { x, k } = inputs(s);
  const tx = variable(Tensor.fromArray(x, [1, s.c, s.h, s.w]));
  const tw = variable(Tensor.fromArray(k, [s.c, s.c, 3, 3]));
  // d sum(y) / dy = 1 everywhere; passing it as the output gradient skips sum's own backward.
  const ones = noGrad(() => fill([1, s.c, ...outDims(s)], 1));
  let y: Tensor | undefined;
  const clearGrads = () => {
    // Fresh leaves each run, so backward never adds into an old .grad (an extra kernel TF.js doesn't run).
    for (const t of [tx, tw]) {
      t.grad?.dispose();
      t.grad = undefined;
    }
  };
  return {
    prepare: () => {
      y = conv2d(tx, tw, null, { padding: 'same', stride: s.stride });
    },
    step: () => backward(y!, ones),
    after: () => {
      clearGrads();
      y?.dispose();
    },
    dispose: () => {
      clearGrads();
      for (const t of [tx, tw, ones]) t.dispose();
    },
  };
}

function tfForward(tf: Tf, s: ConvShape): Runner {
  const { x, k } = inputs(s);
  const tx = tf.tensor4d(x, [1, s.h, s.w, s.c]);
  const tw = tf.tensor4d(k, [3, 3, s.c, s.c]);
  let y: TfTensor | undefined;
  return {
    step: () => {
      y = tf.conv2d(tx, tw, s.stride ?? 1, 'same');
    },
    after: () => y?.dispose(),
    dispose: () => {
      tx.dispose();
      tw.dispose();
    },
  };
}

function tfBackward(tf: Tf, s: ConvShape): Runner {
  const { x, k } = inputs(s);
  const tx = tf.tensor4d(x, [1, s.h, s.w, s.c]);
  const tw = tf.tensor4d(k, [3, 3, s.c, s.c]);
  const [oh, ow] = outDims(s);
  const dy = tf.ones([1, oh, ow, s.c]);
  const st = s.stride ?? 1;
  const common = { strides: [st, st] as [number, number], pad: 'same' as const, dataFormat: 'NHWC' as const };
  let grads: TfTensor[] = [];
  return {
    step: () => {
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tw }, {
        ...common,
        inputShape: [1, s.h, s.w, s.c],
      } as unknown as TfCore.NamedAttrMap) as TfTensor;
      const dw = tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x: tx, dy }, { ...common, filterShape: [3, 3, s.c, s.c] } as unknown as TfCore.NamedAttrMap) as TfTensor;
      grads = [dx, dw];
    },
    after: () => {
      for (const g of grads) g.dispose();
      grads = [];
    },
    dispose: () => {
      for (const t of [tx, tw, dy]) t.dispose();
    },
  };
}

export function convCases(s: ConvShape): BenchCase[] {
  const dims = `${s.h}x${s.w}x${s.c}`;
  const name = s.stride && s.stride > 1 ? `conv3x3s${s.stride}` : 'conv3x3';
  const [oh, ow] = outDims(s);
  const fwdFlops = 2 * oh * ow * s.c * s.c * 9;
  return [
    { key: `${name}_fwd_${dims}`, flops: fwdFlops, ours: () => oursForward(s), tfjs: (tf) => tfForward(tf, s) },
    { key: `${name}_bwd_${dims}`, flops: 2 * fwdFlops, ours: () => oursBackward(s), tfjs: (tf) => tfBackward(tf, s) },
  ];
}

export const conv3x3Family: BenchFamily = {
  name: 'conv3x3',
  cases: [
    { h: 32, w: 32, c: 64 },
    { h: 64, w: 64, c: 64 },
  ].flatMap(convCases),
};
