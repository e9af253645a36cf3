import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import * as T from '../../src/engine/testing.js';
import { useEngine } from '../helpers/gpu.js';
import {
  compareImages,
  cropPlane,
  evaluate,
  flatRegionSharpness,
  laplacianVariance,
  lumaY,
  modCrop,
  phasePattern,
  psnr,
  ssim,
  type Plane,
} from '../../src/srgan/metrics.js';
import { fromRgbPlanes, quantize8, toRgbPlanes, type HostImage } from '../../src/srgan/image/types.js';
import { imageToTensor, tensorToImage } from '../../src/srgan/image/tensor.js';

useEngine();

const constant = (w: number, h: number, v: number): HostImage => ({ width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(v) });
const plane = (w: number, h: number, f: (x: number, y: number) => number): Plane => {
  const data = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return { data, width: w, height: h };
};
/** Deterministic pseudo-random values in [0, 1). */
const noise = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
const C1 = (0.01 * 255) ** 2,
  C2 = (0.03 * 255) ** 2;

/** SSIM written the plain way: a full 2-D window at every valid position, nothing shared. */
function ssimDirect(a: Plane, b: Plane): number {
  const g = (d: number) => Math.exp(-(d * d) / (2 * 1.5 * 1.5));
  let norm = 0;
  for (let i = -5; i <= 5; i++) for (let j = -5; j <= 5; j++) norm += g(i) * g(j);
  let total = 0,
    count = 0;
  for (let cy = 5; cy < a.height - 5; cy++)
    for (let cx = 5; cx < a.width - 5; cx++) {
      let ma = 0,
        mb = 0,
        saa = 0,
        sbb = 0,
        sab = 0;
      for (let i = -5; i <= 5; i++)
        for (let j = -5; j <= 5; j++) {
          const w = (g(i) * g(j)) / norm,
            k = (cy + i) * a.width + cx + j;
          const va = a.data[k],
            vb = b.data[k];
          ma += w * va;
          mb += w * vb;
          saa += w * va * va;
          sbb += w * vb * vb;
          sab += w * va * vb;
        }
      const va = saa - ma * ma,
        vb = sbb - mb * mb,
        cov = sab - ma * mb;
      total += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      count++;
    }
  return total / count;
}

