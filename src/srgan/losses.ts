/**
 * SRGAN losses (Ledig et al. 2017, eq. 3–6), composed from engine ops so autograd supplies the
 * gradients. All take and return tensors; call them inside the training step's `tidy`.
 *
 *   content       pixel MSE in the generator's output range (of the two images' Gaussian low
 *                 bands when contentBlur > 0: frequency separation, lowpass.ts), or the MSE of
 *                 VGG19 features of the SR and HR images (both mapped to [0, 1] first), with the
 *                 features scaled by 1/vggScale (the paper's 1/12.75), i.e. MSE(φ(SR), φ(HR)) / vggScale²
 *   adversarial   −log D(G(LR)) = BCE-with-logits of D's logits on SR against 1 (the paper's
 *                 non-saturating form)
 *   discriminator BCE(D(HR), 1) + BCE(D(G(LR)), 0), on logits
 *   perceptual    contentWeight · content + advWeight · adversarial (paper: 1 and 1e-3)
 * D's logits may be [N, 1] (dense head) or [N, 1, h, w] (patch head): BCE is the mean over all.
 *
 * Besides the paper's BCE game ('bce'), two later forms are options (SrganConfig.ganLoss):
 *   'ragan'  the relativistic average GAN of ESRGAN (Wang et al. 2018): D judges whether a real
 *            image is more realistic than the average fake, and vice versa, and G gets gradients
 *            from both the real and the fake logits: with C the logits,
 *            D: ½·[BCE(C(HR) − mean C(SR), 1) + BCE(C(SR) − mean C(HR), 0)]
 *            G: ½·[BCE(C(HR) − mean C(SR), 0) + BCE(C(SR) − mean C(HR), 1)]
 *   'hinge'  D: mean relu(1 − C(HR)) + mean relu(1 + C(SR));  G: −mean C(SR)   (SAGAN, BigGAN)
 *
 * Feature matching (pix2pixHD, Wang et al. 2018), an option of any of them (featureMatchWeight):
 *   the L1 distance between D's block outputs on SR and on the same image's HR, averaged over the
 *   blocks. SR and HR are aligned pairs, so this is a perceptual loss in D's own, learnt, features:
 *   it asks for the texture that is in this HR, where the adversarial term accepts any texture D
 *   cannot tell from real (a fixed pattern, for a small D).
 */
import * as E from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import { toUnitRange, type GanLoss, type GeneratorConfig, type SrganConfig } from './config.js';
import { ConfigError } from './errors.js';
export type { GanLoss };
import type { Vgg19Features } from './models/vgg19.js';
import { phasePatternLoss } from './phase-loss.js';
import { flatRegionLoss } from './flat-loss.js';
import { lowPassMse } from './lowpass.js';

/** The config fields the content loss reads (an SrganConfig has them all). */
export type ContentLossConfig = Pick<SrganConfig, 'content' | 'vggScale'> &
  Partial<Pick<SrganConfig, 'contentBlur'>> & { generator: Pick<GeneratorConfig, 'outputRange'> };
export type PerceptualLossConfig = ContentLossConfig &
  Pick<SrganConfig, 'contentWeight' | 'advWeight'> & {
    ganLoss?: GanLoss;
    featureMatchWeight?: number;
  } & TextureTermWeights;

/** Weights of the terms that keep the generator's texture honest (0 or absent: off). */
export type TextureTermWeights = Partial<Pick<SrganConfig, 'phasePatternWeight' | 'flatRegionWeight'>>;

const sameShape = (a: Tensor, b: Tensor) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Generator output range → [0, 1], as VGG expects; not clamped, so the gradient is never cut. */
function unit(x: Tensor, cfg: ContentLossConfig): Tensor {
  const { scale, shift } = toUnitRange(cfg.generator.outputRange);
  return scale === 1 && shift === 0 ? x : E.addScalar(E.mulScalar(x, scale), shift);
}

/**
 * Content loss between SR (with its graph) and HR (a target), both in the generator's output range.
 * cfg.content 'vgg' needs the feature extractor; HR's features are computed without a graph.
 * cfg.contentBlur σ > 0 (pixel MSE only) compares the images' Gaussian low bands instead.
 */
