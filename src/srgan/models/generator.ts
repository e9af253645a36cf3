/**
 * The SRGAN generator, built from a GeneratorConfig. forward(lr) takes LR pixels in [0, 1]
 * (NCHW, 3 channels) and returns SR pixels in `cfg.outputRange`, `cfg.scale` times larger.
 *
 * State-dict names (a PyTorch twin with these module names loads the same safetensors):
 *
 *   arch 'srresnet'
 *     head.0.{weight,bias}            conv 9×9, 3 → C
 *     head.1.weight                   PReLU(C)              (absent for ReLU)
 *     body.{i}.conv1.{weight,bias}    residual block i: conv 3×3 C → C
 *     body.{i}.bn1.{weight,bias,running_mean,running_var}   (absent without batch-norm)
 *     body.{i}.act.weight             PReLU(C)              (absent for ReLU)
 *     body.{i}.conv2.*, body.{i}.bn2.*
 *     trunk.0.*  conv 3×3 C → C;  trunk.1.*  batch-norm (added to head's output: the long skip)
 *     upsample.{j}.0.*  conv 3×3 → U, upsample.{j}.1 PixelShuffle(2), upsample.{j}.2.weight PReLU(U/4)
 *       or, for 'nearest-conv': upsample.{j}.0 Upsample(×2, nearest), upsample.{j}.1.* conv 3×3 → U,
 *       upsample.{j}.2.weight PReLU(U)
 *     tail.{weight,bias}              conv 9×9 → 3, then tanh when output is 'tanh'
 *   arch 'residual-bicubic'
 *     head.0.* conv 3×3 3 → C, head.1.weight PReLU(C)
 *     body.{i}.0.* conv 3×3 C → C, body.{i}.1.weight PReLU(C)
 *     tail.{weight,bias}  conv 3×3 C → 3·scale², pixel-shuffled ×scale and added to the bicubic
 *                         upsample of the input
 *   arch 'resnet-bicubic'
 *     head.0.*, head.1.weight         as residual-bicubic
 *     body.{i}.conv1.*, body.{i}.act.weight, body.{i}.conv2.*   residual block i (no batch-norm)
 *     trunk.0.*  conv 3×3 C → C, added to head's output (the long skip)
 *     tail.*     as residual-bicubic
 * Every conv has a bias (PyTorch's default); PReLU slopes start at 0.25.
 */
import * as E from '../../engine/index.js';
import type { Rng } from '../../engine/index.js';
import type { GeneratorConfig } from '../config.js';
import { icnrInit } from './icnr.js';
import { activation, conv, convParams, PixelShuffle, UpsampleNearest } from './layers.js';
import { ConfigError } from '../errors.js';

const { Module, Sequential, BatchNorm2d } = E.nn;

/** conv3×3-BN-act-conv3×3-BN plus the block input (the paper's residual block). */
export class ResidualBlock extends Module {
  readonly conv1: E.nn.Conv2d;
  readonly bn1?: E.nn.BatchNorm2d;
  readonly act: E.nn.Module;
  readonly conv2: E.nn.Conv2d;
  readonly bn2?: E.nn.BatchNorm2d;

  constructor(channels: number, cfg: GeneratorConfig, rng?: Rng) {
    super();
    const bn = () => new BatchNorm2d(channels, { momentum: cfg.bnMomentum });
    this.conv1 = this.registerModule('conv1', conv(channels, channels, 3, rng));
    if (cfg.batchNorm) this.bn1 = this.registerModule('bn1', bn());
    this.act = this.registerModule('act', activation(cfg.activation, channels));
    this.conv2 = this.registerModule('conv2', conv(channels, channels, 3, rng));
    if (cfg.batchNorm) this.bn2 = this.registerModule('bn2', bn());
  }

  forward(x: E.Tensor): E.Tensor {
    let y = this.conv1.forward(x);
    if (this.bn1) y = this.bn1.forward(y);
    y = this.conv2.forward(this.act.forward(y));
    if (this.bn2) y = this.bn2.forward(y);
    return E.add(x, y);
  }
}

export interface GeneratorOptions {
  /** Draw the initial weights from this generator (default: the engine's shared one, see nn.manualSeed). */
  rng?: Rng;
  /**
   * How the convs before each pixel shuffle start: 'icnr' (the default; all sub-pixels of a channel
   * share one kernel, so the untrained output has no ×r lattice, see icnr.ts) or 'independent'
   * (PyTorch's default, one kernel per sub-pixel: how every model before ICNR was built). Only a
   * new model's start: a checkpoint or --init-from overwrites the weights either way.
   */
  subpixelInit?: 'icnr' | 'independent';
}

