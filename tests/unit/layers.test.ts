import { expect, it } from 'vitest';
import { forEachBackend } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check-op.js';
import { layerCases } from '../cases/layers.js';
import {
  Tensor,
  liveTensorCount,
  backward,
  noGrad,
  tidy,
  ShapeError,
  fill,
  resize,
  pixelShuffle,
  upsampleNearest,
  prelu,
  batchNorm2d,
  bce,
  bceWithLogits,
  l1Loss,
  mseLoss,
} from '../../src/engine/index.js';

/** Read a tensor and free it. */
const take = async (t: Tensor) => {
  const v = await t.read();
  t.dispose();
  return v;
};
const close = (got: ArrayLike<number>, want: number[], tol = 1e-6) =>
  want.forEach((w, i) => expect(Math.abs(got[i] - w), `index ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol));

forEachBackend('layer ops (forward vs float64, gradients vs finite differences)', () => {
  for (const c of layerCases) {
    it(c.name, async () => {
      const res = await checkOp(c);
      expect(res.message).toBe('ok');
    });
  }
});

forEachBackend('layer ops: hand-checked values and contracts', () => {
  it('pixelShuffle follows PyTorch channel order (hand-written expectation)', async () => {
    // in[0, i·2 + j, 0, w] = (i·2 + j)·2 + w  →  out[0, 0, i, w·2 + j]
    const x = Tensor.fromArray([0, 1, 2, 3, 4, 5, 6, 7], [1, 4, 1, 2]);
    const y = pixelShuffle(x, 2);
    expect(y.shape).toEqual([1, 1, 2, 4]);
    expect([...(await y.read())]).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    x.dispose();
    y.dispose();
  });

  it('upsampleNearest backward sums each block', async () => {
    const x = Tensor.fromArray([1, 2], [1, 1, 1, 2]);
    x.requiresGrad = true;
    const y = upsampleNearest(x, 2);
    const g = Tensor.fromArray([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 4]);
    backward(y, g);
    // block of x[0] = {1, 2, 5, 6}, block of x[1] = {3, 4, 7, 8}
    expect([...(await x.grad!.read())]).toEqual([14, 22]);
    for (const t of [x, y, g]) t.dispose();
  });

  it('resize bicubic matches a hand-computed example (PIL border rule)', async () => {
    // Keys cubic, a = −0.5: W(0.25) = 0.8671875, W(0.75) = 0.2265625, W(1.25) = −0.0703125, W(1.75) = −0.0234375.
    // Taps outside the image are dropped and the rest renormalised, as PIL does.
    // Upscale the row [0, 1, 2, 3] to 8: output 0 is centred at source x = 0.25 (pixel centres at k + 0.5);
    // in-image taps k = 0, 1 at distances 0.25, 1.25 → (0·0.8671875 + 1·(−0.0703125)) / 0.796875 = −0.0882352941.
    // Output 3 is centred at 1.75 (interior, all four taps inside): cubic convolution reproduces the line → 1.25.
    const x = Tensor.fromArray([0, 1, 2, 3], [1, 1, 1, 4]);
    const up = await take(resize(x, 1, 8));
    close([up[0], up[3]], [-0.0703125 / 0.796875, 1.25]);
    // Downscale [1, 2, 3, 4] to 2 with antialias: the kernel stretches ×2, output 0 is centred at 1.0; in-image
    // taps k = 0..3 at distances (k − 0.5)/2 = −0.25, 0.25, 0.75, 1.25 → weights sum to 1.890625:
    // (1·0.8671875 + 2·0.8671875 + 3·0.2265625 − 4·0.0703125) / 1.890625 = 3 / 1.890625; output 1 mirrors it.
    const row = Tensor.fromArray([1, 2, 3, 4], [1, 1, 1, 4]);
    close(await take(resize(row, 1, 2)), [3 / 1.890625, 5 - 3 / 1.890625]);
    // Without antialias the kernel keeps its width: output 0 (centre 1.0) has in-image taps k = 0..2 at
    // distances −0.5, 0.5, 1.5 with W(0.5) = 0.5625, W(1.5) = −0.0625 (sum 1.0625):
    // (0.5625 + 2·0.5625 − 3·0.0625) / 1.0625 = 1.5 / 1.0625; output 1 mirrors it.
    close(await take(resize(row, 1, 2, { antialias: false })), [1.5 / 1.0625, 5 - 1.5 / 1.0625]);
    x.dispose();
    row.dispose();
  });

  it('resize keeps a constant image constant (up and down, both methods)', async () => {
    const x = fill([2, 3, 7, 5], 0.37);
    for (const [h, w, method] of [
      [17, 12, 'bicubic'],
      [3, 2, 'bicubic'],
      [13, 4, 'bilinear'],
    ] as const) {
      const y = resize(x, h, w, { method });
      const v = await y.read();
      expect(v.length).toBe(2 * 3 * h * w);
      for (const e of v) expect(Math.abs(e - 0.37)).toBeLessThan(1e-6);
      y.dispose();
    }
    x.dispose();
  });

  it('shape errors are thrown before the GPU, naming the op and the shapes', () => {
    const x = fill([2, 3, 4, 5], 1);
    const c3 = fill([3], 1);
    const c4 = fill([4], 1);
    const flat = fill([6], 1);
    expect(() => prelu(x, c4)).toThrow(ShapeError);
    expect(() => prelu(x, c4)).toThrow(/prelu.*\[4\].*\[2, 3, 4, 5\]/);
    expect(() => batchNorm2d(x, c4, c3, c3, c3, { training: true })).toThrow(/batchNorm2d: gamma \[4\].*\[2, 3, 4, 5\]/);
    expect(() => batchNorm2d(flat, c3, c3, c3, c3, { training: true })).toThrow(ShapeError);
    expect(() => pixelShuffle(x, 2)).toThrow(/pixelShuffle: 3 channels.*\[2, 3, 4, 5\]/);
    expect(() => upsampleNearest(flat)).toThrow(ShapeError);
    expect(() => resize(flat, 2, 2)).toThrow(ShapeError);
    expect(() => resize(x, 0, 2)).toThrow(ShapeError);
    expect(() => mseLoss(x, c3)).toThrow(/mseLoss: pred \[2, 3, 4, 5\] and target \[3\]/);
    for (const f of [l1Loss, bceWithLogits, bce]) expect(() => f(x, flat)).toThrow(ShapeError);
    const single = fill([1, 3, 1, 1], 1);
    expect(() => batchNorm2d(single, c3, c3, c3, c3, { training: true })).toThrow(/more than one value per channel/);
    for (const t of [x, c3, c4, flat, single]) t.dispose();
  });

  it('losses and batch norm free their intermediates', async () => {
    const pred = fill([2, 3, 4, 4], 0.3);
    const target = fill([2, 3, 4, 4], 1);
    const gamma = fill([3], 1),
      beta = fill([3], 0),
      rm = fill([3], 0),
      rv = fill([3], 1);
    pred.requiresGrad = true;
    gamma.requiresGrad = true;
    const before = liveTensorCount();
    noGrad(() => {
      for (const f of [mseLoss, l1Loss, bceWithLogits, bce]) f(pred, target).dispose();
    });
    expect(liveTensorCount()).toBe(before);
    tidy(() => {
      const y = batchNorm2d(pred, gamma, beta, rm, rv, { training: true });
      backward(bceWithLogits(y, target));
    });
    expect(pred.grad).toBeDefined();
    expect(gamma.grad).toBeDefined();
    // Only the two new leaf gradients remain.
    expect(liveTensorCount()).toBe(before + 2);
    for (const t of [pred, target, gamma, beta, rm, rv]) t.dispose();
  });
});
