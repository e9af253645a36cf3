/**
 * The photo-realistic degradations (src/srgan/data/degradations): each step against a reference
 * (the Gaussian formula, a direct convolution, the engine's float64 resize reference, libjpeg through
 * sharp, sampling statistics), the spec grammar, and the determinism the training data relies on.
 * Host code, but for the last test, where the trainer takes a batch's LR (on the real adapter).
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { refResize } from '../../src/engine/testing.js';
import { SeededRng } from '../../src/srgan/data/rng.js';
import { blur, gaussianKernel, kernelSize } from '../../src/srgan/data/degradations/kernels.js';
import { resizePlanes, type ResizeKernel } from '../../src/srgan/data/degradations/resize.js';
import { addGaussianNoise, addPoissonNoise, poisson } from '../../src/srgan/data/degradations/noise.js';
import { jpegCompress, quantTable } from '../../src/srgan/data/degradations/jpeg.js';
import { reflectIndex, type Planes } from '../../src/srgan/data/degradations/planes.js';
import { degradePlanes, degradedLowRes, parseDegradeSpec, DegradeSpecError } from '../../src/srgan/data/degradations/index.js';
import { PhotoDataset } from '../../src/srgan/data/dataset.js';
import { readImageFolder } from '../../src/srgan/data/folder-node.js';
import type { HostImage } from '../../src/srgan/image/types.js';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';
import { makeConfig } from '../../src/srgan/config.js';
import { Trainer } from '../../src/srgan/train/trainer.js';
import { makeLr } from '../../src/srgan/data/degrade.js';
import { UsageError } from '../../src/cli/command.js';
import { trainCommand } from '../../src/cli/srgan-train.js';
import { evalCommand } from '../../src/cli/srgan-eval.js';

const randomPlanes = (width: number, height: number, seed = 1): Planes => {
  const rng = new SeededRng(seed);
  return { width, height, data: Float32Array.from({ length: 3 * width * height }, () => rng.next()) };
};
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;
const variance = (xs: ArrayLike<number>) => {
  const m = mean(xs);
  return Array.from(xs).reduce((s, v) => s + (v - m) ** 2, 0) / xs.length;
};
const psnr8 = (a: ArrayLike<number>, b: ArrayLike<number>) => 10 * Math.log10(1 / mean(Array.from(a, (v, i) => (v - b[i]) ** 2)));

/** A real photo as planes (the bundled held-out set), cropped to w × h at the top left. */
async function photoPlanes(w: number, h: number): Promise<Planes> {
  const [img] = await readImageFolder('data/photos/heldout');
  const n = w * h,
    data = new Float32Array(3 * n);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[c * n + y * w + x] = img.data[(y * img.width + x) * img.channels + c];
  return { width: w, height: h, data };
}

