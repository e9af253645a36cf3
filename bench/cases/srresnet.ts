/**
 * The srgan family: the `paper` SRResNet generator (16 residual blocks, 64 channels, ×4), model-level.
 *   srresnet_b16c64_infer_24px          forward, batch 1, LR 24×24 → SR 96×96, eval-mode batch-norm;
 *   srresnet_b16c64_trainstep_bs4_24px  one phase-1 step: forward (batch statistics), pixel MSE
 *                                       against a 96×96 HR batch, backward, Adam (lr 1e-4, β 0.9/0.999).
 * Ours: src/srgan's Generator with E.mseLoss and E.Adam, written as the trainer writes a step.
 * TF.js: the same network from tfjs-core ops (srresnet-tfjs.ts), optimizer.minimize with tf.train.adam.
 * Both load the same seeded weights by the Generator's state-dict names, so the parameter counts
 * and the outputs agree (checked when a case is built, and in tests/unit/bench-harness.test.ts).
 * flops: 2·MACs of the convs; a training step is 3× the forward (dX and dW) less the first
 * conv's dX (the LR input needs no gradient), times the batch.
 * Memory (the table's MiB columns, `peakMiB` in the JSON): ours is the engine pool's allocatedBytes
 * after one step from an emptied pool (the pool keeps what it allocated, so that is the step's
 * high-water mark); TF.js's is its WebGPU buffer manager's allocated bytes after each step, a pool
 * shared with the run's earlier cases.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import * as E from '../../src/engine/index.js';
import { engine } from '../../src/engine/index.js';
import { makeConfig, type GeneratorConfig } from '../../src/srgan/config.js';
import { Generator, generatorParamCount } from '../../src/srgan/models/generator.js';
import type { Runner } from '../harness.js';
import type { BenchCase, BenchFamily, Tf } from './types.js';
import { randomData } from './types.js';
import { tfSrresnet, type HostWeights, type TfSrresnet } from './srresnet-tfjs.js';

export interface SrresnetSpec {
  blocks: number;
  channels: number;
  /** Channels of the upsampling convs (before each pixel shuffle). */
  upsampleChannels: number;
  /** LR side in pixels (HR is 4× that). */
  size: number;
  /** Batch of the training step (inference is batch 1). */
  batch: number;
  lr?: number;
}

export const paperSpec: SrresnetSpec = { blocks: 16, channels: 64, upsampleChannels: 256, size: 24, batch: 4 };

export function specConfig(s: SrresnetSpec): GeneratorConfig {
  return makeConfig('paper', { generator: { blocks: s.blocks, channels: s.channels, upsampleChannels: s.upsampleChannels } }).generator;
}

/**
 * Seeded weights under the Generator's documented state-dict names (its strict loadStateDict
 * checks names and shapes): PyTorch-default conv ranges; BN and PReLU values spread around their
 * initial ones so that a channel mix-up between the two layouts would show in the outputs.
 */
export function seededWeights(cfg: GeneratorConfig, seed = 7): HostWeights {
  const rng = new E.Rng(seed);
  const out: HostWeights = new Map();
  const put = (name: string, shape: number[], lo: number, hi: number) =>
    out.set(name, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(lo, hi)) });
  const conv = (p: string, cin: number, cout: number, k: number) => {
    const bound = 1 / Math.sqrt(cin * k * k);
    put(`${p}.weight`, [cout, cin, k, k], -bound, bound);
    put(`${p}.bias`, [cout], -bound, bound);
  };
  const prelu = (name: string, c: number) => put(name, [c], 0.15, 0.35);
  const bn = (p: string, c: number) => {
    put(`${p}.weight`, [c], 0.8, 1.2);
    put(`${p}.bias`, [c], -0.1, 0.1);
    put(`${p}.running_mean`, [c], -0.1, 0.1);
    put(`${p}.running_var`, [c], 0.8, 1.2);
  };
  const C = cfg.channels,
    U = cfg.upsampleChannels;
  conv('head.0', 3, C, 9);
  prelu('head.1.weight', C);
  for (let i = 0; i < cfg.blocks; i++) {
    conv(`body.${i}.conv1`, C, C, 3);
    bn(`body.${i}.bn1`, C);
    prelu(`body.${i}.act.weight`, C);
    conv(`body.${i}.conv2`, C, C, 3);
    bn(`body.${i}.bn2`, C);
  }
  conv('trunk.0', C, C, 3);
  bn('trunk.1', C);
  let cin = C;
  for (let j = 0; j < Math.log2(cfg.scale); j++) {
    conv(`upsample.${j}.0`, cin, U, 3);
    prelu(`upsample.${j}.2.weight`, U / 4);
    cin = U / 4;
  }
  conv('tail', cin, 3, 9);
  return out;
}