/** Number of ×2 upsamplers for a scale (a power of two). */
function upsamplerCount(scale: number): number {
  const n = Math.log2(scale);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`generator: scale must be a power of two ≥ 2, got ${scale}`);
  return n;
}

function checkConfig(cfg: GeneratorConfig): void {
  const bad = (msg: string) => { throw new ConfigError(`generator config: ${msg}`); };
  if (!Number.isInteger(cfg.blocks) || cfg.blocks < 0) bad(`blocks must be an integer ≥ 0, got ${cfg.blocks}`);
  if (!Number.isInteger(cfg.channels) || cfg.channels < 1) bad(`channels must be an integer ≥ 1, got ${cfg.channels}`);
  upsamplerCount(cfg.scale);
  if (cfg.arch !== 'srresnet' && cfg.upsampleChannels !== 3 * cfg.scale ** 2)
    bad(`${cfg.arch} pixel-shuffles its last conv to RGB, so upsampleChannels must be 3·scale² = ${3 * cfg.scale ** 2}, got ${cfg.upsampleChannels}`);
  if (cfg.arch === 'srresnet' && cfg.upsample === 'pixelshuffle' && cfg.upsampleChannels % 4 !== 0)
    bad(`pixel shuffle ×2 needs upsampleChannels divisible by 4, got ${cfg.upsampleChannels}`);
  if (!['srresnet', 'residual-bicubic', 'resnet-bicubic'].includes(cfg.arch)) bad(`unknown arch "${String(cfg.arch)}"`);
  if (cfg.arch === 'resnet-bicubic' && cfg.batchNorm) bad('resnet-bicubic has no batch-norm');
}

export class Generator extends Module {
  readonly head: E.nn.Sequential;
  readonly body: E.nn.Sequential;
  readonly trunk?: E.nn.Sequential;
  readonly upsample?: E.nn.Sequential;
  readonly tail: E.nn.Conv2d;

  constructor(readonly cfg: GeneratorConfig, { rng, subpixelInit = 'icnr' }: GeneratorOptions = {}) {
    super();
    checkConfig(cfg);
    const icnr = subpixelInit === 'icnr';
    const C = cfg.channels;
    const act = (c: number) => activation(cfg.activation, c);
    if (cfg.arch === 'srresnet') {
      this.head = this.registerModule('head', new Sequential(conv(3, C, 9, rng), act(C)));
      this.body = this.registerModule('body', new Sequential(...Array.from({ length: cfg.blocks }, () => new ResidualBlock(C, cfg, rng))));
      this.trunk = this.registerModule('trunk', new Sequential(conv(C, C, 3, rng)));
      if (cfg.batchNorm) this.trunk.append(new BatchNorm2d(C, { momentum: cfg.bnMomentum }));
      this.upsample = this.registerModule('upsample', new Sequential());
      let cin = C;
      for (let j = 0; j < upsamplerCount(cfg.scale); j++) {
        const U = cfg.upsampleChannels;
        const c = conv(cin, U, 3, rng);
        if (icnr && cfg.upsample === 'pixelshuffle') icnrInit(c, 2, E.nn.initRng(rng));
        const stage = cfg.upsample === 'pixelshuffle'
          ? new Sequential(c, new PixelShuffle(2), act(U / 4))
          : new Sequential(new UpsampleNearest(2), c, act(U));
        this.upsample.append(stage);
        cin = cfg.upsample === 'pixelshuffle' ? U / 4 : U;
      }
      this.tail = this.registerModule('tail', conv(cin, 3, 9, rng));
    } else {
      this.head = this.registerModule('head', new Sequential(conv(3, C, 3, rng), act(C)));
      const block = (): E.nn.Module => cfg.arch === 'resnet-bicubic'
        ? startSmall(new ResidualBlock(C, cfg, rng), rng)
        : new Sequential(conv(C, C, 3, rng), act(C));
      this.body = this.registerModule('body', new Sequential(...Array.from({ length: cfg.blocks }, block)));
      if (cfg.arch === 'resnet-bicubic') this.trunk = this.registerModule('trunk', new Sequential(conv(C, C, 3, rng)));
      this.tail = this.registerModule('tail', conv(C, cfg.upsampleChannels, 3, rng));
      if (icnr) icnrInit(this.tail, cfg.scale, E.nn.initRng(rng), { gain: 0.1, zeroBias: true });
      else shrinkInit(this.tail, E.nn.initRng(rng));
    }
  }

