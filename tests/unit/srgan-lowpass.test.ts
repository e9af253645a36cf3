import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';
import { centralDifferences } from '../helpers/check-op.js';
import { gaussianBlur, gaussianTaps, lowPassMse } from '../../src/srgan/lowpass.js';
import { contentLoss } from '../../src/srgan/losses.js';
import { ConfigError } from '../../src/srgan/errors.js';
import { presets, validateConfig } from '../../src/srgan/config.js';

useEngine();

/** Deterministic pseudo-random values in [0, 1). */
const noise = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
const tensor = (d: Float64Array, shape: number[]) => E.tensor(Float32Array.from(d), shape);

/** The 2-D Gaussian blur in float64, the plain way: every output pixel a double sum over the K×K window. */
function refBlur(x: Float64Array, [n, c, h, w]: number[], sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma),
    k = 2 * r + 1,
    oh = h - k + 1,
    ow = w - k + 1;
  const g = Array.from({ length: k }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = g.reduce((a, b) => a + b, 0) ** 2;
  const out = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let s = 0;
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += (g[i] * g[j] * x[(p * h + y + i) * w + xx + j]) / sum;
        out[(p * oh + y) * ow + xx] = s;
      }
  return out;
}
const refLoss = (sr: Float64Array, hr: Float64Array, shape: number[], sigma: number) => {
  const a = refBlur(sr, shape, sigma),
    b = refBlur(hr, shape, sigma);
  return a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
};

describe('low-pass content loss (frequency separation)', () => {
  const shape = [2, 3, 14, 16];
  const size = 2 * 3 * 14 * 16;
  const hr = Float64Array.from({ length: size }, (_, i) => noise(i));
  const sr = Float64Array.from({ length: size }, (_, i) => hr[i] + 0.2 * (noise(i + 7919) - 0.5));

  it('taps are a normalised Gaussian of radius ⌈3σ⌉; the blur matches a float64 2-D reference', async () => {
    const taps = gaussianTaps(1.5);
    expect(taps.length).toBe(11);
    expect(taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(taps[5]).toBeGreaterThan(taps[4]);
    expect(taps[0]).toBeCloseTo(taps[10], 15);
    const got = await E.tidy(() => gaussianBlur(tensor(hr, shape), 1)).read();
    const want = refBlur(hr, shape, 1);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    expect(() => gaussianTaps(0)).toThrow(RangeError);
    expect(() => gaussianBlur(E.zeros([1, 3, 6, 6]), 1)).toThrow(/smaller than the 7-tap/);
  });

  it('the loss matches the reference and its gradient finite differences; HR gets none', async () => {
    expect(await E.tidy(() => lowPassMse(tensor(hr, shape), tensor(hr, shape), 1)).item()).toBe(0);
    const x = E.variable(tensor(sr, shape)),
      target = E.variable(tensor(hr, shape));
    const loss = lowPassMse(x, target, 1);
    expect(await loss.item()).toBeCloseTo(refLoss(sr, hr, shape, 1), 7);
    E.backward(loss);
    const grad = await x.grad!.read();
    const at = [0, 37, 230, 450, 671, 900, 1201, 1343];
    centralDifferences((v) => refLoss(v, hr, shape, 1), sr, at).forEach((fd, k) => expect(grad[at[k]]).toBeCloseTo(fd, 6));
    expect(target.grad).toBeFalsy();
    x.dispose();
    target.dispose();
    loss.dispose();
    expect(() => lowPassMse(E.zeros([1, 3, 12, 12]), E.zeros([1, 3, 12, 16]), 1)).toThrow(/differ/);
  });

  it('leaves a fine texture almost free and still pins the colour: what the GAN phase is meant to allow', async () => {
    const big = [1, 3, 32, 32];
    const flat = new Float64Array(3 * 32 * 32).fill(0.5);
    const checker = flat.map((v, i) => v + 0.1 * ((((i % 32) + Math.floor(i / 32)) % 2) * 2 - 1));
    const shifted = flat.map((v) => v + 0.1);
    const cfg = { content: 'mse' as const, vggScale: 12.75, contentBlur: 2, generator: { outputRange: '[0,1]' as const } };
    const plainCfg = { ...cfg, contentBlur: 0 };
    const onTexture = await E.tidy(() => contentLoss(tensor(checker, big), tensor(flat, big), cfg)).item();
    const onColour = await E.tidy(() => contentLoss(tensor(shifted, big), tensor(flat, big), cfg)).item();
    const plainTexture = await E.tidy(() => contentLoss(tensor(checker, big), tensor(flat, big), plainCfg)).item();
    // The plain MSE charges the ±0.1 checkerboard its full 0.01; the low band sees almost none of it.
    expect(plainTexture).toBeCloseTo(0.01, 6);
    expect(onTexture).toBeLessThan(1e-6);
    expect(onColour).toBeCloseTo(0.01, 6);
  });

  it('config: σ ≥ 0, pixel MSE only, and a crop that holds the kernel', () => {
    const gan = { ...presets.tiny, contentBlur: 2 };
    expect(() => validateConfig(gan)).not.toThrow();
    expect(() => validateConfig({ ...gan, contentBlur: -1 })).toThrow(ConfigError);
    expect(() => validateConfig({ ...gan, content: 'vgg' })).toThrow(/pixel MSE/);
    expect(() => validateConfig({ ...gan, contentBlur: 3, hrCrop: 16 })).toThrow(/crop of at least 19/);
  });
});