export function contentLoss(sr: Tensor, hr: Tensor, cfg: ContentLossConfig, vgg?: Vgg19Features): Tensor {
  if (!sameShape(sr, hr)) throw new E.ShapeError(`contentLoss: SR [${sr.shape.join(', ')}] and HR [${hr.shape.join(', ')}] must have the same shape`);
  if (cfg.content === 'mse') return (cfg.contentBlur ?? 0) > 0 ? lowPassMse(sr, hr, cfg.contentBlur!) : E.mseLoss(sr, hr);
  if (!vgg) throw new ConfigError('contentLoss: content "vgg" needs VGG19 weights (a Vgg19Features); use content "mse" without them');
  if (!(cfg.vggScale > 0)) throw new ConfigError(`contentLoss: vggScale must be > 0, got ${cfg.vggScale}`);
  return E.tidy(() => {
    const target = E.noGrad(() => vgg.forward(unit(hr, cfg)));
    return E.mulScalar(E.mseLoss(vgg.forward(unit(sr, cfg)), target), 1 / cfg.vggScale ** 2);
  });
}

/** BCE of logits against a constant label (1 real, 0 fake), averaged over every logit. */
const bceAgainst = (logits: Tensor, label: 0 | 1) => E.bceWithLogits(logits, label ? E.ones(logits.shape) : E.zeros(logits.shape));
/** x − mean(y): a logit relative to the other side's average (the relativistic average discriminator). */
const relativeTo = (x: Tensor, y: Tensor) => E.sub(x, E.mean(y));

/**
 * The generator's adversarial loss. 'bce' (the paper): −log σ(D(G(LR))), averaged, so the
 * generator wants D to call its output real. 'ragan' also needs D's logits on the real batch
 * (computed without a graph: D is frozen in the G step). 'hinge': −mean D(G(LR)).
 */
export function generatorAdversarialLoss(fakeLogits: Tensor, kind: GanLoss = 'bce', realLogits?: Tensor): Tensor {
  return E.tidy(() => {
    if (kind === 'bce') return bceAgainst(fakeLogits, 1);
    if (kind === 'hinge') return E.neg(E.mean(fakeLogits));
    if (!realLogits) throw new Error('generatorAdversarialLoss: "ragan" needs the discriminator\'s logits on the real batch');
    checkSameShape(realLogits, fakeLogits, 'generatorAdversarialLoss');
    return E.mulScalar(E.add(bceAgainst(relativeTo(realLogits, fakeLogits), 0), bceAgainst(relativeTo(fakeLogits, realLogits), 1)), 0.5);
  });
}

function checkSameShape(real: Tensor, fake: Tensor, where: string): void {
  if (!sameShape(real, fake))
    throw new E.ShapeError(`${where}: real logits [${real.shape.join(', ')}] and fake logits [${fake.shape.join(', ')}] differ in shape`);
}

export interface DiscriminatorLoss {
  /** real + fake: what D's optimizer minimises. */
  total: Tensor;
  /** BCE(D(HR), 1) = −log σ(D(HR)). */
  real: Tensor;
  /** BCE(D(G(LR)), 0) = −log(1 − σ(D(G(LR)))). */
  fake: Tensor;
}

/** D's loss on logits of real HR and of G(LR) (detached): `real` and `fake` are its two halves. */
export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor, kind: GanLoss = 'bce'): DiscriminatorLoss {
  checkSameShape(realLogits, fakeLogits, 'discriminatorLoss');
  return E.tidy(() => {
    let real: Tensor, fake: Tensor;
    if (kind === 'bce') {
      real = bceAgainst(realLogits, 1);
      fake = bceAgainst(fakeLogits, 0);
    } else if (kind === 'hinge') {
      real = E.mean(E.relu(E.rsubScalar(1, realLogits)));
      fake = E.mean(E.relu(E.addScalar(fakeLogits, 1)));
    } else {
      real = E.mulScalar(bceAgainst(relativeTo(realLogits, fakeLogits), 1), 0.5);
      fake = E.mulScalar(bceAgainst(relativeTo(fakeLogits, realLogits), 0), 0.5);
    }
    return { total: E.add(real, fake), real, fake };
  });
}

