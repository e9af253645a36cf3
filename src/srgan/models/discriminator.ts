/**
 * The SRGAN discriminator: conv 3×3 + LeakyReLU, then conv 3×3-BN-LeakyReLU blocks with the
 * configured channels and strides, then the head: dense → LeakyReLU → dense 1 (a logit; no
 * sigmoid, the losses take logits). The 'dense' head flattens the last map (the paper), so the
 * input size is fixed at construction (the HR crop); the 'patch' head applies the same two dense
 * layers at every position of the last map as 1×1 convs (the Keras project) and gives one logit
 * per patch, for any input size.
 *
 * State-dict names (PyTorch twin: the same module names):
 *   features.{i}.conv.{weight,bias}   conv 3×3, padding 1, stride strides[i]
 *   features.{i}.bn.{weight,bias,running_mean,running_var}   (every block but the first; none with batchNorm false)
 *   head.fc1.{weight,bias}   Linear(C·h·w → dense) or Conv2d(C → dense, 1×1)
 *   head.fc2.{weight,bias}   Linear(dense → 1)     or Conv2d(dense → 1, 1×1)
 * Padding is PyTorch's symmetric 1 (not TF 'same', which pads stride-2 convs on the far side only).
 */
import * as E from '../../engine/index.js';
import type { Rng } from '../../engine/index.js';
import type { DiscriminatorConfig } from '../config.js';
import { convParams } from './layers.js';
import { ConfigError } from '../errors.js';

const { Module, Sequential, BatchNorm2d, Conv2d, Linear } = E.nn;

/** The binomial [1, 2, 1]² / 16 filter of blur-pooling, as a 1→1 conv weight (a constant, never trained). */
const BLUR_TAPS = [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16);

/**
 * Blur then keep every other pixel, per channel: [N, C, H, W] → [N, C, ⌈H/2⌉, ⌈W/2⌉], the size
 * a stride-2 3×3 conv with padding 1 gives. The channels go through one 1→1 conv as a batch.
 */
export function blurDownsample(x: E.Tensor): E.Tensor {
  const [n, c, h, w] = x.shape;
  return E.tidy(() => {
    const blurred = E.conv2d(E.reshape(x, [n * c, 1, h, w]), E.tensor(BLUR_TAPS, [1, 1, 3, 3]), null, { stride: 2, padding: 1 });
    return E.reshape(blurred, [n, c, blurred.shape[2], blurred.shape[3]]);
  });
}

/**
 * conv 3×3 (+ BN) + LeakyReLU. The first block has no BN, so its LeakyReLU is fused into the conv.
 * With blur downsampling, a stride-2 block's conv runs at stride 1 and blurDownsample follows.
 */
class DiscriminatorBlock extends Module {
  readonly conv: E.nn.Conv2d;
  readonly bn?: E.nn.BatchNorm2d;
  private readonly blur: boolean;
  constructor(cin: number, cout: number, stride: number, withBn: boolean, readonly slope: number, momentum: number, downsample: 'stride' | 'blur', rng?: Rng) {
    super();
    this.blur = downsample === 'blur' && stride === 2;
    this.conv = this.registerModule('conv', new Conv2d(cin, cout, 3, {
      stride: this.blur ? 1 : stride, padding: 1, rng, ...(withBn ? {} : { activation: 'leakyRelu' as const, alpha: slope }),
    }));
    if (withBn) this.bn = this.registerModule('bn', new BatchNorm2d(cout, { momentum }));
  }
  forward(x: E.Tensor): E.Tensor {
    const y = this.conv.forward(x);
    const activated = this.bn ? E.leakyRelu(this.bn.forward(y), this.slope) : y;
    return this.blur ? blurDownsample(activated) : activated;
  }
}

/** The two dense layers: on the flattened map, or per position as 1×1 convs. */
class DiscriminatorHead extends Module {
  readonly fc1: E.nn.Module;
  readonly fc2: E.nn.Module;
  constructor(readonly kind: 'dense' | 'patch', inFeatures: number, hidden: number, readonly slope: number, rng?: Rng) {
    super();
    this.fc1 = this.registerModule('fc1', kind === 'dense' ? new Linear(inFeatures, hidden, { rng }) : new Conv2d(inFeatures, hidden, 1, { rng }));
    this.fc2 = this.registerModule('fc2', kind === 'dense' ? new Linear(hidden, 1, { rng }) : new Conv2d(hidden, 1, 1, { rng }));
  }
  forward(x: E.Tensor): E.Tensor {
    const h = this.kind === 'dense' ? E.flatten(x, 1) : x;
    return this.fc2.forward(E.leakyRelu(this.fc1.forward(h), this.slope));
  }
}

export interface LayerShape {
  /** State-dict prefix of the layer (or 'input' / 'flatten'). */
  name: string;
  /** NCHW for maps, [N, features] after flattening. */
  shape: number[];
}

/** Spatial size after a 3×3 conv with padding 1 at this stride: ⌊(n + 2 − 3)/s⌋ + 1 = ⌈n/s⌉. */
const convOut = (n: number, stride: number) => Math.floor((n - 1) / stride) + 1;

