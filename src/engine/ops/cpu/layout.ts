/**
 * Layout copies on the CPU backend: the strided copy behind permute, slice and concat, and the
 * broadcasting copy behind expand and the gradients of sum and mean. Both take axes merged by
 * the caller (layout.ts), so a slice of whole rows or a concat piece is a single block copy.
 */
import type { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import { RowWalk } from './row-walk.js';

/** dst[dstBase + Σ c·dstStr] = src[srcBase + Σ c·srcStr] over the iteration `sizes`. */
export function stridedCopyCpu(
  eng: CpuEngine,
  src: Tensor,
  dst: Tensor,
  sizes: number[],
  srcBase: number,
  srcStr: number[],
  dstBase: number,
  dstStr: number[],
): void {
  eng.kernel(
    'strided_copy',
    () => {
      const x = src.data,
        y = dst.data;
      const walk = new RowWalk(sizes, [srcStr, dstStr]);
      walk.reset(srcBase, dstBase);
      const n = walk.inner,
        ss = walk.step[0],
        ds = walk.step[1];
      for (let row = 0; row < walk.rows; row++, walk.next()) {
        const s = walk.at[0],
          d = walk.at[1];
        if (ss === 1 && ds === 1) y.set(x.subarray(s, s + n), d);
        else for (let k = 0; k < n; k++) y[d + k * ds] = x[s + k * ss];
      }
    },
    0,
    8 * sizes.reduce((p, v) => p * v, 1),
  );
}

/**
 * y (contiguous) = x read through `srcStr` (0 along broadcast axes) times `scale`, held in f32
 * as the WGSL kernel's uniform holds it (the product of two f32 values rounds as an f32 multiply).
 */
export function broadcastCopyCpu(eng: CpuEngine, x: Tensor, y: Tensor, sizes: number[], srcStr: number[], scale: number): void {
  eng.kernel(
    'broadcast_copy',
    () => {
      const xd = x.data,
        yd = y.data;
      const sc = Math.fround(scale);
      const walk = new RowWalk(sizes, [srcStr]);
      walk.reset(0);
      const n = walk.inner,
        step = walk.step[0];
      let o = 0;
      for (let row = 0; row < walk.rows; row++, walk.next(), o += n) {
        const s = walk.at[0];
        if (step === 0) yd.fill(xd[s] * sc, o, o + n);
        else for (let k = 0; k < n; k++) yd[o + k] = xd[s + k * step] * sc;
      }
    },
    0,
    4 * (x.size + y.size),
  );
}