  forward(lr: E.Tensor): E.Tensor {
    if (lr.rank !== 4 || lr.shape[1] !== 3)
      throw new E.ShapeError(`Generator: input must be RGB [N, 3, H, W] in [0, 1], got [${lr.shape.join(', ')}]`);
    return this.cfg.arch === 'srresnet' ? this.srresnet(lr) : this.residualBicubic(lr);
  }

  private srresnet(lr: E.Tensor): E.Tensor {
    const h = this.head.forward(lr);
    const trunk = E.add(this.trunk!.forward(this.body.forward(h)), h);
    const out = this.tail.forward(this.upsample!.forward(trunk));
    return this.cfg.output === 'tanh' ? E.tanh(out) : out;
  }

  private residualBicubic(lr: E.Tensor): E.Tensor {
    const s = this.cfg.scale;
    const h = this.head.forward(lr);
    const features = this.trunk ? E.add(this.trunk.forward(this.body.forward(h)), h) : this.body.forward(h);
    const residual = E.pixelShuffle(this.tail.forward(features), s);
    // The bicubic base carries no gradient (resize is forward-only; the LR input needs none).
    const base = E.resize(lr, lr.shape[2] * s, lr.shape[3] * s, { method: 'bicubic' });
    const out = E.add(base, residual);
    return this.cfg.output === 'tanh' ? E.tanh(out) : out;
  }
}

/**
 * Start the residual branch near zero, so the untrained model's output is close to bicubic:
 * PyTorch's default init scaled by 0.1 and a zero bias. Not exactly zero: with a zero last conv,
 * every earlier layer's first gradient would be zero too. (The ICNR start does the same, with one
 * kernel per colour shared by its r² sub-pixels.)
 */
function shrinkInit(c: E.nn.Conv2d, rng: Rng): void {
  const [o, i, kh, kw] = c.weight.shape;
  const bound = 0.1 * E.nn.kaimingUniformBound(i * kh * kw);
  const data = new Float32Array(o * i * kh * kw);
  for (let k = 0; k < data.length; k++) data[k] = rng.uniform(-bound, bound);
  c.loadStateDict({ weight: { shape: c.weight.shape, data }, bias: { shape: [o], data: new Float32Array(o) } });
}

/**
 * A residual block whose last conv starts at a tenth of PyTorch's default (bias zero), so that each
 * block starts close to an identity map and a deep stack passes its signal and gradient through
 * from the first step (the zero-init residual of Goyal et al. 2017, softened so that the block's
 * first conv gets a gradient too).
 */
function startSmall(block: ResidualBlock, rng?: Rng): ResidualBlock {
  shrinkInit(block.conv2, E.nn.initRng(rng));
  return block;
}

/**
 * Trainable parameters of the generator a config describes, counted from the architecture's
 * definition (not from a built model), for tests and for the CLI's summary.
 */
export function generatorParamCount(cfg: GeneratorConfig): number {
  checkConfig(cfg);
  const C = cfg.channels;
  const act = (c: number) => (cfg.activation === 'prelu' ? c : 0);
  const bn = (c: number) => (cfg.batchNorm ? 2 * c : 0);
  const block = 2 * convParams(C, C, 3) + 2 * bn(C) + act(C);
  if (cfg.arch === 'residual-bicubic')
    return convParams(3, C, 3) + act(C) + cfg.blocks * (convParams(C, C, 3) + act(C)) + convParams(C, cfg.upsampleChannels, 3);
  if (cfg.arch === 'resnet-bicubic')
    return convParams(3, C, 3) + act(C) + cfg.blocks * block + convParams(C, C, 3) + convParams(C, cfg.upsampleChannels, 3);
  let total = convParams(3, C, 9) + act(C) + cfg.blocks * block + convParams(C, C, 3) + bn(C);
  let cin = C;
  for (let j = 0; j < upsamplerCount(cfg.scale); j++) {
    const out = cfg.upsample === 'pixelshuffle' ? cfg.upsampleChannels / 4 : cfg.upsampleChannels;
    total += convParams(cin, cfg.upsampleChannels, 3) + act(out);
    cin = out;
  }
  return total + convParams(cin, 3, 9);
}
