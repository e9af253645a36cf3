/**
 * The `paper` SRResNet written with TF.js core ops (NHWC), the peer of src/srgan's Generator in the
 * srgan bench family. It loads the same host weights by the Generator's state-dict names, so both
 * sides compute the same function (tests/unit/bench-harness.test.ts compares their outputs).
 * Each layer uses TF.js's fastest public path: fused conv + bias (+ PReLU for the head, which TF.js
 * unfuses by itself under a gradient tape), tf.batchNorm, tf.prelu, tf.depthToSpace for inference.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Tf } from './types.js';
import type { GeneratorConfig } from '../../src/srgan/config.js';
import type { nn } from '../../src/engine/index.js';
type HostArray = nn.HostArray;

type T4 = TfCore.Tensor4D;
type V = TfCore.Variable;

/** Host weights by the Generator's state-dict names, in our layouts (conv weights [O, I, kh, kw]). */
export type HostWeights = Map<string, HostArray>;

export interface TfSrresnet {
  /** Weights, biases, PReLU slopes, BN γ and β: what Adam updates. */
  trainable: V[];
  /** LR [N, H, W, 3] in [0, 1] → SR [N, 4H, 4W, 3]; training: batch statistics and running-stat updates. */
  forward(x: T4, training: boolean): T4;
  dispose(): void;
}

/**
 * [O, I, kh, kw] → TF.js's [kh, kw, I, O]. `outFrom(o)` is the source output channel of TF.js's
 * channel o: the identity, except before a pixel shuffle (see `shuffledChannel`).
 */
function tfFilter(w: HostArray, outFrom: (o: number) => number): { data: Float32Array; shape: number[] } {
  const [O, I, kh, kw] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let o = 0; o < O; o++) {
    const src = outFrom(o);
    for (let i = 0; i < I; i++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * I + i) * O + o] = w.data[((src * I + i) * kh + y) * kw + x];
  }
  return { data: out, shape: [kh, kw, I, O] };
}

/**
 * PyTorch's pixel shuffle reads channel c·4 + 2i + j for output pixel (2h+i, 2w+j) of channel c;
 * TF.js's depthToSpace (NHWC, DCR) reads channel (2i + j)·C + c. Permuting the preceding conv's
 * output channels makes the two shuffles give the same image.
 */
const shuffledChannel = (C: number) => (o: number) => (o % C) * 4 + Math.floor(o / C);

/** depthToSpace ×2 as reshape + one rank-4 transpose: TF.js registers no gradient for DepthToSpace. */
function shuffleWithGradient(tf: Tf, x: T4): T4 {
  const [n, h, w, c4] = x.shape;
  const rows = tf.reshape(x, [n * h, w, 2, c4 / 2]);
  return tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [n, 2 * h, 2 * w, c4 / 4]);
}