function checkConfig(cfg: DiscriminatorConfig, inputSize: number): void {
  const bad = (msg: string) => { throw new ConfigError(`discriminator config: ${msg}`); };
  if (!cfg.channels.length || cfg.channels.length !== cfg.strides.length)
    bad(`channels (${cfg.channels.length}) and strides (${cfg.strides.length}) must be non-empty and of equal length`);
  if (![...cfg.channels, ...cfg.strides, cfg.dense].every((v) => Number.isInteger(v) && v >= 1))
    bad('channels, strides and dense must be positive integers');
  if (!Number.isInteger(inputSize) || inputSize < 1) bad(`input size must be a positive integer, got ${inputSize}`);
}

export class Discriminator extends Module {
  readonly features: E.nn.Sequential;
  readonly head: DiscriminatorHead;
  /** Side of the last feature map for the construction-time input size. */
  readonly finalSize: number;

  /** `inputSize`: the HR crop side (the dense head's input features depend on it). */
  constructor(readonly cfg: DiscriminatorConfig, readonly inputSize: number, { rng }: { rng?: Rng } = {}) {
    super();
    checkConfig(cfg, inputSize);
    this.features = this.registerModule('features', new Sequential());
    let cin = 3;
    cfg.channels.forEach((c, i) => {
      this.features.append(new DiscriminatorBlock(cin, c, cfg.strides[i], i > 0 && cfg.batchNorm !== false, cfg.leakySlope, cfg.bnMomentum, cfg.downsample ?? 'stride', rng));
      cin = c;
    });
    this.finalSize = cfg.strides.reduce(convOut, inputSize);
    const inFeatures = cfg.head === 'dense' ? cin * this.finalSize ** 2 : cin;
    this.head = this.registerModule('head', new DiscriminatorHead(cfg.head, inFeatures, cfg.dense, cfg.leakySlope, rng));
  }

  /** Logits: [N, 1] for the dense head, [N, 1, h, w] (one per patch) for the patch head. */
  forward(x: E.Tensor): E.Tensor {
    this.checkInput(x);
    return this.head.forward(this.features.forward(x));
  }

  /** The logits and every block's output (the feature-matching loss compares them for SR and HR). */
  forwardWithFeatures(x: E.Tensor): { logits: E.Tensor; features: E.Tensor[] } {
    this.checkInput(x);
    const features: E.Tensor[] = [];
    let h = x;
    for (let i = 0; i < this.features.length; i++) features.push(h = this.features.at(i).forward(h));
    return { logits: this.head.forward(h), features };
  }

  private checkInput(x: E.Tensor): void {
    if (x.rank !== 4 || x.shape[1] !== 3)
      throw new E.ShapeError(`Discriminator: input must be RGB [N, 3, H, W], got [${x.shape.join(', ')}]`);
    if (this.cfg.head === 'dense' && (x.shape[2] !== this.inputSize || x.shape[3] !== this.inputSize))
      throw new E.ShapeError(`Discriminator: the dense head was built for ${this.inputSize}×${this.inputSize} inputs, got [${x.shape.join(', ')}]`);
  }

  /** Every layer's output shape for an input shape, without running anything (the Keras summary table). */
  layerShapes(input: readonly number[] = [1, 3, this.inputSize, this.inputSize]): LayerShape[] {
    const [n, , h0, w0] = input;
    const rows: LayerShape[] = [{ name: 'input', shape: [...input] }];
    let h = h0, w = w0;
    this.cfg.channels.forEach((c, i) => {
      h = convOut(h, this.cfg.strides[i]);
      w = convOut(w, this.cfg.strides[i]);
      rows.push({ name: `features.${i}`, shape: [n, c, h, w] });
    });
    if (this.cfg.head === 'dense') {
      rows.push({ name: 'flatten', shape: [n, this.cfg.channels.at(-1)! * h * w] });
      rows.push({ name: 'head.fc1', shape: [n, this.cfg.dense] }, { name: 'head.fc2', shape: [n, 1] });
    } else {
      rows.push({ name: 'head.fc1', shape: [n, this.cfg.dense, h, w] }, { name: 'head.fc2', shape: [n, 1, h, w] });
    }
    return rows;
  }
}

/** Trainable parameters by the architecture's definition (independent of a built model). */
export function discriminatorParamCount(cfg: DiscriminatorConfig, inputSize: number): number {
  checkConfig(cfg, inputSize);
  let total = 0, cin = 3, side = inputSize;
  cfg.channels.forEach((c, i) => {
    total += convParams(cin, c, 3) + (i > 0 && cfg.batchNorm !== false ? 2 * c : 0);
    side = convOut(side, cfg.strides[i]);
    cin = c;
  });
  const inFeatures = cfg.head === 'dense' ? cin * side * side : cin;
  // A dense layer and a 1×1 conv have the same parameters: in·out weights and out biases.
  return total + convParams(inFeatures, cfg.dense, 1) + convParams(cfg.dense, 1, 1);
}