describe('metrics (float64, Y channel)', () => {
  it('Y is BT.601 as MATLAB rgb2ycbcr computes it', () => {
    const img: HostImage = { width: 4, height: 1, channels: 3, data: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]) };
    const y = lumaY(img).data;
    [81.481, 144.553, 40.966, 235].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 4));
    expect(lumaY(constant(1, 1, 0)).data[0]).toBeCloseTo(16, 10);
  });

  it('identical images: PSNR = Infinity, SSIM = 1, sharpness = 1', () => {
    const img: HostImage = { width: 23, height: 19, channels: 3, data: Float32Array.from({ length: 23 * 19 * 3 }, (_, i) => noise(i)) };
    const m = compareImages(img, img, 4);
    expect(m.psnr_y).toBe(Infinity);
    expect(m.ssim_y).toBeCloseTo(1, 12);
    expect(m.sharpness).toBe(1);
  });

  it('PSNR by hand: a uniform Y error of 10 is 10·log10(255²/100) = 28.1308 dB', () => {
    // Y = 16 + 219·v for grey, so a step of 10/219 in v is a step of 10 in Y.
    const m = compareImages(constant(20, 20, 0.5 + 10 / 219), constant(20, 20, 0.5), 4);
    expect(m.psnr_y).toBeCloseTo(28.130803608679102, 4);
    // Errors of +3, −3, 0, 0: MSE = 18 / 4 = 4.5.
    const a = plane(4, 3, () => 100),
      b = plane(4, 3, (x) => 100 + [3, -3, 0, 0][x]);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(65025 / 4.5), 10);
  });

  it('SSIM of constant images is (2ab + C1) / (a² + b² + C1)', () => {
    const a = plane(15, 13, () => 120),
      b = plane(15, 13, () => 80);
    expect(ssim(a, b)).toBeCloseTo((2 * 120 * 80 + C1) / (120 ** 2 + 80 ** 2 + C1), 12);
  });

  it('SSIM equals a direct 2-D windowed implementation on textured images', () => {
    const a = plane(19, 16, (x, y) => 255 * noise(x * 31 + y * 7));
    const b = plane(19, 16, (x, y) => 0.7 * a.data[y * 19 + x] + 60 * noise(x + y * 101 + 5));
    const want = ssimDirect(a, b);
    expect(want).toBeGreaterThan(0.2);
    expect(want).toBeLessThan(0.99);
    expect(ssim(a, b)).toBeCloseTo(want, 12);
    expect(() =>
      ssim(
        plane(10, 20, () => 0),
        plane(10, 20, () => 0),
      ),
    ).toThrow(/11×11/);
  });

  it('Laplacian variance: 0 for a ramp, 16 for a 0/1 checkerboard; blur lowers the sharpness ratio', () => {
    expect(laplacianVariance(plane(7, 6, (x, y) => 3 * x + 2 * y))).toBeCloseTo(0, 10);
    expect(laplacianVariance(plane(6, 6, (x, y) => (x + y) % 2))).toBeCloseTo(16, 10);
    const sharp: HostImage = { width: 24, height: 24, channels: 1, data: Float32Array.from({ length: 576 }, (_, i) => noise(i)) };
    const blurred = { ...sharp, data: sharp.data.map((v, i) => (v + sharp.data[Math.min(575, i + 1)]) / 2) };
    expect(compareImages(blurred, sharp).sharpness).toBeLessThan(0.8);
  });

  it('flat-region sharpness: 1 for the original, far above 1 for added noise, about 1 for stronger texture where texture is', () => {
    // Left two thirds nearly flat (a ramp with faint grain), the rest textured: the flatter half is all ramp.
    const [w, h] = [60, 32];
    const original = plane(w, h, (x, y) => (x < 40 ? 100 + x + 0.2 * noise(x + 97 * y) : 100 + 40 * noise(x + 97 * y)));
    expect(flatRegionSharpness(original, original)).toBeCloseTo(1, 12);
    const noisy = plane(w, h, (x, y) => original.data[y * w + x] + 6 * noise(3 * x + 211 * y + 7));
    const textured = plane(w, h, (x, y) => (x < 40 ? original.data[y * w + x] : 100 + 80 * noise(x + 97 * y)));
    expect(flatRegionSharpness(noisy, original)).toBeGreaterThan(10);
    expect(laplacianVariance(noisy) / laplacianVariance(original)).toBeLessThan(1.2); // the overall ratio barely moves
    expect(flatRegionSharpness(textured, original)).toBeCloseTo(1, 1);
    expect(laplacianVariance(textured) / laplacianVariance(original)).toBeGreaterThan(3);
    expect(() =>
      flatRegionSharpness(
        plane(8, 8, () => 0),
        plane(8, 8, () => 0),
      ),
    ).toThrow(/smaller than the window/);
  });

  describe('phase pattern (the fixed ×4 sub-pixel lattice)', () => {
    // A 4×4 tile of zero mean, scaled to an RMS of exactly A grey levels.
    const A = 0.7;
    const raw = Array.from({ length: 16 }, (_, i) => noise(i + 500) - 0.5);
    const rawMean = raw.reduce((a, v) => a + v, 0) / 16;
    const rawRms = Math.sqrt(raw.reduce((a, v) => a + (v - rawMean) ** 2, 0) / 16);
    const tile = raw.map((v) => (A * (v - rawMean)) / rawRms);
    const withTile = (f: (x: number, y: number) => number) => (x: number, y: number) => f(x, y) + tile[(y % 4) * 4 + (x % 4)];

    it("a flat image plus a period-4 pattern of RMS A measures A, and gives the pattern back in the image's phases", () => {
      const m = phasePattern(
        plane(
          96,
          80,
          withTile(() => 120),
        ),
        4,
        4,
      );
      expect(m.amplitude).toBeCloseTo(A, 10);
      m.means.forEach((v, i) => expect(v).toBeCloseTo(tile[i], 10));
      // On smooth content (a ramp and a slow wave) the blur keeps the content out of the high-pass.
      const smooth = phasePattern(
        plane(
          96,
          80,
          withTile((x, y) => 60 + 0.8 * x + 0.5 * y + 20 * Math.sin(x / 9 + y / 13)),
        ),
        4,
        4,
      );
      expect(smooth.amplitude).toBeCloseTo(A, 1);
      expect(phasePattern(plane(96, 80, () => 120)).amplitude).toBeCloseTo(0, 12);
    });

    it('non-periodic texture and a period-3 pattern measure about 0', () => {
      // Quasi-periodic texture (incommensurate periods of 2.7, 5.3 and 7.9 px), 40 grey levels strong.
      const texture = (x: number, y: number) =>
        120 + 15 * Math.sin((2 * Math.PI * x) / 2.7 + y) + 15 * Math.sin((2 * Math.PI * (x + 2 * y)) / 5.3) + 10 * Math.cos((2 * Math.PI * y) / 7.9);
      expect(phasePattern(plane(240, 240, texture), 4, 4).amplitude).toBeLessThan(0.05);
      expect(phasePattern(plane(240, 240, withTile(texture)), 4, 4).amplitude).toBeCloseTo(A, 1);
      // White noise of σ 20: its phase means shrink as 1/√(pixels per phase), ≈ 0.14 here.
      const white = phasePattern(
        plane(480, 480, (x, y) => 120 + 20 * Math.sqrt(12) * (noise(x + 977 * y) - 0.5)),
        4,
        4,
      ).amplitude;
      expect(white).toBeLessThan(0.3);
      // A strong period-3 pattern has no period-4 phase: over whole periods of 12 its means cancel.
      const three = [9, -4, -5, 2, 7, -9, -1, 3, -2];
      expect(
        phasePattern(
          plane(244, 244, (x, y) => 120 + three[(y % 3) * 3 + (x % 3)]),
          4,
          0,
        ).amplitude,
      ).toBeLessThan(0.05);
      expect(
        phasePattern(
          plane(244, 244, (x, y) => 120 + three[(y % 3) * 3 + (x % 3)]),
          3,
          0,
        ).amplitude,
      ).toBeGreaterThan(4);
    });

    it('needs at least one period inside the border', () => {
      expect(() =>
        phasePattern(
          plane(12, 12, () => 0),
          4,
          4,
        ),
      ).toThrow(/one period/);
      expect(() =>
        phasePattern(
          plane(12, 12, () => 0),
          1,
        ),
      ).toThrow(/period/);
    });
  });

  it('the border crop removes `scale` pixels from every side', () => {
    const p = cropPlane(
      plane(10, 9, (x, y) => x + 100 * y),
      4,
    );
    expect([p.width, p.height, p.data[0]]).toEqual([2, 1, 404]);
    // A difference only in the border does not count.
    const a = constant(30, 30, 0.5),
      b = constant(30, 30, 0.5);
    b.data[0] = 1;
    expect(compareImages(a, b, 4).psnr_y).toBe(Infinity);
    expect(compareImages(a, b, 0).psnr_y).toBeLessThan(60);
  });
});

