/**
 * Input gradient (dgrad) kernels:
 *   dX[n,c,iy,ix] = Σ_{o,ky,kx} W[o,c,ky,kx] · dY[n,o, (iy+pt−ky)/s, (ix+pl−kx)/s]
 * over the taps where both divisions are exact and land inside dY.
 *
 * On CPU adapters this is the register-tiled direct kernel of conv2d-forward.ts run over dY with
 * the kernel read rotated 180° with its channel axes swapped: a stride-1 convolution with padding
 * k−1−p, or for stride s one such convolution per output phase (see dgradRegisters in ops).
 * On GPUs it is the implicit GEMM below, which gathers dY directly (no rotated copy of W), one
 * dispatch per phase as well.
 */
import { gemmConvKernel } from './conv2d.js';
import type { KernelSource } from './bindings.js';

/**
 * One phase (py, px) of the input gradient: the input pixels iy = py + s·i, ix = px + s·j, which only
 * receive the taps ky = ry + s·a (a < mh), kx = rx + s·b (b < mw), and for those taps
 * (iy + pt − ky) / s is exact. So no tap is wasted on the zeros a strided dY would hold.
 * A = W[o, c, ky, kx] viewed as [C, O·mh·mw]; B = [O·mh·mw, N·Hp·Wp] gathered from dY.
 */
export function dgradGemmKernel(): KernelSource {
  return gemmConvKernel({
    inputs: ['DY', 'Wt'],
    outputs: ['DX'],
    extra: `
// Tap index k of this phase → (o, ky, kx) of the forward kernel.
fn tapOf(k: u32) -> vec3<u32> {
  let taps = u.mh * u.mw;
  let t = k % taps;
  return vec3<u32>(k / taps, u.ry + u.stride * (t / u.mw), u.rx + u.stride * (t % u.mw));
}
// Phase pixel n → (image, iy, ix) of dX.
fn pixelOf(n: u32) -> vec3<u32> {
  let hw = u.Hp * u.Wp;
  let p = n % hw;
  return vec3<u32>(n / hw, u.py + u.stride * (p / u.Wp), u.px + u.stride * (p % u.Wp));
}`,
    loadA: `
  let t = tapOf(k);
  return Wt[min(((t.x * u.C + m) * u.kh + t.y) * u.kw + t.z, arrayLength(&Wt) - 1u)];`,
    loadB: `
  let t = tapOf(k);
  let p = pixelOf(n);
  // Exact by construction: iy ≡ py and ky ≡ py + pt (mod s). Only the range needs checking.
  // (Unsigned division only: SwiftShader takes minutes to compile this shader with signed i32 / and %.)
  let ty = i32(p.y) + u.pt - i32(t.y);
  let tx = i32(p.z) + u.pl - i32(t.z);
  let oy = u32(max(ty, 0)) / u.stride;
  let ox = u32(max(tx, 0)) / u.stride;
  let ok = (ty >= 0) & (tx >= 0) & (oy < u.OH) & (ox < u.OW);
  let at = ((p.x * u.O + t.x) * u.OH + oy) * u.OW + ox;
  return select(0.0, DY[min(at, arrayLength(&DY) - 1u)], ok);`,
    store: 'let p = pixelOf(n); DX[((p.x * u.C + m) * u.H + p.y) * u.W + p.z] = v;',
    bKFast: false,
  });
}
