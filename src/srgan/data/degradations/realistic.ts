/**
 * Real-ESRGAN's second-order degradation (Wang et al. 2021, "Real-ESRGAN: training real-world blind
 * super-resolution with pure synthetic data", realesrgan_model.py and its x4plus options): the
 * damage a photo meets on its way to the web (camera blur, resizing, sensor noise, JPEG) applied
 * twice with random settings, then a last resize to exactly the LR size. The ranges below are
 * Real-ESRGAN's own; the differences are listed in docs/training.md (no generalised-Gaussian,
 * plateau or sinc kernels; the blur kernel's side follows σ instead of being drawn).
 */
import type { SeededRng } from '../rng.js';
import { blur, gaussianKernel } from './kernels.js';
import { addGaussianNoise, addPoissonNoise } from './noise.js';
import { jpegCompress } from './jpeg.js';
import { clampPlanes, round8, type Planes } from './planes.js';
import { resizePlanes, type ResizeKernel } from './resize.js';

interface OrderRanges {
  /** σ of the blur, in pixels, for each axis. */
  sigma: [number, number];
  /** Probability of blurring at all (the first order always blurs). */
  blurProb: number;
  /** Probabilities of scaling up, down, or keeping the size, and the scale ranges. */
  resize: { up: number; down: number; upRange: [number, number]; downRange: [number, number] };
  gaussianProb: number;
  /** Gaussian σ in grey levels; Poisson scale. */
  noise: [number, number];
  poissonScale: [number, number];
  greyNoiseProb: number;
  jpegQuality: [number, number];
}

/** Real-ESRGAN's x4plus settings; isotropic 0.45 against anisotropic 0.25 there, renormalised over the two kept here. */
export const REAL_ESRGAN: { isotropicProb: number; first: OrderRanges; second: OrderRanges } = {
  isotropicProb: 0.45 / 0.7,
  first: {
    sigma: [0.2, 3], blurProb: 1, resize: { up: 0.2, down: 0.7, upRange: [1, 1.5], downRange: [0.15, 1] },
    gaussianProb: 0.5, noise: [1, 30], poissonScale: [0.05, 3], greyNoiseProb: 0.4, jpegQuality: [30, 95],
  },
  second: {
    sigma: [0.2, 1.5], blurProb: 0.8, resize: { up: 0.3, down: 0.4, upRange: [1, 1.2], downRange: [0.3, 1] },
    gaussianProb: 0.5, noise: [1, 25], poissonScale: [0.05, 2.5], greyNoiseProb: 0.4, jpegQuality: [30, 95],
  },
};

const KERNELS: ResizeKernel[] = ['area', 'bilinear', 'bicubic'];
const uniform = (rng: SeededRng, [lo, hi]: [number, number]) => lo + (hi - lo) * rng.next();
const pick = <T>(rng: SeededRng, xs: readonly T[]) => xs[rng.int(xs.length)];

function randomBlur(p: Planes, rng: SeededRng, sigma: [number, number]): Planes {
  if (rng.next() < REAL_ESRGAN.isotropicProb) return blur(p, gaussianKernel(uniform(rng, sigma)));
  const sx = uniform(rng, sigma), sy = uniform(rng, sigma), theta = uniform(rng, [-Math.PI, Math.PI]);
  return blur(p, gaussianKernel(sx, sy, theta));
}

/** Scale factor from the order's up/down/keep draw. */
function randomScale(rng: SeededRng, r: OrderRanges['resize']): number {
  const u = rng.next();
  return u < r.up ? uniform(rng, r.upRange) : u < r.up + r.down ? uniform(rng, r.downRange) : 1;
}

/** Resize with a random kernel; area and bicubic/bilinear without antialiasing, as torch's F.interpolate. */
const randomResize = (p: Planes, rng: SeededRng, w: number, h: number) =>
  resizePlanes(p, Math.max(1, w), Math.max(1, h), pick(rng, KERNELS), false);

function randomNoise(p: Planes, rng: SeededRng, r: OrderRanges): Planes {
  const gaussian = rng.next() < r.gaussianProb, grey = rng.next() < r.greyNoiseProb;
  if (gaussian) addGaussianNoise(p, uniform(rng, r.noise), grey, rng);
  else addPoissonNoise(p, uniform(rng, r.poissonScale), grey, rng);
  return clampPlanes(p);
}

const randomJpeg = (p: Planes, rng: SeededRng, r: OrderRanges) => jpegCompress(clampPlanes(p), Math.round(uniform(rng, r.jpegQuality)));

/**
 * The damage of a phone or web photo, milder than Real-ESRGAN's (its ranges are made for old,
 * heavily damaged images, and a small network trained on them learns to blur): one order only,
 * a light camera blur half the time, the antialiased bicubic ÷scale, sensor noise 70% of the time
 * (Gaussian σ 1–8 levels or Poisson 0.05–1, grey half the time) and always a JPEG of quality 60–95.
 */
export const PHONE: { noiseProb: number; order: OrderRanges } = {
  noiseProb: 0.7,
  // One order; no random resize (the ÷scale is the antialiased bicubic).
  order: {
    sigma: [0.2, 1.2], blurProb: 0.5, resize: { up: 0, down: 0, upRange: [1, 1], downRange: [1, 1] },
    gaussianProb: 0.5, noise: [1, 8], poissonScale: [0.05, 1], greyNoiseProb: 0.5, jpegQuality: [60, 95],
  },
};

/** HR planes → LR planes of exactly (width/scale) × (height/scale), 8-bit values, with PHONE's damage. */
export function phoneDegrade(hr: Planes, scale: number, rng: SeededRng): Planes {
  const lrW = Math.floor(hr.width / scale), lrH = Math.floor(hr.height / scale);
  const soft = rng.next() < PHONE.order.blurProb ? blur(hr, gaussianKernel(uniform(rng, PHONE.order.sigma))) : hr;
  let p = resizePlanes(soft, lrW, lrH, 'bicubic', true);
  if (rng.next() < PHONE.noiseProb) p = randomNoise(p, rng, PHONE.order);
  return round8(randomJpeg(p, rng, PHONE.order));
}

/** HR planes → LR planes of exactly (width/scale) × (height/scale), 8-bit values. */
export function realisticDegrade(hr: Planes, scale: number, rng: SeededRng): Planes {
  const lrW = Math.floor(hr.width / scale), lrH = Math.floor(hr.height / scale);
  const { first, second } = REAL_ESRGAN;
  let p = randomBlur(hr, rng, first.sigma);
  const s1 = randomScale(rng, first.resize);
  p = randomResize(p, rng, Math.round(hr.width * s1), Math.round(hr.height * s1));
  p = randomJpeg(randomNoise(p, rng, first), rng, first);

  if (rng.next() < second.blurProb) p = randomBlur(p, rng, second.sigma);
  // The second resize is relative to the LR size, as in Real-ESRGAN.
  const s2 = randomScale(rng, second.resize);
  p = randomResize(p, rng, Math.round(lrW * s2), Math.round(lrH * s2));
  p = randomNoise(p, rng, second);
  // The last JPEG and the resize to the LR size, in either order.
  if (rng.next() < 0.5) p = randomJpeg(randomResize(p, rng, lrW, lrH), rng, second);
  else p = randomResize(randomJpeg(p, rng, second), rng, lrW, lrH);
  return round8(p);
}