describe('blur kernels', () => {
  it('an isotropic kernel sums to 1 and is the Gaussian formula, normalised', () => {
    const sigma = 1.7,
      k = gaussianKernel(sigma),
      half = k.size >> 1;
    expect(k.size).toBe(kernelSize(sigma));
    expect(k.size).toBe(2 * Math.ceil(3 * sigma) + 1);
    expect(mean(k.weights) * k.weights.length).toBeCloseTo(1, 6);
    let z = 0;
    for (let y = -half; y <= half; y++) for (let x = -half; x <= half; x++) z += Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
    for (const [x, y] of [
      [0, 0],
      [1, 0],
      [2, -3],
      [-half, half],
    ])
      expect(k.weights[(y + half) * k.size + x + half]).toBeCloseTo(Math.exp(-(x * x + y * y) / (2 * sigma * sigma)) / z, 7);
    // Its separable form is the same kernel.
    const line = k.separable!;
    for (let i = 0; i < k.size; i++) for (let j = 0; j < k.size; j++) expect(line[i] * line[j]).toBeCloseTo(k.weights[i * k.size + j], 7);
  });

  it("kernel sides stay odd, from 7 to 21 (Real-ESRGAN's range)", () => {
    expect([0.2, 1, 2, 3, 5].map(kernelSize)).toEqual([7, 7, 13, 19, 21]);
  });

  it('an anisotropic kernel is stretched σx along θ and σy across it', () => {
    for (const theta of [0, Math.PI / 4, Math.PI / 3, -2]) {
      const k = gaussianKernel(2.5, 0.6, theta, 21),
        half = k.size >> 1;
      expect(mean(k.weights) * k.weights.length).toBeCloseTo(1, 6);
      // Second moments of the weights: their principal axis is θ (mod π), the variances σx², σy².
      let xx = 0,
        xy = 0,
        yy = 0;
      for (let y = -half; y <= half; y++)
        for (let x = -half; x <= half; x++) {
          const v = k.weights[(y + half) * k.size + x + half];
          xx += v * x * x;
          xy += v * x * y;
          yy += v * y * y;
        }
      const angle = 0.5 * Math.atan2(2 * xy, xx - yy);
      const diff = Math.abs(((((angle - theta) % Math.PI) + 1.5 * Math.PI) % Math.PI) - Math.PI / 2);
      expect(diff).toBeLessThan(0.01);
      const tr = xx + yy,
        det = xx * yy - xy * xy,
        disc = Math.sqrt((tr * tr) / 4 - det);
      // Sampling a narrow Gaussian on the integer grid adds a little to σy² (≈ 1/12 for a box), not more.
      expect(tr / 2 + disc).toBeCloseTo(2.5 ** 2, 1);
      expect(Math.abs(tr / 2 - disc - 0.6 ** 2)).toBeLessThan(0.05);
    }
  });

  it('rejects a non-positive σ and an even size', () => {
    expect(() => gaussianKernel(0)).toThrow(RangeError);
    expect(() => gaussianKernel(1, 1, 0, 8)).toThrow(/odd/);
  });

  it('blur is a reflect-padded correlation (against a direct float64 one), isotropic and anisotropic', () => {
    const p = randomPlanes(13, 9);
    for (const k of [gaussianKernel(1.3), gaussianKernel(2.2, 0.7, 0.9)]) {
      const half = k.size >> 1,
        n = p.width * p.height,
        want = new Float64Array(3 * n);
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < p.height; y++)
          for (let x = 0; x < p.width; x++) {
            let acc = 0;
            for (let i = 0; i < k.size; i++)
              for (let j = 0; j < k.size; j++)
                acc +=
                  k.weights[i * k.size + j] * p.data[c * n + reflectIndex(y + i - half, p.height) * p.width + reflectIndex(x + j - half, p.width)];
            want[c * n + y * p.width + x] = acc;
          }
      expect(maxAbs(blur(p, k).data, want)).toBeLessThan(1e-5);
    }
  });

  it('reflect padding mirrors without repeating the edge, at any distance', () => {
    expect([-3, -2, -1, 0, 3, 4, 5, 6, 7, 8].map((i) => reflectIndex(i, 4))).toEqual([3, 2, 1, 0, 3, 2, 1, 0, 1, 2]);
    expect(reflectIndex(5, 1)).toBe(0);
  });
});

describe('resize', () => {
  const cases: [number, number, number, number][] = [
    [17, 11, 5, 3],
    [13, 9, 29, 20],
    [24, 24, 6, 6],
    [10, 7, 10, 14],
  ];
  for (const kernel of ['bicubic', 'bilinear'] as const)
    for (const antialias of [true, false])
      it(`${kernel}${antialias ? ', antialiased,' : ''} matches the engine's float64 resize reference`, () => {
        for (const [w, h, ow, oh] of cases) {
          const p = randomPlanes(w, h, w + oh);
          const ref = refResize({ data: Float64Array.from(p.data), shape: [1, 3, h, w] }, oh, ow, { method: kernel, antialias });
          const got = resizePlanes(p, ow, oh, kernel, antialias);
          expect([got.width, got.height]).toEqual([ow, oh]);
          expect(maxAbs(got.data, ref.data)).toBeLessThan(2e-6);
        }
      });

  it('area downscaling by a whole factor is the mean of each block; a constant image stays constant', () => {
    const p = randomPlanes(12, 8);
    const got = resizePlanes(p, 4, 2, 'area');
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 2; y++)
        for (let x = 0; x < 4; x++) {
          let s = 0;
          for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) s += p.data[c * 96 + (4 * y + i) * 12 + 3 * x + j];
          expect(got.data[c * 8 + y * 4 + x]).toBeCloseTo(s / 12, 6);
        }
    const flat: Planes = { width: 9, height: 5, data: new Float32Array(135).fill(0.3) };
    for (const kernel of ['area', 'bilinear', 'bicubic'] as ResizeKernel[])
      for (const [ow, oh] of [
        [3, 2],
        [14, 11],
        [1, 1],
      ])
        expect(maxAbs(resizePlanes(flat, ow, oh, kernel, false).data, new Float32Array(3 * ow * oh).fill(0.3))).toBeLessThan(1e-6);
  });
});

