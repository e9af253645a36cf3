/**
 * How the LR is made from the HR, as one short string (the `--degrade` option of `srgan train` and
 * `srgan eval`, and the config's `degrade` field):
 *
 *   bicubic          the project's default: antialiased bicubic ÷scale (makeLr), nothing else
 *   realistic        Real-ESRGAN's random second-order degradation (realistic.ts), new settings per crop
 *   phone            a milder random first order: light blur, bicubic, sensor noise, JPEG 60–95 (realistic.ts)
 *   STEP[+STEP…]     a fixed chain: blurS first (on the HR), then the ÷scale bicubic, then the LR steps in order
 *     blurS          Gaussian blur of σ = S HR pixels (the camera's softness)
 *     noiseN         Gaussian noise of σ = N grey levels (of 255), independent per channel
 *     greynoiseN     the same, one draw per pixel shared by R, G and B (luminance noise)
 *     poissonS       Poisson (shot) noise at Real-ESRGAN's scale S (about S·√(v/256) at brightness v)
 *     jpegQ          JPEG at quality Q (1–100, libjpeg's scale, 4:2:0)
 *
 * e.g. `jpeg75`, `noise5+jpeg75`, `blur1+greynoise3+jpeg60`. The LR ends as 8-bit values, like a file.
 */
import type { SeededRng } from '../rng.js';
import { blur, gaussianKernel } from './kernels.js';
import { addGaussianNoise, addPoissonNoise } from './noise.js';
import { jpegCompress } from './jpeg.js';
import { clampPlanes, round8, type Planes } from './planes.js';
import { phoneDegrade, realisticDegrade } from './realistic.js';
import { resizePlanes } from './resize.js';
import { ConfigError } from '../../errors.js';

export type LrStep =
  | { op: 'noise'; sigma: number; grey: boolean }
  | { op: 'poisson'; scale: number }
  | { op: 'jpeg'; quality: number };

export type DegradeSpec =
  | { kind: 'realistic' }
  | { kind: 'phone' }
  /** `bicubic` is the chain with no blur and no steps. */
  | { kind: 'chain'; blurSigma: number; steps: LrStep[] };

export const DEGRADE_GRAMMAR = 'bicubic | realistic | phone | STEP[+STEP…] with STEP one of blurS (first), noiseN, greynoiseN, poissonS, jpegQ (e.g. noise5+jpeg75)';

export class DegradeSpecError extends ConfigError {
  override name = 'DegradeSpecError';
}

const STEP = /^(blur|noise|greynoise|poisson|jpeg)(\d+(?:\.\d+)?)$/;

export function parseDegradeSpec(text: string): DegradeSpec {
  const bad = (why: string): never => { throw new DegradeSpecError(`degradation "${text}": ${why}; expected ${DEGRADE_GRAMMAR}`); };
  const s = text.trim().toLowerCase();
  if (s === 'realistic') return { kind: 'realistic' };
  if (s === 'phone') return { kind: 'phone' };
  if (s === 'bicubic') return { kind: 'chain', blurSigma: 0, steps: [] };
  let blurSigma = 0;
  const steps: LrStep[] = [];
  for (const [i, token] of s.split('+').entries()) {
    const m = STEP.exec(token) ?? bad(`"${token}" is not a step`);
    const [, op, num] = m, v = Number(num);
    if (op === 'blur') {
      if (i !== 0) bad('blur acts on the HR, before the downscale: put it first');
      if (!(v > 0 && v <= 10)) bad(`blur σ must be in (0, 10] HR pixels, got ${v}`);
      blurSigma = v;
    } else if (op === 'noise' || op === 'greynoise') {
      if (!(v <= 100)) bad(`noise σ must be at most 100 grey levels, got ${v}`);
      steps.push({ op: 'noise', sigma: v, grey: op === 'greynoise' });
    } else if (op === 'poisson') {
      if (!(v <= 10)) bad(`Poisson scale must be at most 10, got ${v}`);
      steps.push({ op: 'poisson', scale: v });
    } else {
      if (!Number.isInteger(v) || v < 1 || v > 100) bad(`JPEG quality must be an integer from 1 to 100, got ${v}`);
      steps.push({ op: 'jpeg', quality: v });
    }
  }
  return { kind: 'chain', blurSigma, steps };
}

/** True for the plain bicubic LR, which training makes on the GPU (makeLr) rather than here. */
export const isPlainBicubic = (spec: DegradeSpec) => spec.kind === 'chain' && spec.blurSigma === 0 && spec.steps.length === 0;

/**
 * HR planes → LR planes of (width/scale) × (height/scale), 8-bit values. `rng` drives the random
 * settings (realistic) and the noise; the same rng state gives the same LR.
 */
export function degradePlanes(spec: DegradeSpec, hr: Planes, scale: number, rng: SeededRng): Planes {
  if (spec.kind === 'realistic') return realisticDegrade(hr, scale, rng);
  if (spec.kind === 'phone') return phoneDegrade(hr, scale, rng);
  const lrW = Math.floor(hr.width / scale), lrH = Math.floor(hr.height / scale);
  const soft = spec.blurSigma > 0 ? blur(hr, gaussianKernel(spec.blurSigma)) : hr;
  let p = resizePlanes(soft, lrW, lrH, 'bicubic', true);
  for (const step of spec.steps) {
    if (step.op === 'noise') p = clampPlanes(addGaussianNoise(p, step.sigma, step.grey, rng));
    else if (step.op === 'poisson') p = clampPlanes(addPoissonNoise(p, step.scale, false, rng));
    else p = jpegCompress(p, step.quality);
  }
  return round8(p);
}
