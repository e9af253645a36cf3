/**
 * pixelShuffle and nearest upsampling on the CPU backend, the same four rearrangements as the
 * WGSL gathers (kernels/pixel-shuffle.ts), written as row loops over the small grid [H, W] and
 * the large one [H·r, W·r]: `nc` runs over N·C planes of the large grid, and for the shuffle
 * its r² source channels are nc·r² + i·r + j (PyTorch's order).
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import type { ShuffleMode } from '../../kernels/pixel-shuffle.js';
import { shuffleJob } from '../../cpu/jobs.js';

/** Copy between small-grid channel `small` and large-grid plane `plane`, at sub-pixel phase (i, j). */
function movePhase(
  small: Float32Array,
  sBase: number,
  large: Float32Array,
  lBase: number,
  h: number,
  w: number,
  r: number,
  i: number,
  j: number,
  toLarge: boolean,
): void {
  const bw = w * r;
  for (let y = 0; y < h; y++) {
    const s = sBase + y * w,
      l = lBase + (y * r + i) * bw + j;
    if (toLarge) for (let x = 0; x < w; x++) large[l + x * r] = small[s + x];
    else for (let x = 0; x < w; x++) small[s + x] = large[l + x * r];
  }
}

/** Nearest upsampling of one plane: each small row widened once, then repeated r times. */
function upsamplePlane(small: Float32Array, sBase: number, large: Float32Array, lBase: number, h: number, w: number, r: number): void {
  const bw = w * r;
  for (let y = 0; y < h; y++) {
    const s = sBase + y * w,
      l = lBase + y * r * bw;
    for (let x = 0, at = l; x < w; x++) {
      const v = small[s + x];
      for (let j = 0; j < r; j++) large[at++] = v;
    }
    for (let i = 1; i < r; i++) large.copyWithin(l + i * bw, l, l + bw);
  }
}

/** Sum each r×r block of the large plane into the small one (nearest upsampling's backward). */
function sumBlocks(large: Float32Array, lBase: number, small: Float32Array, sBase: number, h: number, w: number, r: number): void {
  const bw = w * r;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let a = 0; a < r; a++) {
        const row = lBase + (y * r + a) * bw + x * r;
        for (let b = 0; b < r; b++) acc += large[row + b];
      }
      small[sBase + y * w + x] = acc;
    }
}

/** One rearrangement; `h`, `w` are the small grid's size, `r` the factor. */
export function pixelGatherCpu(eng: CpuEngine, mode: ShuffleMode, src: Tensor, outShape: readonly number[], h: number, w: number, r: number): Tensor {
  return eng.kernel(
    `pixel_${mode}`,
    () => {
      const out = Tensor.empty(outShape);
      const x = src.data,
        y = out.data;
      const plane = h * w,
        big = plane * r * r;
      const planes = (mode === 'shuffle' || mode === 'upsample' ? out.size : src.size) / big;
      if ((mode === 'shuffle' || mode === 'unshuffle') && (r === 2 || r === 4)) {
        // The WebAssembly job: r phases of four pixels as one SIMD transpose, rows on every thread.
        const at = (t: Tensor) => t.storage.block.offset;
        const toLarge = mode === 'shuffle';
        if (planes) shuffleJob(eng, toLarge, planes, h, w, r, at(toLarge ? src : out), at(toLarge ? out : src));
        return out;
      }
      for (let nc = 0; nc < planes; nc++) {
        if (mode === 'upsampleBwd') sumBlocks(x, nc * big, y, nc * plane, h, w, r);
        else if (mode === 'upsample') upsamplePlane(x, nc * plane, y, nc * big, h, w, r);
        else {
          const toLarge = mode === 'shuffle';
          for (let i = 0; i < r; i++)
            for (let j = 0; j < r; j++) {
              const ch = (nc * r + i) * r + j;
              if (toLarge) movePhase(x, ch * plane, y, nc * big, h, w, r, i, j, true);
              else movePhase(y, ch * plane, x, nc * big, h, w, r, i, j, false);
            }
        }
      }
      return out;
    },
    0,
    4 * (src.size + outShape.reduce((p, d) => p * d, 1)),
  );
}
