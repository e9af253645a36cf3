import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';
import { centralDifferences } from '../helpers/check-op.js';
import { flatRegionLoss, flatWeights } from '../../src/srgan/flat-loss.js';

useEngine();

/** Deterministic pseudo-random values in [0, 1). */
const noise = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
const image = (n: number, h: number, w: number, f: (b: number, ch: number, y: number, x: number) => number) =>
  Float64Array.from({ length: n * 3 * h * w }, (_, i) => f(Math.floor(i / (3 * h * w)), Math.floor(i / (h * w)) % 3, Math.floor(i / w) % h, i % w));
const tensor = (d: Float64Array, shape: number[]) => E.tensor(Float32Array.from(d), shape);

/** The loss in float64, the plain way: luma, 5-point Laplacian, 7×7 mean |Laplacian| of HR, weights (m/(m+a))², weighted MSE. */
function refLoss(sr: Float64Array, hr: Float64Array, [n, , h, w]: number[]): { loss: number; weights: Float64Array } {
  const lap = (x: Float64Array, b: number) => {
    const y = (yy: number, xx: number) => [0.299, 0.587, 0.114].reduce((s, k, ch) => s + k * x[((b * 3 + ch) * h + yy) * w + xx], 0);
    const out = new Float64Array((h - 2) * (w - 2));
    for (let yy = 1; yy < h - 1; yy++)
      for (let xx = 1; xx < w - 1; xx++)
        out[(yy - 1) * (w - 2) + xx - 1] = y(yy - 1, xx) + y(yy + 1, xx) + y(yy, xx - 1) + y(yy, xx + 1) - 4 * y(yy, xx);
    return out;
  };
  const lw = w - 2,
    oh = h - 8,
    ow = w - 8;
  let sum = 0;
  const weights = new Float64Array(n * oh * ow);
  for (let b = 0; b < n; b++) {
    const ls = lap(sr, b),
      lh = lap(hr, b);
    const act = new Float64Array(oh * ow);
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) {
        let a = 0;
        for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) a += Math.abs(lh[(y + i) * lw + x + j]) / 49;
        act[y * ow + x] = a;
      }
    const m = act.reduce((p, v) => p + v, 0) / act.length + 1e-12;
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) {
        const wgt = (m / (m + act[y * ow + x])) ** 2,
          k = (y + 3) * lw + x + 3;
        weights[b * oh * ow + y * ow + x] = wgt;
        sum += wgt * (ls[k] - lh[k]) ** 2;
      }
  }
  return { loss: sum / (n * oh * ow), weights };
}

describe('flat-region loss', () => {
  // HR: flat on the left half, fine stripes on the right.
  const shape = [2, 3, 20, 24];
  const hr = image(2, 20, 24, (b, ch, y, x) => 0.4 + 0.05 * ch + (x >= 12 ? 0.2 * Math.sin(2.1 * x + 1.3 * y + b) : 0));
  const withNoiseAt = (left: boolean) =>
    image(2, 20, 24, (b, ch, y, x) => hr[((b * 3 + ch) * 20 + y) * 24 + x] + (x < 12 === left ? 0.05 * (noise(x + 31 * y + 977 * b) - 0.5) : 0));

  it('weights follow the reference; noise on the flat half costs far more than the same noise on the detailed half', async () => {
    const onFlat = withNoiseAt(true),
      onBusy = withNoiseAt(false);
    const ref = refLoss(onFlat, hr, shape);
    const weights = await E.tidy(() => flatWeights(tensor(hr, shape))).read();
    expect(weights.length).toBe(ref.weights.length);
    for (let i = 0; i < weights.length; i++) expect(weights[i]).toBeCloseTo(ref.weights[i], 5);
    const flat = await E.tidy(() => flatRegionLoss(tensor(onFlat, shape), tensor(hr, shape))).item();
    const busy = await E.tidy(() => flatRegionLoss(tensor(onBusy, shape), tensor(hr, shape))).item();
    expect(flat).toBeCloseTo(ref.loss, 7);
    expect(busy).toBeCloseTo(refLoss(onBusy, hr, shape).loss, 7);
    expect(flat).toBeGreaterThan(5 * busy);
  });

  it('is 0 for SR = HR; its gradient matches finite differences of a float64 reference; HR gets none', async () => {
    const sr = withNoiseAt(true);
    expect(await E.tidy(() => flatRegionLoss(tensor(hr, shape), tensor(hr, shape))).item()).toBe(0);
    const x = E.variable(tensor(sr, shape)),
      target = E.variable(tensor(hr, shape));
    const loss = flatRegionLoss(x, target);
    E.backward(loss);
    const grad = await x.grad!.read();
    const at = [0, 50, 130, 487, 1000, 1441, 2300, 2879];
    centralDifferences((v) => refLoss(v, hr, shape).loss, sr, at).forEach((fd, k) => expect(grad[at[k]]).toBeCloseTo(fd, 6));
    expect(target.grad).toBeFalsy();
    x.dispose();
    target.dispose();
    loss.dispose();
    expect(() => flatRegionLoss(E.zeros([1, 3, 12, 12]), E.zeros([1, 3, 12, 16]))).toThrow(/differ/);
    expect(() => flatRegionLoss(E.zeros([1, 1, 12, 12]), E.zeros([1, 1, 12, 12]))).toThrow(/RGB/);
    expect(() => flatRegionLoss(E.zeros([1, 3, 8, 8]), E.zeros([1, 3, 8, 8]))).toThrow(/smaller than/);
  });
});
