/**
 * The one place image quality is measured, in float64 on the host, with the protocol of the SRGAN
 * paper and BasicSR: PSNR and SSIM on the luma (Y) channel of BT.601 (MATLAB's rgb2ycbcr: Y in
 * [16, 235] for RGB in [0, 1], peak 255), after cropping `scale` pixels from every border (the
 * rows a ×scale model cannot see past). SSIM uses an 11×11 Gaussian window (σ 1.5) over the valid
 * region only, C1 = (0.01·255)², C2 = (0.03·255)².
 * Sharpness is the variance of the Laplacian of Y of the output over that of the original:
 * 1.0 is as sharp, bicubic is well below 1, and a GAN can go above 1 (invented texture).
 * The phase pattern is the amplitude of a fixed ×scale sub-pixel lattice, in grey levels of Y.
 */
import * as E from '../engine/index.js';
import { bicubicUpscale, makeLr } from './data/degrade.js';
import { imageToTensor, tensorToImage } from './image/tensor.js';
import { clampUnit, ImageShapeError, quantize8, toRgbPlanes, type HostImage } from './image/types.js';

export interface MetricSet {
  psnr_y: number;
  ssim_y: number;
  sharpness: number;
}

/** A single-channel float64 image. */
export interface Plane {
  data: Float64Array;
  width: number;
  height: number;
}

/** BT.601 luma in [0, 255] (16 + 65.481 R + 128.553 G + 24.966 B, RGB in [0, 1]); grey counts as R = G = B. */
export function lumaY(img: HostImage): Plane {
  const rgb = toRgbPlanes(img),
    n = img.width * img.height;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = 16 + 65.481 * rgb[i] + 128.553 * rgb[n + i] + 24.966 * rgb[2 * n + i];
  return { data, width: img.width, height: img.height };
}

/** Drop `border` pixels on every side. */
export function cropPlane(p: Plane, border: number): Plane {
  const width = p.width - 2 * border,
    height = p.height - 2 * border;
  if (width < 1 || height < 1) throw new ImageShapeError(`cannot crop ${border} px from every side of ${p.width}×${p.height}`);
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) data.set(p.data.subarray((y + border) * p.width + border, (y + border) * p.width + border + width), y * width);
  return { data, width, height };
}

function sameSize(a: Plane, b: Plane, what: string): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new ImageShapeError(`${what}: images differ in size (${a.width}×${a.height} and ${b.width}×${b.height})`);
}

/** PSNR in dB for values with the given peak; Infinity for identical planes. */
export function psnr(a: Plane, b: Plane, peak = 255): number {
  sameSize(a, b, 'psnr');
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i] - b.data[i]) ** 2;
  const mse = se / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse);
}

const GAUSS_RADIUS = 5;
const gaussian = (() => {
  const w = Array.from({ length: 2 * GAUSS_RADIUS + 1 }, (_, i) => Math.exp(-((i - GAUSS_RADIUS) ** 2) / (2 * 1.5 * 1.5)));
  const s = w.reduce((p, v) => p + v, 0);
  return w.map((v) => v / s);
})();

/** Separable 11×11 Gaussian filter, 'valid' region only (no padding), as BasicSR crops it. */
function gaussValid(p: Plane): Plane {
  const r = GAUSS_RADIUS,
    ow = p.width - 2 * r,
    oh = p.height - 2 * r;
  const rows = new Float64Array(ow * p.height);
  for (let y = 0; y < p.height; y++)
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let k = 0; k <= 2 * r; k++) acc += gaussian[k] * p.data[y * p.width + x + k];
      rows[y * ow + x] = acc;
    }
  const data = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let k = 0; k <= 2 * r; k++) acc += gaussian[k] * rows[(y + k) * ow + x];
      data[y * ow + x] = acc;
    }
  return { data, width: ow, height: oh };
}

const mapPlanes = (a: Plane, b: Plane, f: (x: number, y: number) => number): Plane => ({
  data: a.data.map((v, i) => f(v, b.data[i])),
  width: a.width,
  height: a.height,
});