/** Mean over D's blocks of L1(block(SR), block(HR)); the HR features are targets (no graph). */
export function featureMatchingLoss(fakeFeatures: readonly Tensor[], realFeatures: readonly Tensor[]): Tensor {
  if (!fakeFeatures.length || fakeFeatures.length !== realFeatures.length)
    throw new Error(`featureMatchingLoss: ${fakeFeatures.length} SR and ${realFeatures.length} HR feature maps (must be equal and non-zero)`);
  return E.tidy(() =>
    E.mulScalar(
      fakeFeatures.map((f, i) => E.l1Loss(f, realFeatures[i].detach())).reduce((a, b) => E.add(a, b)),
      1 / fakeFeatures.length,
    ),
  );
}

/** The texture terms, weighted and summed (undefined when both are off), and each unweighted and detached. */
export interface TextureTerms {
  total?: Tensor;
  phasePattern?: Tensor;
  flatRegion?: Tensor;
}

/**
 * The generator's texture terms, used in both phases: the phase-pattern loss (no fixed ×4
 * lattice, phase-loss.ts) and the flat-region loss (no invented detail where the original is
 * smooth, flat-loss.ts).
 */
export function textureTerms(sr: Tensor, hr: Tensor, cfg: TextureTermWeights): TextureTerms {
  const out: TextureTerms = {};
  const add = (term: Tensor, weight: number) => {
    const weighted = E.mulScalar(term, weight);
    out.total = out.total ? E.add(out.total, weighted) : weighted;
    return term.detach();
  };
  return E.tidy(() => {
    if ((cfg.phasePatternWeight ?? 0) > 0) out.phasePattern = add(phasePatternLoss(sr, hr), cfg.phasePatternWeight!);
    if ((cfg.flatRegionWeight ?? 0) > 0) out.flatRegion = add(flatRegionLoss(sr, hr), cfg.flatRegionWeight!);
    return out;
  });
}

export interface PerceptualLoss extends Omit<TextureTerms, 'total'> {
  /** contentWeight · content + advWeight · adversarial (+ featureMatchWeight · featureMatch + the texture terms), with the graph. */
  total: Tensor;
  /** The unweighted parts, detached (for logging); the optional ones only when they were computed. */
  content: Tensor;
  adversarial: Tensor;
  featureMatch?: Tensor;
}

/** D's outputs for SR (with the graph) and, where the loss needs them, for HR (targets). */
export interface DiscriminatorOutputs {
  fakeLogits: Tensor;
  /** D on the HR batch: the relativistic loss needs its logits, feature matching its block outputs. */
  realLogits?: Tensor;
  fakeFeatures?: readonly Tensor[];
  realFeatures?: readonly Tensor[];
}

/** The paper's l_SR: the generator's loss in the adversarial phase, plus the optional feature matching and texture terms. */
export function perceptualLoss(sr: Tensor, hr: Tensor, d: DiscriminatorOutputs, cfg: PerceptualLossConfig, vgg?: Vgg19Features): PerceptualLoss {
  return E.tidy(() => {
    const content = contentLoss(sr, hr, cfg, vgg);
    const adversarial = generatorAdversarialLoss(d.fakeLogits, cfg.ganLoss ?? 'bce', d.realLogits);
    let total = E.add(E.mulScalar(content, cfg.contentWeight), E.mulScalar(adversarial, cfg.advWeight));
    const parts: Omit<PerceptualLoss, 'total'> = { content: content.detach(), adversarial: adversarial.detach() };
    const fmWeight = cfg.featureMatchWeight ?? 0;
    if (fmWeight > 0) {
      if (!d.fakeFeatures || !d.realFeatures) throw new Error("perceptualLoss: feature matching needs D's block outputs on SR and on HR");
      const featureMatch = featureMatchingLoss(d.fakeFeatures, d.realFeatures);
      total = E.add(total, E.mulScalar(featureMatch, fmWeight));
      parts.featureMatch = featureMatch.detach();
    }
    const { total: texture, ...textureParts } = textureTerms(sr, hr, cfg);
    if (texture) total = E.add(total, texture);
    Object.assign(parts, textureParts);
    return { ...parts, total };
  });
}
