/**
 * One record describes an SRGAN experiment: the networks, the losses, the data and the schedule.
 * The presets below are the three the project ships; every field can be overridden. The config
 * travels with every checkpoint (safetensors metadata and the training-state JSON), so that a
 * checkpoint alone says how to rebuild its networks.
 */
import { parseDegradeSpec } from './data/degradations/spec.js';
import { ConfigError } from './errors.js';

export type PresetName = 'tiny' | 'medium' | 'paper' | 'keras';
export type GanLoss = 'bce' | 'ragan' | 'hinge';

/**
 * Pixel ranges. The LR input is always [0, 1]. The generator's output (and the HR target it is
 * compared with) is [-1, 1] for the tanh presets and [0, 1] for the residual-over-bicubic preset.
 */
export type PixelRange = '[0,1]' | '[-1,1]';

export interface GeneratorConfig {
  /**
   * 'srresnet': the paper's SRResNet (9×9 head, B residual blocks, long skip, upsamplers, 9×9 tail).
   * 'residual-bicubic': a plain conv stack whose pixel-shuffled output is added to the bicubic
   * upsample of the input, so an untrained model starts at bicubic quality (the `tiny` preset).
   * 'resnet-bicubic': the same over bicubic, with SRResNet's residual blocks (no batch-norm, as in
   * EDSR) and long skip as its body, which trains from scratch at depths where a plain stack does
   * not (the `medium` preset).
   */
  arch: 'srresnet' | 'residual-bicubic' | 'resnet-bicubic';
  scale: 4;
  /** Residual blocks (srresnet, resnet-bicubic) or hidden 3×3 conv layers (residual-bicubic). */
  blocks: number;
  channels: number;
  activation: 'prelu' | 'relu';
  /** Use batch-norm inside the residual blocks and after the trunk (srresnet only). */
  batchNorm: boolean;
  /** Weight of the new batch statistic (PyTorch convention; Keras momentum 0.8 is 0.2 here). */
  bnMomentum: number;
  /** 'pixelshuffle': conv to 4·C then shuffle ×2. 'nearest-conv': nearest ×2 then conv 3×3 (Keras project). */
  upsample: 'pixelshuffle' | 'nearest-conv';
  /** Channels of the upsampling convs' output (256 in the paper and the Keras project). */
  upsampleChannels: number;
  /** Output activation: tanh for the [-1,1] presets, none for the residual one. */
  output: 'tanh' | 'linear';
  outputRange: PixelRange;
}

export interface DiscriminatorConfig {
  /** Channels of the 8 conv blocks (the first has no batch-norm). */
  channels: number[];
  strides: number[];
  dense: number;
  /** 'dense': flatten then dense 1024 → 1 (the paper). 'patch': the dense layers per position (Keras project). */
  head: 'dense' | 'patch';
  leakySlope: number;
  bnMomentum: number;
  /**
   * Batch-norm in the conv blocks after the first (the paper); false: none. Real and fake batches
   * go through D separately, so BN normalises each by its own statistics, which removes part of the
   * contrast (the energy of fine detail) that tells a blurry SR from a sharp HR. Absent = true.
   */
  batchNorm?: boolean;
  /**
   * How a stride-2 block downsamples: 'stride' (the paper: the conv itself strides) or 'blur'
   * (Zhang 2019, "Making convolutional networks shift-invariant again": the conv runs at full
   * resolution, then a fixed [1, 2, 1]² / 16 blur with stride 2). A strided conv sees only one
   * phase of the pixel grid, so a generator can hide a fixed lattice in the phases it is blind to;
   * the blur's low-pass makes D shift-invariant and shuts that door. Same weights either way.
   * Absent = 'stride'.
   */
  downsample?: 'stride' | 'blur';
}

