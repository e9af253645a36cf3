/**
 * Input gradient (dgrad) kernels:
 *   dX[n,c,iy,ix] = Σ_{o,ky,kx} W[o,c,ky,kx] · dY[n,o, (iy+pt−ky)/s, (ix+pl−kx)/s]
 * over the taps where both divisions are exact and land inside dY.
 *
 * On CPU adapters this is the register-tiled direct kernel of conv2d-forward.ts run over dY with
 * the kernel read rotated 180° with its channel axes swapped: a stride-1 convolution with padding
 * k−1−p, or for stride s one such convolution per output phase (see dgradRegisters in ops).
 * On GPUs it is the implicit GEMM below, which gathers dY directly (no rotated copy of W).
 */
import { gemmConvWGSL } from './conv2d.js';

/** A = W viewed as [C, O·kh·kw] (read across OIHW), B = [O·kh·kw, N·H·W] gathered from dY. */
export function dgradGemmWGSL(): string {
  return gemmConvWGSL({
    bindings: `
@group(0) @binding(0) var<storage, read> DY: array<f32>;
@group(0) @binding(1) var<storage, read> Wt: array<f32>;
@group(0) @binding(2) var<storage, read_write> DX: array<f32>;
@group(0) @binding(3) var<uniform> u: GP;`,
    loadA: `
  let taps = u.kh * u.kw;
  return Wt[min((k / taps * u.C + m) * taps + k % taps, arrayLength(&Wt) - 1u)];`,
    loadB: `
  let taps = u.kh * u.kw;
  let t = k % taps;
  let hw = u.H * u.W;
  let pix = n % hw;
  // Output pixel (ty, tx)/s fed input pixel (iy, ix) through tap (ky, kx) iff s divides both.
  // (Unsigned division only: SwiftShader takes minutes to compile this shader with signed i32 / and %.)
  let ty = i32(pix / u.W) + u.pt - i32(t / u.kw);
  let tx = i32(pix % u.W) + u.pl - i32(t % u.kw);
  let tyu = u32(max(ty, 0));
  let txu = u32(max(tx, 0));
  let oy = tyu / u.stride;
  let ox = txu / u.stride;
  let ok = (ty >= 0) & (tx >= 0) & (tyu % u.stride == 0u) & (txu % u.stride == 0u) & (oy < u.OH) & (ox < u.OW);
  let at = ((n / hw * u.O + k / taps) * u.OH + oy) * u.OW + ox;
  return select(0.0, DY[min(at, arrayLength(&DY) - 1u)], ok);`,
    store: 'let hw = u.H * u.W; DX[(n / hw * u.C + m) * hw + n % hw] = v;',
    bKFast: false,
  });
}
