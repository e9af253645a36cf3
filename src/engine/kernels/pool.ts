/**
 * Max pooling over NCHW, no padding, floor mode (PyTorch's defaults). Both kernels are gathers, so
 * no two invocations write the same address and no atomics are needed:
 *   forward   one invocation per output: the max of its k×k window.
 *   backward  one invocation per input pixel: for every window that covers it, re-find that
 *             window's argmax and collect the window's gradient if the argmax is this pixel.
 * The argmax is the FIRST maximum in row-major window order (PyTorch's tie rule), and a NaN wins
 * (PyTorch propagates NaN), so the forward and the backward agree on which pixel a window chose.
 */
import { gridBuiltins, linearIndex } from './common.js';
import type { KernelSource } from './bindings.js';

/** What both kernels start with: parameters, the argmax walk, the entry point up to the index. */
const header = (wg: number) => `
struct P { n: u32, h: u32, w: u32, oh: u32, ow: u32, k: u32, s: u32, pad: u32 }

// NaN tested on the bits: compilers may fold \`v != v\` to false (SwiftShader does).
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// Offset (ky·k + kx) of the first maximum of window (plane, oy, ox); NaN counts as the maximum.
fn argmaxIn(plane: u32, oy: u32, ox: u32) -> u32 {
  var best = X[(plane * u.h + oy * u.s) * u.w + ox * u.s];
  var at = 0u;
  for (var ky = 0u; ky < u.k; ky++) {
    let row = (plane * u.h + oy * u.s + ky) * u.w + ox * u.s;
    for (var kx = 0u; kx < u.k; kx++) {
      let v = X[row + kx];
      if (v > best || (isNan(v) && !isNan(best))) { best = v; at = ky * u.k + kx; }
    }
  }
  return at;
}

@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }`;

export function maxPoolKernel(wg: number): KernelSource {
  return {
    inputs: ['X'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `${header(wg)}
  let ox = i % u.ow; let t = i / u.ow; let oy = t % u.oh; let plane = t / u.oh;
  let at = argmaxIn(plane, oy, ox);
  Y[i] = X[(plane * u.h + oy * u.s + at / u.k) * u.w + ox * u.s + at % u.k];
}`,
  };
}

/** X (the forward input) and G (the output gradient) in, DX out. */
export function maxPoolBackwardKernel(wg: number): KernelSource {
  return {
    inputs: ['X', 'G'],
    outputs: ['DX'],
    uniform: 'P',
    code: () => `${header(wg)}
  let ix = i % u.w; let t = i / u.w; let iy = t % u.h; let plane = t / u.h;
  // Windows oy with oy·s ≤ iy < oy·s + k, clipped to the output grid (likewise for x).
  let oy0 = select(0u, (iy + u.s - u.k) / u.s, iy + u.s >= u.k);
  let ox0 = select(0u, (ix + u.s - u.k) / u.s, ix + u.s >= u.k);
  let oy1 = min(iy / u.s + 1u, u.oh);
  let ox1 = min(ix / u.s + 1u, u.ow);
  var acc = 0.0;
  for (var oy = oy0; oy < oy1; oy++) {
    for (var ox = ox0; ox < ox1; ox++) {
      let at = argmaxIn(plane, oy, ox);
      if (oy * u.s + at / u.k == iy && ox * u.s + at % u.k == ix) { acc += G[(plane * u.oh + oy) * u.ow + ox]; }
    }
  }
  DX[i] = acc;
}`,
  };
}
