import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';
import { centralDifferences } from '../helpers/check-op.js';
import { phaseMeans, phasePatternLoss } from '../../src/srgan/phase-loss.js';

useEngine();

/** Deterministic pseudo-random values in [0, 1). */
const noise = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
const image = (n: number, c: number, h: number, w: number, f: (b: number, ch: number, y: number, x: number) => number) =>
  Float64Array.from({ length: n * c * h * w }, (_, i) => f(Math.floor(i / (c * h * w)), Math.floor(i / (h * w)) % c, Math.floor(i / w) % h, i % w));
const tensor = (d: Float64Array, shape: number[]) => E.tensor(Float32Array.from(d), shape);

/** The loss in float64, written the plain way: box-blur high-pass, phase means over batch and image, MSE. */
function refLoss(sr: Float64Array, hr: Float64Array, [n, c, h, w]: number[]): number {
  const k = [1, 2, 2, 2, 1].map((v) => v / 8),
    oh = Math.floor((h - 4) / 4) * 4,
    ow = Math.floor((w - 4) / 4) * 4;
  const means = (x: Float64Array) => {
    const m = new Float64Array(c * 16);
    for (let b = 0; b < n; b++)
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < oh; y++)
          for (let xx = 0; xx < ow; xx++) {
            const at = (yy: number, xc: number) => x[((b * c + ch) * h + yy) * w + xc];
            let blur = 0;
            for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) blur += k[i] * k[j] * at(y + i, xx + j);
            m[ch * 16 + (y % 4) * 4 + (xx % 4)] += (at(y + 2, xx + 2) - blur) / (n * (oh / 4) * (ow / 4));
          }
    return m;
  };
  const a = means(sr),
    b = means(hr);
  return a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
}

describe('phase-pattern loss', () => {
  const tile = Array.from({ length: 16 }, (_, i) => noise(i + 300) - 0.5);
  const tileMean = tile.reduce((a, v) => a + v, 0) / 16;

  it('a flat image plus a period-4 pattern: the phase means are the pattern; the loss against the flat image is its mean square', async () => {
    const shape = [2, 3, 24, 28];
    const lattice = image(2, 3, 24, 28, (_, ch, y, x) => 0.4 + 0.1 * ch + 0.05 * (tile[(y % 4) * 4 + (x % 4)] - tileMean));
    const flat = image(2, 3, 24, 28, (_, ch) => 0.4 + 0.1 * ch);
    const means = await E.tidy(() => phaseMeans(tensor(lattice, shape))).read();
    // Phases count from the blur's first full window, two pixels in: phase (p, q) is the image's (p + 2, q + 2).
    for (let ch = 0; ch < 3; ch++)
      for (let p = 0; p < 4; p++)
        for (let q = 0; q < 4; q++) expect(means[ch * 16 + p * 4 + q]).toBeCloseTo(0.05 * (tile[((p + 2) % 4) * 4 + ((q + 2) % 4)] - tileMean), 6);
    const loss = await E.tidy(() => phasePatternLoss(tensor(lattice, shape), tensor(flat, shape))).item();
    const want = tile.reduce((a, v) => a + (0.05 * (v - tileMean)) ** 2, 0) / 16;
    expect(loss).toBeCloseTo(want, 8);
    expect(loss).toBeCloseTo(refLoss(lattice, flat, shape), 9);
    // Noise of the same strength has no preferred phase: its phase means shrink with the pixels per phase.
    const noisy = image(2, 3, 24, 28, (b, ch, y, x) => 0.4 + 0.1 * ch + 0.05 * (noise(x + 29 * y + 977 * ch + 5003 * b) - 0.5));
    expect(await E.tidy(() => phasePatternLoss(tensor(noisy, shape), tensor(flat, shape))).item()).toBeLessThan(loss / 10);
  });

  it('is 0 for SR = HR; its gradient matches finite differences of a float64 reference', async () => {
    const shape = [1, 2, 13, 14];
    const hr = image(1, 2, 13, 14, (_, ch, y, x) => 0.5 + 0.3 * Math.sin(0.9 * x + 1.3 * y + ch));
    const sr = image(1, 2, 13, 14, (_, ch, y, x) => hr[(ch * 13 + y) * 14 + x] + 0.1 * (noise(x + 31 * y + 7 * ch) - 0.5));
    expect(await E.tidy(() => phasePatternLoss(tensor(hr, shape), tensor(hr, shape))).item()).toBe(0);
    const x = E.variable(tensor(sr, shape));
    const loss = phasePatternLoss(x, tensor(hr, shape));
    expect(await loss.item()).toBeCloseTo(refLoss(sr, hr, shape), 8);
    E.backward(loss);
    const grad = await x.grad!.read();
    const at = [0, 15, 30, 100, 181, 250, 363];
    centralDifferences((v) => refLoss(v, hr, shape), sr, at).forEach((fd, k) => expect(grad[at[k]]).toBeCloseTo(fd, 7));
    x.dispose();
    loss.dispose();
    expect(() => phasePatternLoss(E.zeros([1, 3, 8, 8]), E.zeros([1, 3, 8, 12]))).toThrow(/differ/);
    expect(() => phaseMeans(E.zeros([1, 3, 6, 6]))).toThrow(/too small/);
  });
});