describe('noise', () => {
  it('Gaussian noise at a fixed seed has mean 0 and σ as asked, per channel or shared (grey)', () => {
    const n = 128 * 128;
    const colour = addGaussianNoise({ width: 128, height: 128, data: new Float32Array(3 * n).fill(0.5) }, 10, false, new SeededRng(3));
    const e = Array.from(colour.data, (v) => (v - 0.5) * 255);
    expect(Math.abs(mean(e))).toBeLessThan((3 * 10) / Math.sqrt(3 * n));
    expect(Math.sqrt(variance(e))).toBeCloseTo(10, 0);
    expect(Math.abs(Math.sqrt(variance(e)) / 10 - 1)).toBeLessThan(0.02);
    // Colour noise: the channels are independent.
    const r = e.slice(0, n),
      g = e.slice(n, 2 * n);
    expect(Math.abs(mean(r.map((v, i) => v * g[i]))) / 100).toBeLessThan(0.03);
    const grey = addGaussianNoise({ width: 128, height: 128, data: new Float32Array(3 * n).fill(0.5) }, 10, true, new SeededRng(3));
    expect(grey.data.subarray(0, n)).toEqual(grey.data.subarray(n, 2 * n));
    expect(grey.data.subarray(0, n)).toEqual(grey.data.subarray(2 * n));
    // The same seed, the same noise.
    expect(addGaussianNoise({ width: 128, height: 128, data: new Float32Array(3 * n).fill(0.5) }, 10, false, new SeededRng(3)).data).toEqual(
      colour.data,
    );
  });

  it('the Poisson sampler has mean and variance λ, below and above the switch to rejection (λ = 10)', () => {
    const rng = new SeededRng(11);
    for (const lambda of [0.7, 4, 10, 37.5, 230]) {
      const xs = Array.from({ length: 20_000 }, () => poisson(lambda, rng));
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      expect(Math.abs(mean(xs) - lambda)).toBeLessThan(4 * Math.sqrt(lambda / 20_000));
      expect(Math.abs(variance(xs) / lambda - 1)).toBeLessThan(0.05);
    }
  });

  it('Poisson noise grows with brightness as scale·√(v/L) (L = 256 for a photo with every 8-bit level)', () => {
    // Every level 0…255, repeated: Real-ESRGAN's counts are then 256 per unit.
    const n = 256 * 200,
      data = new Float32Array(3 * n);
    for (let i = 0; i < 3 * n; i++) data[i] = (i % 256) / 255;
    const noisy = addPoissonNoise({ width: 256, height: 200, data: Float32Array.from(data) }, 2, false, new SeededRng(5));
    for (const [lo, hi] of [
      [0.1, 0.2],
      [0.7, 0.9],
    ]) {
      const idx = Array.from(data.keys()).filter((i) => data[i] >= lo && data[i] < hi);
      const e = idx.map((i) => noisy.data[i] - data[i]);
      const expected = (4 * mean(idx.map((i) => data[i]))) / 256; // scale² · v / L
      expect(Math.abs(mean(e))).toBeLessThan(4 * Math.sqrt(expected / idx.length));
      expect(Math.abs(variance(e) / expected - 1)).toBeLessThan(0.05);
    }
    // Grey: one draw shared by the three channels.
    const grey = addPoissonNoise({ width: 256, height: 200, data: Float32Array.from(data) }, 2, true, new SeededRng(5));
    const d = (c: number) => Array.from(grey.data.subarray(c * n, (c + 1) * n), (v, i) => v - data[c * n + i]);
    expect(maxAbs(d(0), d(1))).toBeLessThan(1e-6);
  });
});

