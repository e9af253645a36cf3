/**
 * Sensor noise of Real-ESRGAN's degradation model (BasicSR's degradations.py): additive Gaussian
 * noise of σ grey levels, and Poisson (shot) noise whose variance grows with the brightness, each
 * either in colour (independent per channel) or grey (one draw shared by the three channels, as
 * luminance noise). Values are not clamped here; the pipeline clamps after each noise step.
 */
import type { SeededRng } from '../rng.js';
import { luma, type Planes } from './planes.js';

/** A standard normal draw (Box–Muller; one of the pair is used, so the draw count per value is fixed). */
export function normal(rng: SeededRng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) never happens
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7; 1e-13 relative), for the Poisson sampler's acceptance test. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * A Poisson(λ) draw: Knuth's product of uniforms for small λ, Hörmann's transformed rejection (PTRS,
 * 1993, as numpy uses) from λ = 10, where the product would need λ draws.
 */
export function poisson(lambda: number, rng: SeededRng): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0, prod = rng.next();
    while (prod > limit) { k++; prod *= rng.next(); }
    return k;
  }
  const slam = Math.sqrt(lambda), loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b, invAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5, v = rng.next(), us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) return k;
  }
}

/** Add N(0, σ²) noise in place; σ in grey levels of 255. `grey`: one draw per pixel, shared by R, G and B. */
export function addGaussianNoise(p: Planes, sigma255: number, grey: boolean, rng: SeededRng): Planes {
  const n = p.width * p.height, s = sigma255 / 255, d = p.data;
  if (grey) for (let i = 0; i < n; i++) { const e = s * normal(rng); d[i] += e; d[n + i] += e; d[2 * n + i] += e; }
  else for (let i = 0; i < 3 * n; i++) d[i] += s * normal(rng);
  return p;
}

/** Distinct 8-bit levels among the values (Real-ESRGAN sizes its Poisson counts by them). */
function levels(values: Float32Array): number {
  const seen = new Uint8Array(256);
  let count = 0;
  for (const v of values) {
    const q = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    if (!seen[q]) { seen[q] = 1; count++; }
  }
  return count;
}

/**
 * Add Poisson noise in place, as Real-ESRGAN's `generate_poisson_noise`: the 8-bit image is read
 * as photon counts v·L, with L the distinct levels rounded up to a power of two (256 for most
 * photos), and the noise is (Poisson(v·L)/L − v)·scale: its standard deviation is scale·√(v/L), so
 * bright areas get more noise than dark ones, as on a sensor. `grey`: from the luma, shared by R, G, B.
 */
export function addPoissonNoise(p: Planes, scale: number, grey: boolean, rng: SeededRng): Planes {
  const n = p.width * p.height, d = p.data;
  const source = grey ? luma(p) : p.data;
  const q = (v: number) => Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255) / 255;
  const counts = 2 ** Math.ceil(Math.log2(Math.max(1, levels(source))));
  const noiseAt = (v: number) => (poisson(q(v) * counts, rng) / counts - q(v)) * scale;
  if (grey) for (let i = 0; i < n; i++) { const e = noiseAt(source[i]); d[i] += e; d[n + i] += e; d[2 * n + i] += e; }
  else for (let i = 0; i < 3 * n; i++) d[i] += noiseAt(d[i]);
  return p;
}