export function tfSrresnet(tf: Tf, cfg: GeneratorConfig, weights: HostWeights, eps = 1e-5): TfSrresnet {
  if (cfg.arch !== 'srresnet' || cfg.activation !== 'prelu' || !cfg.batchNorm || cfg.upsample !== 'pixelshuffle')
    throw new Error('tfSrresnet: only the paper layout (srresnet, PReLU, batch-norm, pixel shuffle) has a TF.js twin');
  const vars = new Map<string, V>();
  const trainable: V[] = [];
  const host = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new Error(`tfSrresnet: no weight named ${name}`);
    return w;
  };
  const make = (name: string, data: Float32Array, shape: number[], train = true) => {
    const init = tf.tensor(data, shape);
    const v = tf.variable(init, train); // unnamed: TF.js names must be unique among live variables
    init.dispose(); // the variable holds its own reference to the data
    vars.set(name, v);
    if (train) trainable.push(v);
  };
  const addConv = (p: string, outFrom: (o: number) => number = (o) => o) => {
    const f = tfFilter(host(`${p}.weight`), outFrom);
    make(`${p}.weight`, f.data, f.shape);
    const b = host(`${p}.bias`).data;
    make(
      `${p}.bias`,
      Float32Array.from(b, (_, o) => b[outFrom(o)]),
      [b.length],
    );
  };
  const addVector = (name: string, train = true) => make(name, host(name).data, [host(name).data.length], train);
  const addBn = (p: string) => {
    addVector(`${p}.weight`);
    addVector(`${p}.bias`);
    addVector(`${p}.running_mean`, false);
    addVector(`${p}.running_var`, false);
  };

  addConv('head.0');
  addVector('head.1.weight');
  for (let i = 0; i < cfg.blocks; i++) {
    const b = `body.${i}`;
    addConv(`${b}.conv1`);
    addBn(`${b}.bn1`);
    addVector(`${b}.act.weight`);
    addConv(`${b}.conv2`);
    addBn(`${b}.bn2`);
  }
  addConv('trunk.0');
  addBn('trunk.1');
  const stages = Math.log2(cfg.scale);
  for (let j = 0; j < stages; j++) {
    addConv(`upsample.${j}.0`, shuffledChannel(cfg.upsampleChannels / 4));
    addVector(`upsample.${j}.2.weight`);
  }
  addConv('tail');

  const v = (name: string) => vars.get(name)!;
  const momentum = cfg.bnMomentum;

  function forward(x: T4, training: boolean): T4 {
    const conv = (t: T4, p: string, prelu?: string) =>
      tf.fused.conv2d({
        x: t,
        filter: v(`${p}.weight`) as unknown as T4,
        bias: v(`${p}.bias`),
        strides: 1,
        pad: 'same',
        activation: prelu ? 'prelu' : 'linear',
        preluActivationWeights: prelu ? v(prelu) : undefined,
      });
    const prelu = (t: T4, name: string) => tf.prelu(t, v(name) as unknown as T4); // alpha [C] broadcasts over NHWC
    const moveRunning = (name: string, batch: TfCore.Tensor) => v(name).assign(tf.add(tf.mul(v(name), 1 - momentum), tf.mul(batch, momentum)));
    const bn = (t: T4, p: string): T4 => {
      if (!training) return tf.batchNorm(t, v(`${p}.running_mean`), v(`${p}.running_var`), v(`${p}.bias`), v(`${p}.weight`), eps) as T4;
      const { mean, variance } = tf.moments(t, [0, 1, 2]);
      const count = t.size / t.shape[3];
      // PyTorch's running variance is the unbiased one; normalisation uses the biased batch variance.
      moveRunning(`${p}.running_mean`, mean);
      moveRunning(`${p}.running_var`, tf.mul(variance, count / (count - 1)));
      return tf.batchNorm(t, mean, variance, v(`${p}.bias`), v(`${p}.weight`), eps) as T4;
    };

    const head = conv(x, 'head.0', 'head.1.weight');
    let y = head;
    for (let i = 0; i < cfg.blocks; i++) {
      const b = `body.${i}`;
      const r = bn(conv(prelu(bn(conv(y, `${b}.conv1`), `${b}.bn1`), `${b}.act.weight`), `${b}.conv2`), `${b}.bn2`);
      y = tf.add(y, r);
    }
    y = tf.add(bn(conv(y, 'trunk.0'), 'trunk.1'), head);
    for (let j = 0; j < stages; j++) {
      const u = conv(y, `upsample.${j}.0`);
      y = prelu(training ? shuffleWithGradient(tf, u) : tf.depthToSpace(u, 2), `upsample.${j}.2.weight`);
    }
    const out = conv(y, 'tail');
    return cfg.output === 'tanh' ? tf.tanh(out) : out;
  }

  return {
    trainable,
    forward: (x, training) => tf.tidy(() => forward(x, training)),
    dispose: () => {
      for (const t of vars.values()) t.dispose();
    },
  };
}