/** Mean SSIM of two planes with values in [0, 255]; both must be at least 11×11. */
export function ssim(a: Plane, b: Plane): number {
  sameSize(a, b, 'ssim');
  if (a.width < 2 * GAUSS_RADIUS + 1 || a.height < 2 * GAUSS_RADIUS + 1)
    throw new ImageShapeError(`ssim: ${a.width}×${a.height} is smaller than the 11×11 window`);
  const C1 = (0.01 * 255) ** 2,
    C2 = (0.03 * 255) ** 2;
  const mu1 = gaussValid(a),
    mu2 = gaussValid(b);
  const s11 = gaussValid(mapPlanes(a, a, (x, y) => x * y));
  const s22 = gaussValid(mapPlanes(b, b, (x, y) => x * y));
  const s12 = gaussValid(mapPlanes(a, b, (x, y) => x * y));
  let total = 0;
  for (let i = 0; i < mu1.data.length; i++) {
    const m1 = mu1.data[i],
      m2 = mu2.data[i];
    const v1 = s11.data[i] - m1 * m1,
      v2 = s22.data[i] - m2 * m2,
      cov = s12.data[i] - m1 * m2;
    total += ((2 * m1 * m2 + C1) * (2 * cov + C2)) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
  }
  return total / mu1.data.length;
}

/** The 4-neighbour Laplacian at every interior pixel (0 on the one-pixel frame). */
function laplacian(p: Plane): Float64Array {
  const { width: w, height: h, data } = p,
    out = new Float64Array(w * h);
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      out[i] = data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i];
    }
  return out;
}

/** Population variance of the 4-neighbour Laplacian over the interior pixels. */
export function laplacianVariance(p: Plane): number {
  const { width: w, height: h } = p;
  if (w < 3 || h < 3) throw new ImageShapeError(`laplacianVariance: ${w}×${h} has no interior pixel`);
  const l = laplacian(p);
  let n = 0,
    s = 0,
    s2 = 0;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const v = l[y * w + x];
      n++;
      s += v;
      s2 += v * v;
    }
  const mean = s / n;
  return Math.max(0, s2 / n - mean * mean);
}

const FLAT_WINDOW = 7;

/**
 * The sharpness ratio on the original's flat half: the interior pixels whose mean |Laplacian| over
 * a 7×7 window of the original is at or below the median. Real texture sits where the original
 * has detail, so a model that adds texture keeps this ratio near or below its overall sharpness;
 * one that adds noise (or a fixed pattern) raises it far more, since flat regions have almost no
 * Laplacian energy of their own. It tells texture from noise, which the overall ratio cannot.
 */
export function flatRegionSharpness(output: Plane, original: Plane): number {
  const { width: w, height: h } = original;
  if (output.width !== w || output.height !== h) throw new ImageShapeError(`flatRegionSharpness: ${output.width}×${output.height} vs ${w}×${h}`);
  if (w < FLAT_WINDOW + 2 || h < FLAT_WINDOW + 2) throw new ImageShapeError(`flatRegionSharpness: ${w}×${h} is smaller than the window`);
  const lo = laplacian(output),
    lr = laplacian(original);
  // Integral image of |Laplacian| of the original, for the window means.
  const integral = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      integral[(y + 1) * (w + 1) + x + 1] =
        Math.abs(lr[y * w + x]) + integral[y * (w + 1) + x + 1] + integral[(y + 1) * (w + 1) + x] - integral[y * (w + 1) + x];
  const r = FLAT_WINDOW >> 1,
    activity: number[] = [],
    index: number[] = [];
  for (let y = 1 + r; y < h - 1 - r; y++)
    for (let x = 1 + r; x < w - 1 - r; x++) {
      const [x0, y0, x1, y1] = [x - r, y - r, x + r + 1, y + r + 1];
      activity.push(integral[y1 * (w + 1) + x1] - integral[y0 * (w + 1) + x1] - integral[y1 * (w + 1) + x0] + integral[y0 * (w + 1) + x0]);
      index.push(y * w + x);
    }
  const median = [...activity].sort((a, b) => a - b)[activity.length >> 1];
  const variance = (l: Float64Array) => {
    let n = 0,
      s = 0,
      s2 = 0;
    activity.forEach((a, k) => {
      if (a <= median) {
        const v = l[index[k]];
        n++;
        s += v;
        s2 += v * v;
      }
    });
    return Math.max(0, s2 / n - (s / n) ** 2);
  };
  const vo = variance(lo),
    vr = variance(lr);
  return vr === 0 ? (vo === 0 ? 1 : Infinity) : vo / vr;
}

/**
 * The fixed sub-pixel pattern of a ×`period` upscale, in grey levels of Y: the image minus a local
 * blur, averaged over each of the period² phases (y mod period, x mod period, counted from the
 * image's origin, so the phases are the model's sub-pixel positions), and the RMS of those
 * period² means about their mean. A sub-pixel conv whose r² outputs differ in gain or bias
 * stamps the same offsets on every r×r block, which this isolates; real texture and noise
 * have no preferred phase and average out. The blur is a centred box one period wide (ends
 * at half weight, [1, 2, 2, 2, 1]/8 for 4), which removes a zero-mean period-r pattern entirely
 * and keeps smooth content, so the high-pass holds the whole pattern and little else. Pixels
 * within `border` of an edge (the metrics' crop) and the blur's own margin are left out.
 */
