/**
 * Sub-pixel rearrangements between a "small" grid [.., H, W] and a "large" one [.., H·r, W·r].
 * Every kernel is a gather: one thread per output element computes where its value comes from,
 * so no two threads write the same address. `h`, `w` are always the small grid's size.
 *
 *   shuffle     [N, C·r², H, W] → [N, C, H·r, W·r]   out[nc, oh, ow] = in[nc·r² + (oh%r)·r + ow%r, oh/r, ow/r]
 *   unshuffle   its inverse (the shuffle's backward)
 *   upsample    nearest ×r:   out[nc, oh, ow] = in[nc, oh/r, ow/r]
 *   upsampleBwd the sum of each r×r block of the output gradient
 * (nc = n·C + c, and for shuffle in-channel nc·r² + i·r + j is n·C·r² + c·r² + i·r + j, PyTorch's order.)
 */
import { gridBuiltins, linearIndex } from './common.js';
import type { KernelSource } from './bindings.js';

export type ShuffleMode = 'shuffle' | 'unshuffle' | 'upsample' | 'upsampleBwd';

const bodies: Record<ShuffleMode, string> = {
  shuffle: `
  let bw = u.w * u.r; let bh = u.h * u.r;
  let ow = i % bw; let t = i / bw; let oh = t % bh; let nc = t / bh;
  let ch = nc * u.r * u.r + (oh % u.r) * u.r + ow % u.r;
  Y[i] = X[(ch * u.h + oh / u.r) * u.w + ow / u.r];`,
  unshuffle: `
  let w = i % u.w; let t = i / u.w; let h = t % u.h; let ch = t / u.h;
  let q = ch % (u.r * u.r); let nc = ch / (u.r * u.r);
  Y[i] = X[(nc * u.h * u.r + h * u.r + q / u.r) * (u.w * u.r) + w * u.r + q % u.r];`,
  upsample: `
  let bw = u.w * u.r; let bh = u.h * u.r;
  let ow = i % bw; let t = i / bw; let oh = t % bh; let nc = t / bh;
  Y[i] = X[(nc * u.h + oh / u.r) * u.w + ow / u.r];`,
  upsampleBwd: `
  let w = i % u.w; let t = i / u.w; let h = t % u.h; let nc = t / u.h;
  let bw = u.w * u.r;
  var acc = 0.0;
  for (var a = 0u; a < u.r; a++) {
    let row = (nc * u.h * u.r + h * u.r + a) * bw + w * u.r;
    for (var b = 0u; b < u.r; b++) { acc += X[row + b]; }
  }
  Y[i] = acc;`,
};

export function pixelShuffleKernel(mode: ShuffleMode, wg: number): KernelSource {
  return {
    inputs: ['X'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `
struct P { n: u32, h: u32, w: u32, r: u32 }
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  ${bodies[mode]}
}`,
  };
}
