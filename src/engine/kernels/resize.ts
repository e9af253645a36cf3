/**
 * Separable resampling along one axis. The input is read as [outer, inLen, inner] and the output
 * written as [outer, outLen, inner]; one thread per output element computes its own filter taps,
 * so no weight table has to be uploaded.
 *
 * Geometry (half-pixel centres): output sample o sits at source coordinate (o + 0.5)·scale, with
 * scale = inLen / outLen, and source pixel k at k + 0.5. The tap weight is K((k + 0.5 − centre) / fs)
 * where fs is 1, or the scale itself when antialiasing a downscale (the kernel is stretched to
 * cover every source pixel, as PIL and Matlab's imresize do). Taps outside the image are dropped and
 * the remaining weights renormalised to sum to 1, as PIL does, so results match PIL's resize.
 */
import { gridBuiltins, linearIndex } from './common.js';
import type { KernelSource } from './bindings.js';

export type ResizeMethod = 'bicubic' | 'bilinear';

// Keys' cubic convolution with a = −0.5 (Catmull–Rom), and the triangle filter.
const kernels: Record<ResizeMethod, string> = {
  bicubic: `fn filterAt(t: f32) -> f32 {
  let x = abs(t);
  if (x < 1.0) { return (1.5 * x - 2.5) * x * x + 1.0; }
  if (x < 2.0) { return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0; }
  return 0.0;
}`,
  bilinear: `fn filterAt(t: f32) -> f32 { return max(0.0, 1.0 - abs(t)); }`,
};

export function resizeAxisKernel(method: ResizeMethod, wg: number): KernelSource {
  return {
    inputs: ['X'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `
struct P { n: u32, inLen: u32, outLen: u32, inner: u32, scale: f32, support: f32, invFilterScale: f32, _pad: u32 }
${kernels[method]}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let b = i % u.inner;
  let t = i / u.inner;
  let o = t % u.outLen;
  let base = (t / u.outLen) * u.inLen * u.inner + b;
  let centre = (f32(o) + 0.5) * u.scale;
  // Taps whose centres k + 0.5 lie within the support; end points carry zero weight.
  let first = max(i32(floor(centre - u.support - 0.5)), 0);
  let last = min(i32(ceil(centre + u.support - 0.5)), i32(u.inLen) - 1);
  var acc = 0.0;
  var total = 0.0;
  for (var k = first; k <= last; k++) {
    let wgt = filterAt((f32(k) + 0.5 - centre) * u.invFilterScale);
    acc += wgt * X[base + u32(k) * u.inner];
    total += wgt;
  }
  Y[i] = acc / total;
}`,
  };
}
