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
 *
 * Besides the paper's BCE game ('bce'), two later forms are options (SrganConfig.ganLoss):
 *   'ragan'  the relativistic average GAN of ESRGAN (Wang et al. 2018): D judges whether a real
 *            image is more realistic than the average fake, and vice versa, and G gets gradients
 *            from both the real and the fake logits: with C the logits,
 *            D: ½·[BCE(C(HR) − mean C(SR), 1) + BCE(C(SR) − mean C(HR), 0)]
 *            G: ½·[BCE(C(HR) − mean C(SR), 0) + BCE(C(SR) − mean C(HR), 1)]
 *   'hinge'  D: mean relu(1 − C(HR)) + mean relu(1 + C(SR));  G: −mean C(SR)   (SAGAN, BigGAN)
 */
import * as E from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import { toUnitRange, type GanLoss, type GeneratorConfig, type SrganConfig } from './config.js';
export type { GanLoss };
import type { Vgg19Features } from './models/vgg19.js';

/** The config fields the content loss reads (an SrganConfig has them all). */
export type ContentLossConfig = Pick<SrganConfig, 'content' | 'vggScale'> & { generator: Pick<GeneratorConfig, 'outputRange'> };
export type PerceptualLossConfig = ContentLossConfig & Pick<SrganConfig, 'contentWeight' | 'advWeight'> & { ganLoss?: GanLoss };

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

export interface PerceptualLoss {
  /** contentWeight · content + advWeight · adversarial, with the graph (backpropagate this). */
  total: Tensor;
  /** The unweighted parts, detached (for logging). */
  content: Tensor;
  adversarial: Tensor;
}

/**
 * The paper's l_SR: the generator's loss in the adversarial phase. `realLogits` (D on the HR
 * batch, no graph) is needed by the relativistic loss only.
 */
export function perceptualLoss(sr: Tensor, hr: Tensor, fakeLogits: Tensor, cfg: PerceptualLossConfig, vgg?: Vgg19Features, realLogits?: Tensor): PerceptualLoss {
  return E.tidy(() => {
    const content = contentLoss(sr, hr, cfg, vgg);
    const adversarial = generatorAdversarialLoss(fakeLogits, cfg.ganLoss ?? 'bce', realLogits);
    const total = E.add(E.mulScalar(content, cfg.contentWeight), E.mulScalar(adversarial, cfg.advWeight));
    return { total, content: content.detach(), adversarial: adversarial.detach() };
  });
}
