/**
 * Frequency separation for the GAN phase's content loss (Fritsche, Gu and Timofte 2019,
 * "Frequency Separation for Real-World Super-Resolution"): the pixel MSE is taken between Gaussian
 * blurs of SR and HR, so it pins the colours and shapes that the LR determines and leaves the finer
 * frequencies, which the LR does not determine, to the adversarial and texture terms. Pixel MSE on
 * the whole image asks for the mean of every texture the LR could have come from, which is a blur
 * (Ledig et al. 2017, §2.2); on the low band that mean is the truth.
 *
 * The blur is separable (a 1×K then a K×1 conv per channel, K = 2⌈3σ⌉ + 1 taps of a normalised
 * Gaussian) with no padding, so no border is invented. Composite of engine ops, so its gradient
 * comes for free.
 */
import * as E from '../engine/index.js';
import { lowBandKernelSize } from './config.js';

/** The normalised Gaussian's taps, radius ⌈3σ⌉ (σ in HR pixels, > 0). */
export function gaussianTaps(sigma: number): number[] {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`gaussianTaps: sigma must be a finite number > 0, got ${sigma}`);
  const k = lowBandKernelSize(sigma),
    r = k >> 1;
  const taps = Array.from({ length: k }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / sum);
}

/** [N, C, H, W] → [N, C, H − 2r, W − 2r]: each channel blurred by the Gaussian of σ (valid, no padding). */
export function gaussianBlur(x: E.Tensor, sigma: number): E.Tensor {
  const taps = gaussianTaps(sigma);
  const [n, c, h, w] = x.shape;
  const k = taps.length;
  if (h < k || w < k) throw new E.ShapeError(`gaussianBlur: ${h}×${w} is smaller than the ${k}-tap kernel of σ ${sigma}`);
  return E.tidy(() => {
    const planes = E.reshape(x, [n * c, 1, h, w]);
    const rows = E.conv2d(planes, E.tensor(taps, [1, 1, 1, k]), null, { padding: 0 });
    const both = E.conv2d(rows, E.tensor(taps, [1, 1, k, 1]), null, { padding: 0 });
    return E.reshape(both, [n, c, h - k + 1, w - k + 1]);
  });
}

/** Pixel MSE of the two images' low bands: MSE(G_σ * SR, G_σ * HR); HR is data (no gradient). */
export function lowPassMse(sr: E.Tensor, hr: E.Tensor, sigma: number): E.Tensor {
  if (sr.shape.join() !== hr.shape.join()) throw new E.ShapeError(`lowPassMse: SR [${sr.shape}] and HR [${hr.shape}] differ`);
  return E.tidy(() =>
    E.mseLoss(
      gaussianBlur(sr, sigma),
      E.noGrad(() => gaussianBlur(hr, sigma)),
    ),
  );
}