/** LR pixels in [0, 1] and an HR target in [−1, 1] (the paper preset's tanh range), NCHW. */
export function srresnetInputs(s: SrresnetSpec, batch: number): { lr: Float32Array; hr: Float32Array } {
  const lr = randomData(batch * 3 * s.size * s.size, 41).map((v) => (v + 1) / 2);
  return { lr, hr: randomData(batch * 3 * 16 * s.size * s.size, 42) };
}

export function toNhwc(data: Float32Array, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[(b * h * w + p) * c + ch] = data[(b * c + ch) * h * w + p];
  return out;
}

/** Our Generator with the seeded weights; its parameter count must equal the independent count. */
export function oursGenerator(s: SrresnetSpec): Generator {
  const cfg = specConfig(s);
  const g = new Generator(cfg);
  g.loadStateDict(seededWeights(cfg));
  if (g.numParameters() !== generatorParamCount(cfg))
    throw new Error(`srresnet bench: Generator has ${g.numParameters()} parameters, expected ${generatorParamCount(cfg)}`);
  return g;
}

export function tfjsGenerator(tf: Tf, s: SrresnetSpec): TfSrresnet {
  const cfg = specConfig(s);
  const model = tfSrresnet(tf, cfg, seededWeights(cfg));
  const count = model.trainable.reduce((n, v) => n + v.size, 0);
  if (count !== generatorParamCount(cfg)) {
    model.dispose();
    throw new Error(`srresnet bench: the TF.js twin has ${count} parameters, expected ${generatorParamCount(cfg)}`);
  }
  return model;
}

const shapes = (s: SrresnetSpec, batch: number) => ({ lr: [batch, 3, s.size, s.size], hr: [batch, 3, 4 * s.size, 4 * s.size] });
const nhwc = ([n, c, h, w]: number[]): [number, number, number, number] => [n, h, w, c];

function oursInfer(s: SrresnetSpec): Runner {
  const g = oursGenerator(s).eval();
  const x = E.Tensor.fromArray(srresnetInputs(s, 1).lr, shapes(s, 1).lr);
  let y: E.Tensor | undefined;
  return {
    step: () => {
      y = E.tidy(() => E.noGrad(() => g.forward(x)));
    },
    after: () => y?.dispose(),
    dispose: () => {
      x.dispose();
      g.dispose();
    },
  };
}