export interface SrganConfig {
  preset: PresetName;
  generator: GeneratorConfig;
  discriminator: DiscriminatorConfig;
  /** HR crop side in pixels; the LR crop is hrCrop / 4. */
  hrCrop: number;
  batch: number;
  /** Phase 1: generator alone, pixel MSE (SRResNet). Phase 2: alternating D and G steps. */
  phase1Steps: number;
  phase2Steps: number;
  lr: number;
  beta1: number;
  beta2: number;
  /** Multiply the learning rate by `lrDecay` at each listed fraction of a phase. */
  lrDecayAt: number[];
  lrDecay: number;
  content: 'mse' | 'vgg';
  /** torchvision layer name of the VGG19 feature, e.g. 'relu5_4' (paper, "VGG54") or 'relu3_3'. */
  vggLayer: string;
  /** VGG features are divided by this (the paper's 1/12.75 rescaling). */
  vggScale: number;
  contentWeight: number;
  /**
   * σ (HR pixels) of a Gaussian blur applied to SR and HR before the GAN phase's pixel MSE
   * (frequency separation, src/srgan/lowpass.ts): the content loss then pins only what the LR
   * determines and leaves finer texture to the adversarial term. Phase 2, content 'mse' only; 0
   * (the paper, and configs saved before it existed): the plain pixel MSE.
   */
  contentBlur: number;
  advWeight: number;
  /**
   * The adversarial game of phase 2: 'bce' (the paper's), 'ragan' (ESRGAN's relativistic average)
   * or 'hinge'. Configs saved before it existed read as 'bce'.
   */
  ganLoss: GanLoss;
  /** D's learning rate is the scheduled rate × this (1 in the paper; TTUR-style runs give D more). */
  dLrScale: number;
  /**
   * Weight of the feature-matching term of the GAN phase (pix2pixHD): the L1 distance between D's
   * block outputs on SR and on its own HR, averaged over the blocks. It needs no pretrained
   * weights and ties the generator's texture to the texture that is really there. 0 (the paper,
   * and configs saved before it existed): none.
   */
  featureMatchWeight: number;
  /**
   * Weight of the phase-pattern term in the generator's loss (src/srgan/phase-loss.ts): the squared
   * difference between SR's and HR's per-sub-pixel-phase high-pass means, which keeps a sub-pixel
   * generator from stamping a fixed ×4 lattice on its output and leaves detail that has no preferred
   * phase alone. In both phases when > 0. 0 (and configs saved before it existed): none.
   */
  phasePatternWeight: number;
  /**
   * Weight of the flat-region term in the generator's loss (src/srgan/flat-loss.ts): the squared
   * difference between SR's and HR's Laplacian of luma, weighted toward HR's flat regions, so that
   * the GAN's texture goes where the original has detail. In both phases when > 0. 0 (and configs
   * saved before it existed): none.
   */
  flatRegionWeight: number;
  seed: number;
  /**
   * Decay of an exponential moving average of the generator's weights (BasicSR's `ema_decay`,
   * typically 0.999), which the sample grids, the evaluation and the exported generator use;
   * 0: no average (the paper's setting). Configs saved before it existed read as 0.
   */
  emaDecay: number;
  /**
   * How the LR is made from each HR crop: a degradation spec (src/srgan/data/degradations/spec.ts),
   * e.g. 'realistic' for Real-ESRGAN's random second-order blur, resize, noise and JPEG. Absent
   * (configs saved before it existed) or 'bicubic': the antialiased bicubic (makeLr).
   */
  degrade?: string;
}

const PAPER_D: DiscriminatorConfig = {
  channels: [64, 64, 128, 128, 256, 256, 512, 512],
  strides: [1, 2, 1, 2, 1, 2, 1, 2],
  dense: 1024,
  head: 'dense',
  leakySlope: 0.2,
  bnMomentum: 0.1,
};

/** The narrow discriminator of the small presets (tiny, medium). */
const SMALL_D: DiscriminatorConfig = { ...PAPER_D, channels: [16, 16, 32, 32, 64, 64, 64, 64], dense: 128 };

/**
 * The paper's loss (pixel MSE content, or VGG54 with the paper's 1/12.75 scale, plus 1e-3 × BCE
 * adversarial) and none of the later terms; every preset starts from it.
 */
const PAPER_LOSSES: Pick<
  SrganConfig,
  | 'content'
  | 'vggLayer'
  | 'vggScale'
  | 'contentWeight'
  | 'contentBlur'
  | 'advWeight'
  | 'ganLoss'
  | 'dLrScale'
  | 'featureMatchWeight'
  | 'phasePatternWeight'
  | 'flatRegionWeight'
  | 'seed'
  | 'emaDecay'
