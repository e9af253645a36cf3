/**
 * The phase-pattern loss: a training term that keeps a sub-pixel generator from stamping a fixed
 * ×r lattice on its output (docs/models.md, "The ×4 lattice"). It is metrics.ts's phasePattern as a
 * differentiable batch statistic: the image minus a centred box blur one period wide, averaged per
 * sub-pixel phase over the batch and the image, per channel; the loss is the mean squared difference
 * between SR's phase means and HR's. A lattice moves every block the same way and shows in those
 * means; texture and noise have no preferred phase and average out, so the term leaves them alone.
 * Composite of engine ops (conv2d, slice, reshape, mean), so its gradient comes for free.
 */
import * as E from '../engine/index.js';

/** The separable box blur one period wide as a 1→1 conv weight (ends at half weight for even periods). */
function boxKernel(period: number): E.Tensor {
  const r = period >> 1,
    taps = Array.from({ length: 2 * r + 1 }, (_, i) => (period % 2 === 0 && (i === 0 || i === 2 * r) ? 0.5 : 1) / period);
  return E.tensor(
    taps.flatMap((a) => taps.map((b) => a * b)),
    [1, 1, 2 * r + 1, 2 * r + 1],
  );
}

/**
 * [N, C, H, W] → [C, period, period]: the mean high-pass at each sub-pixel phase. Phases count from
 * the first pixel the blur reaches (offset by half a period from the image's origin; the same for
 * SR and HR, which is all a matching loss needs). Rows and columns past a whole number of periods
 * are left out.
 */
export function phaseMeans(x: E.Tensor, period = 4): E.Tensor {
  const [n, c, h, w] = x.shape,
    r = period >> 1;
  const oh = Math.floor((h - 2 * r) / period) * period,
    ow = Math.floor((w - 2 * r) / period) * period;
  if (oh < period || ow < period) throw new E.ShapeError(`phaseMeans: ${h}×${w} is too small for period ${period}`);
  return E.tidy(() => {
    const flat = E.reshape(x, [n * c, 1, h, w]);
    const blurred = E.slice(E.conv2d(flat, boxKernel(period), null, { padding: 0 }), [0, 0, 0, 0], [n * c, 1, oh, ow]);
    const highPass = E.sub(E.slice(flat, [0, 0, r, r], [n * c, 1, oh, ow]), blurred);
    return E.mean(E.reshape(highPass, [n, c, oh / period, period, ow / period, period]), [0, 2, 4]);
  });
}

/** Mean squared difference of SR's and HR's phase means (HR is data: no gradient flows to it). */
export function phasePatternLoss(sr: E.Tensor, hr: E.Tensor, period = 4): E.Tensor {
  if (sr.shape.join() !== hr.shape.join()) throw new E.ShapeError(`phasePatternLoss: SR [${sr.shape}] and HR [${hr.shape}] differ`);
  return E.tidy(() =>
    E.mean(
      E.square(
        E.sub(
          phaseMeans(sr, period),
          E.noGrad(() => phaseMeans(hr, period)),
        ),
      ),
    ),
  );
}