describe('evaluate', () => {
  const hr: HostImage = quantize8({
    width: 45,
    height: 38,
    channels: 3,
    name: 'odd',
    data: Float32Array.from({ length: 45 * 38 * 3 }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.37) * noise(i >> 3)),
  });

  it('bicubic numbers match a float64 reference pipeline; a perfect model scores Infinity / 1 / 1', async () => {
    const cropped = modCrop(hr, 4);
    const perfect = async () => cropped;
    const report = await evaluate([hr], perfect);
    expect([report.images, report.scale, report.perImage[0].width, report.perImage[0].height]).toEqual([1, 4, 44, 36]);
    expect(report.model).toEqual({ psnr_y: Infinity, ssim_y: 1, sharpness: 1 });
    // Reference: f64 resize down, 8-bit LR, f64 resize up, 8-bit output.
    const q8 = (d: Float64Array) => Float32Array.from(d, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255);
    const lr = q8(T.refResize(T.ref(toRgbPlanes(cropped), [1, 3, 36, 44]), 9, 11).data);
    const up = q8(T.refResize(T.ref(lr, [1, 3, 9, 11]), 36, 44).data);
    const want = compareImages(fromRgbPlanes(up, 44, 36, 3), cropped, 4);
    expect(report.bicubic.psnr_y).toBeCloseTo(want.psnr_y, 1);
    expect(report.bicubic.ssim_y).toBeCloseTo(want.ssim_y, 3);
    expect(report.bicubic.sharpness).toBeLessThan(0.9);
  });

  it('a model that is bicubic gets the bicubic numbers; a wrong-sized output is an error', async () => {
    const grey: HostImage = { width: 32, height: 28, channels: 1, name: 'grey', data: Float32Array.from({ length: 896 }, (_, i) => noise(i)) };
    const asBicubic = async (lr: HostImage) => {
      const t = E.tidy(() => E.clamp(E.resize(imageToTensor(lr), lr.height * 4, lr.width * 4), 0, 1));
      const out = await tensorToImage(t, 3);
      t.dispose();
      return out;
    };
    const seen: string[] = [];
    const report = await evaluate([hr, grey], asBicubic, { onImage: (r) => seen.push(r.name) });
    expect(seen).toEqual(['odd', 'grey']);
    for (const r of report.perImage) expect(r.model).toEqual(r.bicubic);
    for (const r of report.perImage) expect(r.phasePattern.model).toBe(r.phasePattern.bicubic);
    expect(report.model.psnr_y).toBeCloseTo((report.perImage[0].model.psnr_y + report.perImage[1].model.psnr_y) / 2, 10);
    await expect(evaluate([hr], async (lr) => lr)).rejects.toThrow(/expected 44×36/);
  });
});