> = {
  content: 'mse',
  vggLayer: 'relu5_4',
  vggScale: 12.75,
  contentWeight: 1,
  contentBlur: 0,
  advWeight: 1e-3,
  ganLoss: 'bce',
  dLrScale: 1,
  featureMatchWeight: 0,
  phasePatternWeight: 0,
  flatRegionWeight: 0,
  seed: 1,
  emaDecay: 0,
};

export const presets: Record<PresetName, SrganConfig> = {
  medium: {
    preset: 'medium',
    generator: {
      arch: 'resnet-bicubic',
      scale: 4,
      blocks: 8,
      channels: 48,
      activation: 'prelu',
      batchNorm: false,
      bnMomentum: 0.1,
      upsample: 'pixelshuffle',
      upsampleChannels: 48,
      output: 'linear',
      outputRange: '[0,1]',
    },
    discriminator: SMALL_D,
    hrCrop: 96,
    batch: 16,
    phase1Steps: 8000,
    phase2Steps: 1500,
    lr: 2e-4,
    beta1: 0.9,
    beta2: 0.999,
    lrDecayAt: [2 / 3],
    lrDecay: 0.5,
    ...PAPER_LOSSES,
  },
  paper: {
    preset: 'paper',
    generator: {
      arch: 'srresnet',
      scale: 4,
      blocks: 16,
      channels: 64,
      activation: 'prelu',
      batchNorm: true,
      bnMomentum: 0.1,
      upsample: 'pixelshuffle',
      upsampleChannels: 256,
      output: 'tanh',
      outputRange: '[-1,1]',
    },
    discriminator: PAPER_D,
    hrCrop: 96,
    batch: 16,
    phase1Steps: 1_000_000,
    phase2Steps: 200_000,
    lr: 1e-4,
    beta1: 0.9,
    beta2: 0.999,
    lrDecayAt: [0.5],
    lrDecay: 0.1,
    ...PAPER_LOSSES,
  },
  keras: {
    preset: 'keras',
    generator: {
      arch: 'srresnet',
      scale: 4,
      blocks: 16,
      channels: 64,
      activation: 'relu',
      batchNorm: true,
      bnMomentum: 0.2,
      upsample: 'nearest-conv',
      upsampleChannels: 256,
      output: 'tanh',
      outputRange: '[-1,1]',
    },
    discriminator: { ...PAPER_D, head: 'patch', bnMomentum: 0.2 },
    hrCrop: 256,
    batch: 1,
    phase1Steps: 0,
    phase2Steps: 30_000,
    lr: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    lrDecayAt: [],
    lrDecay: 1,
    ...PAPER_LOSSES,
    content: 'vgg',
    vggLayer: 'relu3_3',
    vggScale: 1,
  },
  tiny: {
    preset: 'tiny',
    generator: {
      arch: 'residual-bicubic',
      scale: 4,
      blocks: 6,
      channels: 32,
      activation: 'prelu',
      batchNorm: false,
      bnMomentum: 0.1,
      upsample: 'pixelshuffle',
      upsampleChannels: 48,
      output: 'linear',
      outputRange: '[0,1]',
    },
    discriminator: SMALL_D,
    hrCrop: 96,
    batch: 16,
    phase1Steps: 1500,
    phase2Steps: 300,
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    lrDecayAt: [2 / 3],
    lrDecay: 0.5,
    ...PAPER_LOSSES,
  },
};

/** A deep copy of a preset with overrides applied (generator/discriminator merged field by field). */
export function makeConfig(
  preset: PresetName,
  overrides: Partial<Omit<SrganConfig, 'generator' | 'discriminator'>> & {
    generator?: Partial<GeneratorConfig>;
    discriminator?: Partial<DiscriminatorConfig>;
  } = {},
): SrganConfig {
  const base = presets[preset];
  if (!base) throw new ConfigError(`unknown preset "${preset}" (expected ${Object.keys(presets).join(', ')})`);
  const { generator, discriminator, ...rest } = overrides;
  const cfg: SrganConfig = structuredClone({
    ...base,
    ...rest,
    generator: { ...base.generator, ...generator },
    discriminator: { ...base.discriminator, ...discriminator },
  });
  validateConfig(cfg);
  return cfg;
}