export function phasePattern(p: Plane, period = 4, border = 0): { amplitude: number; means: Float64Array } {
  if (!Number.isInteger(period) || period < 2) throw new RangeError(`phasePattern: period must be an integer ≥ 2, got ${period}`);
  const r = period >> 1,
    taps = boxTaps(period),
    { width: w, height: h, data } = p;
  const [x0, y0, x1, y1] = [border + r, border + r, w - border - r, h - border - r];
  if (x1 - x0 < period || y1 - y0 < period) throw new ImageShapeError(`phasePattern: ${w}×${h} leaves less than one period inside the border`);
  const rows = new Float64Array(w * h); // the horizontal blur, where the vertical one will read it
  for (let y = y0 - r; y < y1 + r; y++)
    for (let x = x0; x < x1; x++) {
      let acc = 0;
      for (let k = -r; k <= r; k++) acc += taps[k + r] * data[y * w + x + k];
      rows[y * w + x] = acc;
    }
  const sums = new Float64Array(period * period),
    counts = new Float64Array(period * period);
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      let blur = 0;
      for (let k = -r; k <= r; k++) blur += taps[k + r] * rows[(y + k) * w + x];
      const phase = (y % period) * period + (x % period);
      sums[phase] += data[y * w + x] - blur;
      counts[phase]++;
    }
  const means = sums.map((s, i) => s / counts[i]);
  const centre = means.reduce((a, v) => a + v, 0) / means.length;
  const amplitude = Math.sqrt(means.reduce((a, v) => a + (v - centre) ** 2, 0) / means.length);
  return { amplitude, means: means.map((v) => v - centre) };
}

/** A box one period wide, centred: odd periods have whole taps, even ones half taps at both ends. */
function boxTaps(period: number): Float64Array {
  const r = period >> 1,
    taps = new Float64Array(2 * r + 1).fill(1 / period);
  if (period % 2 === 0) taps[0] = taps[2 * r] = 1 / (2 * period);
  return taps;
}

/** phasePattern's amplitude of bicubic, the model and the original, at the model's scale and border. */
function phaseOf(bicubic: HostImage, model: HostImage, hr: HostImage, scale: number): PhaseAmplitudes {
  const of = (img: HostImage) => phasePattern(lumaY(img), scale, scale).amplitude;
  return { bicubic: of(bicubic), model: of(model), original: of(hr) };
}

/** flatRegionSharpness of bicubic and the model against the HR, with the metrics' border crop. */
function flatOf(bicubic: HostImage, model: HostImage, hr: HostImage, border: number): { bicubic: number; model: number } {
  const r = cropPlane(lumaY(hr), border);
  return { bicubic: flatRegionSharpness(cropPlane(lumaY(bicubic), border), r), model: flatRegionSharpness(cropPlane(lumaY(model), border), r) };
}

/** PSNR-Y, SSIM-Y and the sharpness ratio of `output` against `original`, with a `border`-pixel crop. */
export function compareImages(output: HostImage, original: HostImage, border = 4): MetricSet {
  const o = cropPlane(lumaY(output), border),
    r = cropPlane(lumaY(original), border);
  const vo = laplacianVariance(o),
    vr = laplacianVariance(r);
  return { psnr_y: psnr(o, r), ssim_y: ssim(o, r), sharpness: vr === 0 ? (vo === 0 ? 1 : Infinity) : vo / vr };
}

export const meanMetrics = (sets: MetricSet[]): MetricSet => ({
  psnr_y: sets.reduce((p, m) => p + m.psnr_y, 0) / sets.length,
  ssim_y: sets.reduce((p, m) => p + m.ssim_y, 0) / sets.length,
  sharpness: sets.reduce((p, m) => p + m.sharpness, 0) / sets.length,
});

export interface EvalImageResult {
  name: string;
  /** The HR size used (cropped to a multiple of the scale). */
  width: number;
  height: number;
  bicubic: MetricSet;
  model: MetricSet;
  /** flatRegionSharpness of each, on the same cropped Y planes. */
  flatSharpness: { bicubic: number; model: number };
  /** phasePattern's amplitude (grey levels of Y) of each; the original's is the floor a photo has by itself. */
  phasePattern: PhaseAmplitudes;
}

