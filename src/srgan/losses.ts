/**
 * SRGAN losses (Ledig et al. 2017, eq. 3–6), composed from engine ops so autograd supplies the
 * gradients. All take and return tensors; call them inside the training step's `tidy`.
 *
 *   content       pixel MSE in the generator's output range, or the MSE of VGG19 features of the
 *                 SR and HR images (both mapped to [0, 1] first), with the features scaled by
 *                 1/vggScale (the paper's 1/12.75), i.e. MSE(φ(SR), φ(HR)) / vggScale²
 *   adversarial   −log D(G(LR)) = BCE-with-logits of D's logits on SR against 1 (the paper's
 *                 non-saturating form)
 *   discriminator BCE(D(HR), 1) + BCE(D(G(LR)), 0), on logits
 *   perceptual    contentWeight · content + advWeight · adversarial (paper: 1 and 1e-3)
 * D's logits may be [N, 1] (dense head) or [N, 1, h, w] (patch head): BCE is the mean over all.
 */
import * as E from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import { toUnitRange, type GeneratorConfig, type SrganConfig } from './config.js';
import type { Vgg19Features } from './models/vgg19.js';

/** The config fields the content loss reads (an SrganConfig has them all). */
export type ContentLossConfig = Pick<SrganConfig, 'content' | 'vggScale'> & { generator: Pick<GeneratorConfig, 'outputRange'> };
export type PerceptualLossConfig = ContentLossConfig & Pick<SrganConfig, 'contentWeight' | 'advWeight'>;

const sameShape = (a: Tensor, b: Tensor) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Generator output range → [0, 1], as VGG expects; not clamped, so the gradient is never cut. */
function unit(x: Tensor, cfg: ContentLossConfig): Tensor {
  const { scale, shift } = toUnitRange(cfg.generator.outputRange);
  return scale === 1 && shift === 0 ? x : E.addScalar(E.mulScalar(x, scale), shift);
}

/**
 * Content loss between SR (with its graph) and HR (a target), both in the generator's output range.
 * cfg.content 'vgg' needs the feature extractor; HR's features are computed without a graph.
 */
export function contentLoss(sr: Tensor, hr: Tensor, cfg: ContentLossConfig, vgg?: Vgg19Features): Tensor {
  if (!sameShape(sr, hr))
    throw new E.ShapeError(`contentLoss: SR [${sr.shape.join(', ')}] and HR [${hr.shape.join(', ')}] must have the same shape`);
  if (cfg.content === 'mse') return E.mseLoss(sr, hr);
  if (!vgg) throw new Error('contentLoss: content "vgg" needs VGG19 weights (a Vgg19Features); use content "mse" without them');
  if (!(cfg.vggScale > 0)) throw new Error(`contentLoss: vggScale must be > 0, got ${cfg.vggScale}`);
  return E.tidy(() => {
    const target = E.noGrad(() => vgg.forward(unit(hr, cfg)));
    return E.mulScalar(E.mseLoss(vgg.forward(unit(sr, cfg)), target), 1 / cfg.vggScale ** 2);
  });
}

/** −log σ(D(G(LR))), averaged: the generator wants D to call its output real. */
export function generatorAdversarialLoss(fakeLogits: Tensor): Tensor {
  return E.tidy(() => E.bceWithLogits(fakeLogits, E.ones(fakeLogits.shape)));
}

export interface DiscriminatorLoss {
  /** real + fake: what D's optimizer minimises. */
  total: Tensor;
  /** BCE(D(HR), 1) = −log σ(D(HR)). */
  real: Tensor;
  /** BCE(D(G(LR)), 0) = −log(1 − σ(D(G(LR)))). */
  fake: Tensor;
}

export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor): DiscriminatorLoss {
  if (!sameShape(realLogits, fakeLogits))
    throw new E.ShapeError(`discriminatorLoss: real logits [${realLogits.shape.join(', ')}] and fake logits [${fakeLogits.shape.join(', ')}] differ in shape`);
  return E.tidy(() => {
    const real = E.bceWithLogits(realLogits, E.ones(realLogits.shape));
    const fake = E.bceWithLogits(fakeLogits, E.zeros(fakeLogits.shape));
    return { total: E.add(real, fake), real, fake };
  });
}

export interface PerceptualLoss {
  /** contentWeight · content + advWeight · adversarial, with the graph (backpropagate this). */
  total: Tensor;
  /** The unweighted parts, detached (for logging). */
  content: Tensor;
  adversarial: Tensor;
}

/** The paper's l_SR: the generator's loss in the adversarial phase. */
export function perceptualLoss(sr: Tensor, hr: Tensor, fakeLogits: Tensor, cfg: PerceptualLossConfig, vgg?: Vgg19Features): PerceptualLoss {
  return E.tidy(() => {
    const content = contentLoss(sr, hr, cfg, vgg);
    const adversarial = generatorAdversarialLoss(fakeLogits);
    const total = E.add(E.mulScalar(content, cfg.contentWeight), E.mulScalar(adversarial, cfg.advWeight));
    return { total, content: content.detach(), adversarial: adversarial.detach() };
  });
}