function tfjsInfer(tf: Tf, s: SrresnetSpec): Runner {
  const model = tfjsGenerator(tf, s);
  const x = tf.tensor4d(toNhwc(srresnetInputs(s, 1).lr, shapes(s, 1).lr), nhwc(shapes(s, 1).lr));
  let y: TfCore.Tensor | undefined;
  return {
    step: () => {
      y = model.forward(x, false);
    },
    after: () => y?.dispose(),
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
}

/** One trainer-style step (zeroGrad, forward, MSE, backward, Adam); returns its loss tensor. */
export function oursTrainStep(g: Generator, opt: E.Adam, lr: E.Tensor, hr: E.Tensor): E.Tensor {
  opt.zeroGrad();
  return E.tidy(() => {
    const loss = E.mseLoss(g.forward(lr), hr);
    E.backward(loss);
    opt.step();
    return loss;
  });
}

function oursTrain(s: SrresnetSpec): Runner {
  const g = oursGenerator(s).train();
  const opt = new E.Adam(g.parameters(), { lr: s.lr ?? 1e-4, betas: [0.9, 0.999] });
  const data = srresnetInputs(s, s.batch);
  const lr = E.Tensor.fromArray(data.lr, shapes(s, s.batch).lr);
  const hr = E.Tensor.fromArray(data.hr, shapes(s, s.batch).hr);
  // The memory step (untimed): from an empty pool, whatever the step holds at once must be allocated.
  engine().pool.trim();
  oursTrainStep(g, opt, lr, hr).dispose();
  const peak = engine().memory().allocatedBytes;
  let loss: E.Tensor | undefined;
  return {
    step: () => {
      loss = oursTrainStep(g, opt, lr, hr);
    },
    after: () => loss?.dispose(),
    peakBytes: () => peak,
    dispose: () => {
      opt.zeroGrad();
      opt.dispose();
      for (const t of [lr, hr]) t.dispose();
      g.dispose();
    },
  };
}

function tfjsTrain(tf: Tf, s: SrresnetSpec): Runner {
  const model = tfjsGenerator(tf, s);
  // TF.js's default epsilon is 1e-7; ours (and PyTorch's) is 1e-8.
  const opt = tf.train.adam(s.lr ?? 1e-4, 0.9, 0.999, 1e-8);
  const { lr: l, hr: h } = srresnetInputs(s, s.batch);
  const sh = shapes(s, s.batch);
  const lr = tf.tensor4d(toNhwc(l, sh.lr), nhwc(sh.lr));
  const hr = tf.tensor4d(toNhwc(h, sh.hr), nhwc(sh.hr));
  const allocated = () => (tf.memory() as TfCore.MemoryInfo & { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? 0;
  let peak = 0;
  return {
    step: () => {
      opt.minimize(() => tf.mean(tf.squaredDifference(model.forward(lr, true), hr)) as TfCore.Scalar, false, model.trainable);
    },
    after: () => {
      peak = Math.max(peak, allocated());
    },
    peakBytes: () => peak || undefined,
    dispose: () => {
      opt.dispose();
      for (const t of [lr, hr]) t.dispose();
      model.dispose();
    },
  };
}

/** 2·MACs of the forward's convs for one image, and of the first conv alone. */
function convFlops(cfg: GeneratorConfig, size: number): { total: number; head: number } {
  const C = cfg.channels,
    U = cfg.upsampleChannels;
  const f = (hw: number, cin: number, cout: number, k: number) => 2 * hw * hw * cin * cout * k * k;
  const head = f(size, 3, C, 9);
  let total = head + (2 * cfg.blocks + 1) * f(size, C, C, 3);
  let hw = size,
    cin = C;
  for (let j = 0; j < Math.log2(cfg.scale); j++, hw *= 2, cin = U / 4) total += f(hw, cin, U, 3);
  return { total: total + f(hw, cin, 3, 9), head };
}

export function srresnetCases(s: SrresnetSpec): BenchCase[] {
  const name = `srresnet_b${s.blocks}c${s.channels}`;
  const { total, head } = convFlops(specConfig(s), s.size);
  const train = `${name}_trainstep_bs${s.batch}_${s.size}px`;
  return [
    { key: `${name}_infer_${s.size}px`, flops: total, ours: () => oursInfer(s), tfjs: (tf) => tfjsInfer(tf, s) },
    { key: train, flops: s.batch * (3 * total - head), ours: () => oursTrain(s), tfjs: (tf) => tfjsTrain(tf, s) },
  ];
}

/** Opt-in (`--cases srgan`): on a software adapter TF.js's training step alone takes about two minutes a run. */
export const srganFamily: BenchFamily = { name: 'srgan', optIn: true, cases: srresnetCases(paperSpec) };
