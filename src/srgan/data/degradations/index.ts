/** The degradation pipeline's public face: parse a spec, degrade planes (training) or whole images (evaluation). */
import type { HostImage } from '../../image/types.js';
import { SeededRng } from '../rng.js';
import { hostImageOf, planesOf } from './planes.js';
import { degradePlanes, parseDegradeSpec } from './spec.js';

export { DEGRADE_GRAMMAR, DegradeSpecError, degradePlanes, isPlainBicubic, parseDegradeSpec, type DegradeSpec } from './spec.js';
export type { Planes } from './planes.js';

/** Evaluation sets are degraded with these seeds (image i: EVAL_SEED + i), so a spec gives the same LR set every run. */
export const EVAL_SEED = 20_240_601;

/**
 * An LR maker for held-out images: image i degraded by `spec` with its own seeded generator,
 * independent of the order the images are evaluated in. RGB out (grey images become RGB, as makeLr's do).
 */
export function degradedLowRes(specText: string, scale: number): (hr: HostImage, index: number) => HostImage {
  const spec = parseDegradeSpec(specText);
  return (hr, index) => hostImageOf(degradePlanes(spec, planesOf(hr), scale, new SeededRng(EVAL_SEED + index)), hr.name);
}