export function validateConfig(cfg: SrganConfig): void {
  const bad = (msg: string) => {
    throw new ConfigError(`config: ${msg}`);
  };
  if (cfg.degrade !== undefined) parseDegradeSpec(cfg.degrade);
  // The discriminator halves the crop four times (strides 2), and the LR crop is hrCrop / scale.
  if (!Number.isInteger(cfg.hrCrop) || cfg.hrCrop % 16 !== 0 || cfg.hrCrop < 16)
    bad(`hrCrop must be a positive multiple of 16 (the discriminator halves it four times), got ${cfg.hrCrop}`);
  if (!(cfg.batch >= 1)) bad(`batch must be ≥ 1, got ${cfg.batch}`);
  if (!(cfg.lr > 0)) bad(`lr must be > 0, got ${cfg.lr}`);
  if (!(cfg.emaDecay >= 0 && cfg.emaDecay < 1)) bad(`emaDecay must be in [0, 1), got ${cfg.emaDecay}`);
  if (!['bce', 'ragan', 'hinge'].includes(cfg.ganLoss)) bad(`ganLoss must be bce, ragan or hinge, got ${String(cfg.ganLoss)}`);
  if (!(cfg.dLrScale > 0)) bad(`dLrScale must be > 0, got ${cfg.dLrScale}`);
  if (!(cfg.advWeight >= 0) || !(cfg.contentWeight >= 0)) bad('advWeight and contentWeight must be ≥ 0');
  if (!(cfg.featureMatchWeight >= 0)) bad(`featureMatchWeight must be ≥ 0, got ${cfg.featureMatchWeight}`);
  if (!(cfg.phasePatternWeight >= 0)) bad(`phasePatternWeight must be ≥ 0, got ${cfg.phasePatternWeight}`);
  if (!(cfg.contentBlur >= 0 && cfg.contentBlur <= 8)) bad(`contentBlur must be a σ in [0, 8] HR pixels, got ${cfg.contentBlur}`);
  if (cfg.contentBlur > 0 && cfg.content !== 'mse') bad('contentBlur applies to the pixel MSE content loss only (content "mse")');
  if (cfg.contentBlur > 0 && cfg.hrCrop < lowBandKernelSize(cfg.contentBlur))
    bad(`contentBlur σ ${cfg.contentBlur} needs a crop of at least ${lowBandKernelSize(cfg.contentBlur)} px, got ${cfg.hrCrop}`);
  if (!(cfg.flatRegionWeight >= 0)) bad(`flatRegionWeight must be ≥ 0, got ${cfg.flatRegionWeight}`);
  if (cfg.generator.blocks < 0 || cfg.generator.channels < 1) bad('generator blocks ≥ 0 and channels ≥ 1');
  const d = cfg.discriminator;
  if (d.channels.length !== d.strides.length) bad('discriminator channels and strides differ in length');
}

/** Taps of the content loss's Gaussian of σ (src/srgan/lowpass.ts): radius ⌈3σ⌉ each side. */
export const lowBandKernelSize = (sigma: number): number => 2 * Math.ceil(3 * sigma) + 1;

/** What the report, the CLI and the app add after "pixel MSE" when the GAN phase compares low bands ('' when it does not). */
export const lowBandNote = (cfg: Pick<SrganConfig, 'contentBlur'>): string =>
  (cfg.contentBlur ?? 0) > 0 ? ` of the low band (Gaussian σ ${cfg.contentBlur}) in the GAN phase` : '';

/** Map a tensor-free value from the generator's output range to [0, 1] (for images and metrics). */
export const toUnitRange = (range: PixelRange) => (range === '[-1,1]' ? { scale: 0.5, shift: 0.5 } : { scale: 1, shift: 0 });
/** Map [0, 1] pixels into the given range: v·scale + shift. */
export const fromUnitRange = (range: PixelRange) => (range === '[-1,1]' ? { scale: 2, shift: -1 } : { scale: 1, shift: 0 });

/** A config read from a checkpoint written before a field existed gets that field's original meaning. */
export function withConfigDefaults(cfg: SrganConfig): SrganConfig {
  return {
    ...cfg,
    ganLoss: cfg.ganLoss ?? 'bce',
    dLrScale: cfg.dLrScale ?? 1,
    featureMatchWeight: cfg.featureMatchWeight ?? 0,
    phasePatternWeight: cfg.phasePatternWeight ?? 0,
    flatRegionWeight: cfg.flatRegionWeight ?? 0,
    contentBlur: cfg.contentBlur ?? 0,
    emaDecay: cfg.emaDecay ?? 0,
  };
}