describe('JPEG', () => {
  it("quantisation tables follow libjpeg's quality scaling", () => {
    const base = Array.from({ length: 64 }, (_, i) => 16 + i);
    expect(Array.from(quantTable(base, 50))).toEqual(base);
    expect(Array.from(quantTable(base, 100))).toEqual(new Array(64).fill(1));
    expect(quantTable(base, 10)[0]).toBe(80); // 5000/10 = 500 %: (16·500 + 50)/100
    expect(quantTable(base, 1)[63]).toBe(255); // baseline caps at 255
  });

  it('quality 100 is near-lossless and quality 10 loses a lot, in 8×8 blocks', async () => {
    const p = await photoPlanes(128, 96);
    expect(psnr8(jpegCompress(p, 100).data, p.data)).toBeGreaterThan(44);
    const low = jpegCompress(p, 10);
    expect(psnr8(low.data, p.data)).toBeLessThan(31);
    // Block edges: the jump across a block boundary is larger than across the columns inside a block.
    const n = 128 * 96,
      y = low.data.subarray(0, n);
    const step = (x: number) => mean(Array.from({ length: 96 }, (_, r) => Math.abs(y[r * 128 + x] - y[r * 128 + x - 1])));
    const edges = [8, 16, 24, 32, 40, 48, 56, 64].map(step),
      inside = [3, 4, 5, 11, 12, 13, 19, 20, 21].map(step);
    expect(mean(edges)).toBeGreaterThan(1.5 * mean(inside));
  });

  it('gives back what libjpeg gives back (sharp encodes and decodes), grey and colour', async () => {
    const p = await photoPlanes(120, 88),
      n = 120 * 88;
    for (const grey of [true, false]) {
      const src: Planes = grey
        ? { ...p, data: Float32Array.from({ length: 3 * n }, (_, i) => Math.round(p.data[n + (i % n)] * 255) / 255) }
        : { ...p, data: p.data.map((v) => Math.round(v * 255) / 255) };
      const raw = Buffer.alloc(3 * n);
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) raw[3 * i + c] = Math.round(src.data[c * n + i] * 255);
      for (const quality of [20, 75, 95]) {
        const file = await sharp(raw, { raw: { width: 120, height: 88, channels: 3 } })
          .jpeg({ quality, chromaSubsampling: '4:2:0' })
          .toBuffer();
        const decoded = await sharp(file).raw().toBuffer();
        const libjpeg = new Float32Array(3 * n);
        for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) libjpeg[c * n + i] = decoded[3 * i + c] / 255;
        const ours = jpegCompress(src, quality).data;
        // libjpeg's integer DCT rounds a few coefficients the other way; on average we are within a level.
        expect(mean(Array.from(ours, (v, i) => Math.abs(v - libjpeg[i]))) * 255).toBeLessThan(grey ? 0.3 : 0.8);
        expect(Math.abs(psnr8(ours, src.data) - psnr8(libjpeg, src.data))).toBeLessThan(0.15);
      }
    }
  });

  it('keeps odd sizes (edges padded to whole macroblocks, then cut off)', () => {
    const out = jpegCompress(randomPlanes(21, 9), 60);
    expect([out.width, out.height, out.data.length]).toEqual([21, 9, 3 * 21 * 9]);
  });
});