export interface PhaseAmplitudes {
  bicubic: number;
  model: number;
  original: number;
}

export interface EvalReport {
  images: number;
  scale: number;
  perImage: EvalImageResult[];
  bicubic: MetricSet;
  model: MetricSet;
  /** Mean flat-region sharpness (texture vs noise). */
  flatSharpness: { bicubic: number; model: number };
  /** Mean amplitude of the fixed sub-pixel pattern (a lattice, not texture). */
  phasePattern: PhaseAmplitudes;
}

/** Crop the bottom/right so both sides are multiples of `scale` (as BasicSR's mod crop does). */
export function modCrop(img: HostImage, scale: number): HostImage {
  const width = img.width - (img.width % scale),
    height = img.height - (img.height % scale);
  if (width === img.width && height === img.height) return img;
  if (!width || !height) throw new ImageShapeError(`${img.name ?? 'image'} (${img.width}×${img.height}) is smaller than the scale ${scale}`);
  const ch = img.channels,
    data = new Float32Array(width * height * ch);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(y * img.width * ch, (y * img.width + width) * ch), y * width * ch);
  return { ...img, width, height, data };
}

/** Run a tensor function under tidy and read its [1, 3, H, W] result back as a clamped RGB image. */
async function onGpu(img: HostImage, f: (x: E.Tensor) => E.Tensor): Promise<HostImage> {
  const out = E.tidy(() => f(imageToTensor(img)));
  try {
    const res = await tensorToImage(out, 3);
    clampUnit(res.data);
    return res;
  } finally {
    out.dispose();
  }
}

/** Makes image i's LR instead of the training bicubic (srgan eval --degrade: a degraded held-out set). */
export type LowResMaker = (hr: HostImage, index: number) => HostImage | Promise<HostImage>;

/**
 * For each HR image: crop to a multiple of `scale`, make the LR with the training bicubic (then
 * round it to 8 bits, as an LR image file would be), upscale it by bicubic and by `upscale`
 * (which returns [0, 1] pixels), round both to 8 bits (as saved outputs are), and measure them
 * against the HR. Alpha is ignored; grey images are measured as grey.
 */
export async function evaluate(
  images: readonly HostImage[],
  upscale: (lr: HostImage) => Promise<HostImage>,
  opts: { scale?: number; onImage?: (result: EvalImageResult, index: number) => void; lowRes?: LowResMaker } = {},
): Promise<EvalReport> {
  const scale = opts.scale ?? 4;
  if (!images.length) throw new ImageShapeError('evaluate: no images');
  const perImage: EvalImageResult[] = [];
  for (const [i, original] of images.entries()) {
    const hr = modCrop(original, scale);
    const lr = opts.lowRes ? await opts.lowRes(hr, i) : quantize8(await onGpu(hr, (x) => makeLr(x, scale)));
    const bicubic = quantize8(await onGpu(lr, (x) => bicubicUpscale(x, scale)));
    const sr = await upscale(lr);
    if (sr.width !== hr.width || sr.height !== hr.height)
      throw new ImageShapeError(
        `evaluate: the model gave ${sr.width}×${sr.height} for an LR of ${lr.width}×${lr.height} (expected ${hr.width}×${hr.height})`,
      );
    const model = quantize8({ ...sr, data: clampUnit(Float32Array.from(sr.data)) });
    const result = {
      name: original.name ?? `image ${i}`,
      width: hr.width,
      height: hr.height,
      bicubic: compareImages(bicubic, hr, scale),
      model: compareImages(model, hr, scale),
      flatSharpness: flatOf(bicubic, model, hr, scale),
      phasePattern: phaseOf(bicubic, model, hr, scale),
    };
    perImage.push(result);
    opts.onImage?.(result, i);
  }
  return {
    images: perImage.length,
    scale,
    perImage,
    bicubic: meanMetrics(perImage.map((r) => r.bicubic)),
    model: meanMetrics(perImage.map((r) => r.model)),
    flatSharpness: {
      bicubic: perImage.reduce((p, r) => p + r.flatSharpness.bicubic, 0) / perImage.length,
      model: perImage.reduce((p, r) => p + r.flatSharpness.model, 0) / perImage.length,
    },
    phasePattern: {
      bicubic: perImage.reduce((p, r) => p + r.phasePattern.bicubic, 0) / perImage.length,
      model: perImage.reduce((p, r) => p + r.phasePattern.model, 0) / perImage.length,
      original: perImage.reduce((p, r) => p + r.phasePattern.original, 0) / perImage.length,
    },
  };
}
