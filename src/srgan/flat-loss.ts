/**
 * The flat-region loss: a training term that keeps the GAN's texture where the original has
 * detail. It is metrics.ts's flat-region sharpness turned into a penalty: the squared difference
 * between SR's and HR's Laplacian of luma, weighted toward the original's flat regions. A GAN that
 * adds fine detail everywhere raises the flat-region sharpness far above the overall sharpness
 * (docs/models.md: white noise scores 3–25 there); a generator can tell a flat region from the LR
 * input, so it can learn to leave it smooth while the adversarial term still rewards texture
 * elsewhere. Like LDL (Liang et al. 2022, "Details or Artifacts"), the weight comes from local
 * statistics; here from HR's activity, which is data, so no gradient flows through it.
 *
 * The weight of a pixel is (m / (m + a))²: a is the mean |Laplacian| of HR's luma in the metric's
 * 7×7 window, m that activity's mean over the image. Flat pixels (a ≪ m) weigh about 1, busy ones
 * (a ≫ m) little (a = 2m: 1/9), and the split follows the metric's median without a sort. Composite of engine ops
 * (conv2d, abs, mean, div), so its gradient comes for free.
 */
import * as E from '../engine/index.js';

/** The metric's window (metrics.ts FLAT_WINDOW) over which HR's activity is averaged. */
const WINDOW = 7;
/** BT.601 luma, as the metrics' Y (in the image's own range; the loss is a difference, so offsets cancel). */
const LUMA = [0.299, 0.587, 0.114];

const lumaKernel = () => E.tensor(LUMA, [1, 3, 1, 1]);
const laplacianKernel = () => E.tensor([0, 1, 0, 1, -4, 1, 0, 1, 0], [1, 1, 3, 3]);
const boxKernel = () => E.tensor(new Array(WINDOW * WINDOW).fill(1 / (WINDOW * WINDOW)), [1, 1, WINDOW, WINDOW]);

/** [N, 3, H, W] → the Laplacian of luma, [N, 1, H − 2, W − 2] (valid: no padding to invent edges). */
function lumaLaplacian(x: E.Tensor): E.Tensor {
  return E.conv2d(E.conv2d(x, lumaKernel(), null, { padding: 0 }), laplacianKernel(), null, { padding: 0 });
}

/**
 * [N, 3, H, W] HR → [N, 1, H − 2 − 2r, W − 2 − 2r] weights in (0, 1], aligned with the centre of
 * lumaLaplacian's output (r = WINDOW >> 1). Large for flat pixels, small for busy ones.
 */
export function flatWeights(hr: E.Tensor): E.Tensor {
  return E.noGrad(() =>
    E.tidy(() => {
      const activity = E.conv2d(E.abs(lumaLaplacian(hr)), boxKernel(), null, { padding: 0 });
      const m = E.addScalar(E.mean(activity, [2, 3], true), 1e-12);
      return E.square(E.div(m, E.add(m, activity)));
    }),
  );
}

/** mean(w · (∇²Y(SR) − ∇²Y(HR))²) over the window's interior; HR is data (no gradient). */
export function flatRegionLoss(sr: E.Tensor, hr: E.Tensor): E.Tensor {
  if (sr.shape.join() !== hr.shape.join()) throw new E.ShapeError(`flatRegionLoss: SR [${sr.shape}] and HR [${hr.shape}] differ`);
  const [n, c, h, w] = sr.shape;
  if (c !== 3) throw new E.ShapeError(`flatRegionLoss: expects RGB [N, 3, H, W], got [${sr.shape}]`);
  const r = WINDOW >> 1,
    oh = h - 2 - 2 * r,
    ow = w - 2 - 2 * r;
  if (oh < 1 || ow < 1) throw new E.ShapeError(`flatRegionLoss: ${h}×${w} is smaller than the ${WINDOW}×${WINDOW} window`);
  return E.tidy(() => {
    const inner = (t: E.Tensor) => E.slice(t, [0, 0, r, r], [n, 1, oh, ow]);
    const diff = E.sub(
      inner(lumaLaplacian(sr)),
      E.noGrad(() => inner(lumaLaplacian(hr))),
    );
    return E.mean(E.mul(flatWeights(hr), E.square(diff)));
  });
}