describe('degradation specs', () => {
  it('parses the grammar', () => {
    expect(parseDegradeSpec('realistic')).toEqual({ kind: 'realistic' });
    expect(parseDegradeSpec('Phone')).toEqual({ kind: 'phone' });
    expect(parseDegradeSpec('bicubic')).toEqual({ kind: 'chain', blurSigma: 0, steps: [] });
    expect(parseDegradeSpec('blur1.5+greynoise3+poisson0.5+JPEG60')).toEqual({
      kind: 'chain',
      blurSigma: 1.5,
      steps: [
        { op: 'noise', sigma: 3, grey: true },
        { op: 'poisson', scale: 0.5 },
        { op: 'jpeg', quality: 60 },
      ],
    });
  });

  it('rejects what it cannot do, naming the grammar', () => {
    for (const [spec, why] of [
      ['jpeg', /not a step/],
      ['noise5+blur1', /put it first/],
      ['jpeg0', /1 to 100/],
      ['jpeg101', /1 to 100/],
      ['jpeg75.5', /integer/],
      ['sharpen2', /not a step/],
      ['noise5++jpeg75', /not a step/],
      ['blur0', /\(0, 10\]/],
    ] as const) {
      expect(() => parseDegradeSpec(spec)).toThrow(DegradeSpecError);
      expect(() => parseDegradeSpec(spec)).toThrow(why);
      expect(() => parseDegradeSpec(spec)).toThrow(/expected bicubic \| realistic/);
    }
  });

  it('bicubic is the antialiased bicubic ÷4 (the engine reference), rounded to 8 bits', () => {
    const p = randomPlanes(36, 20);
    const ref = refResize({ data: Float64Array.from(p.data), shape: [1, 3, 20, 36] }, 5, 9, { method: 'bicubic', antialias: true });
    const got = degradePlanes(parseDegradeSpec('bicubic'), p, 4, new SeededRng(1));
    expect(
      maxAbs(
        got.data,
        Array.from(ref.data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255),
      ),
    ).toBeLessThan(1e-6);
  });

  it('realistic ends at exactly the LR size with 8-bit values, for any draw', () => {
    const p = randomPlanes(101, 67);
    for (let seed = 0; seed < 40; seed++) {
      const lr = degradePlanes({ kind: 'realistic' }, p, 4, new SeededRng(seed));
      expect([lr.width, lr.height, lr.data.length]).toEqual([25, 16, 3 * 25 * 16]);
      expect(lr.data.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
    }
  });

  it('phone: exactly the LR size, 8-bit, seeded; milder than realistic (closer to the clean bicubic LR), never clean', async () => {
    const p = await photoPlanes(128, 128),
      clean = degradePlanes(parseDegradeSpec('bicubic'), p, 4, new SeededRng(1)).data;
    const rmse = (spec: 'phone' | 'realistic', seed: number) => {
      const lr = degradePlanes({ kind: spec }, p, 4, new SeededRng(seed));
      expect([lr.width, lr.height]).toEqual([32, 32]);
      expect(lr.data.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
      return Math.sqrt(mean(Array.from(lr.data, (v, i) => (v - clean[i]) ** 2))) * 255;
    };
    const phone = Array.from({ length: 24 }, (_, seed) => rmse('phone', seed));
    const realistic = Array.from({ length: 24 }, (_, seed) => rmse('realistic', seed));
    expect(degradePlanes({ kind: 'phone' }, p, 4, new SeededRng(3)).data).toEqual(degradePlanes({ kind: 'phone' }, p, 4, new SeededRng(3)).data);
    expect(Math.min(...phone)).toBeGreaterThan(0.3); // the JPEG is always there
    expect(mean(phone)).toBeLessThan(mean(realistic) / 2);
    expect(Math.max(...phone)).toBeLessThan(12); // at most σ 8 noise, a light blur and JPEG 60
  });

  it('a chain hurts as much as it says: noise5 ≈ 5 levels of error, jpeg30 more than jpeg90', async () => {
    const p = await photoPlanes(128, 128),
      clean = degradePlanes(parseDegradeSpec('bicubic'), p, 4, new SeededRng(1)).data;
    const rmse = (spec: string) =>
      Math.sqrt(mean(Array.from(degradePlanes(parseDegradeSpec(spec), p, 4, new SeededRng(2)).data, (v, i) => (v - clean[i]) ** 2))) * 255;
    expect(rmse('noise5')).toBeGreaterThan(4.5);
    expect(rmse('noise5')).toBeLessThan(5.5);
    expect(rmse('jpeg30')).toBeGreaterThan(rmse('jpeg90'));
    expect(rmse('blur2')).toBeGreaterThan(0.5);
  });

  it('--degrade with a spec that does not parse is a usage error, before any image or GPU work', async () => {
    const refused = [
      trainCommand.run(['--data', 'no/such/dir', '--out', 'no/such/run', '--degrade', 'jpeg0']),
      evalCommand.run(['--images', 'no/such/dir', '--degrade', 'noise5+blur1']),
    ];
    for (const r of refused) await expect(r).rejects.toThrow(UsageError);
    await expect(evalCommand.run(['--images', 'no/such/dir', '--degrade', 'noise5+blur1'])).rejects.toThrow(/--degrade: .*put it first/);
  });

  it('held-out LR (srgan eval --degrade) depends on the image index only, not on the order of the calls', () => {
    const img = (seed: number): HostImage => ({ width: 32, height: 24, channels: 3, data: randomPlanes(32, 24, seed).data });
    const make = degradedLowRes('noise4+jpeg70', 4);
    const a0 = make(img(1), 0),
      a1 = make(img(2), 1);
    const again = degradedLowRes('noise4+jpeg70', 4);
    expect(again(img(2), 1).data).toEqual(a1.data);
    expect(again(img(1), 0).data).toEqual(a0.data);
    expect([a0.width, a0.height, a0.channels]).toEqual([8, 6, 3]);
  });
});

describe('degraded training batches', () => {
  const images = (): HostImage[] =>
    [0, 1].map((i) => ({ width: 80 + 8 * i, height: 72, channels: 3, name: `img${i}`, data: randomPlanes(80 + 8 * i, 72, 9 + i).data }));
  const open = (degrade?: string) => PhotoDataset.fromImages(images(), { crop: 32, batch: 3, seed: 4, degrade });

  it('a fixed seed gives the same batch, HR and LR, twice', async () => {
    const [a, b] = [open('realistic'), open('realistic')];
    for (let k = 0; k < 3; k++) {
      const [x, y] = [await a.next(), await b.next()];
      expect(x.lowRes!.shape).toEqual([3, 3, 8, 8]);
      expect(x.data).toEqual(y.data);
      expect(x.lowRes!.data).toEqual(y.lowRes!.data);
    }
  });

  it('resuming at batch k gives the batches of an uninterrupted run', async () => {
    const straight = open('realistic');
    const want = [];
    for (let k = 0; k < 5; k++) want.push(await straight.next());
    const first = open('realistic');
    await first.next();
    await first.next();
    const resumed = open('realistic');
    resumed.restore(first.state);
    for (let k = 2; k < 5; k++) {
      const got = await resumed.next();
      expect(got.data).toEqual(want[k].data);
      expect(got.lowRes!.data).toEqual(want[k].lowRes!.data);
    }
  });

  it('without a degradation (or with bicubic) batches carry no LR and the crop sequence is unchanged', async () => {
    const [plain, bicubic, realistic] = [open(), open('bicubic'), open('realistic')];
    const [p, b, r] = [await plain.next(), await bicubic.next(), await realistic.next()];
    expect(p.lowRes).toBeUndefined();
    expect(b.lowRes).toBeUndefined();
    expect(b.crops).toEqual(p.crops);
    // The first crop is drawn before any degradation seed.
    expect({ ...r.crops[0], degradeSeed: undefined }).toEqual({ ...p.crops[0], degradeSeed: undefined });
  });
});

describe('the trainer with a host-made LR', () => {
  useEngine();
  const config = () => makeConfig('tiny', { hrCrop: 16, batch: 2, phase1Steps: 2, phase2Steps: 0, degrade: 'realistic' });

  it("trains on the batch's LR when it has one: the GPU bicubic's own LR given from the host gives the same step", async () => {
    const hr = randomPlanes(16, 32, 3).data,
      shape = [2, 3, 16, 16] as const;
    const lr = E.tidy(() => makeLr(E.tensor(hr, [...shape]), 4));
    const lowRes = { data: await lr.read(), shape: [2, 3, 4, 4] as const };
    lr.dispose();
    const [onGpu, fromHost, degraded] = [new Trainer(config()), new Trainer(config()), new Trainer(config())];
    const a = await onGpu.trainStep({ data: hr, shape });
    const b = await fromHost.trainStep({ data: hr, shape, lowRes });
    expect(b.g_content).toBeCloseTo(a.g_content, 6);
    const c = await degraded.trainStep({ data: hr, shape, lowRes: { ...lowRes, data: lowRes.data.map((v, i) => v + (i % 2 ? 0.05 : -0.05)) } });
    expect(Math.abs(c.g_content - a.g_content)).toBeGreaterThan(1e-6);
    await expect(onGpu.trainStep({ data: hr, shape, lowRes: { data: new Float32Array(2 * 3 * 8 * 8), shape: [2, 3, 8, 8] } })).rejects.toThrow(
      /does not match/,
    );
  });

  it('a config with a spec that does not parse is refused', () => {
    expect(() => makeConfig('tiny', { degrade: 'jpeg200' })).toThrow(DegradeSpecError);
  });
});
