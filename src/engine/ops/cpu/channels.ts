/**
 * Host side of the per-channel WebAssembly kernels (cpu/assembly/channels.ts) over a tensor read
 * as [N, C, inner]: float64 channel sums, and a per-channel affine map. Batch-norm's and PReLU's
 * CPU paths are built from them.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';

export interface ChannelGeometry {
  n: number;
  c: number;
  inner: number;
}

const at = (t: Tensor) => t.storage.block.offset;

/**
 * Per channel Σa and Σa·(b − center[ch]) in float64 (`negative`: b read as min(b, 0)).
 * Returns [sums, dots].
 */
export function channelMoments(
  eng: CpuEngine,
  a: Tensor,
  b: Tensor,
  center: ArrayLike<number> | null,
  geo: ChannelGeometry,
  negative = false,
): [Float64Array, Float64Array] {
  const block = eng.heap.alloc(geo.c * 24, 'cpu channel sums');
  try {
    const words = new Float64Array(eng.heap.memory.buffer, block.offset, geo.c * 3);
    words.fill(0);
    if (center) words.set(center);
    eng.kernels.channelMoments(at(a), at(b), block.offset, block.offset + geo.c * 8, geo.n, geo.c, geo.inner, negative ? 1 : 0);
    const out = new Float64Array(eng.heap.memory.buffer, block.offset + geo.c * 8, geo.c * 2);
    const sums = new Float64Array(geo.c),
      dots = new Float64Array(geo.c);
    for (let ch = 0; ch < geo.c; ch++) {
      sums[ch] = out[2 * ch];
      dots[ch] = out[2 * ch + 1];
    }
    return [sums, dots];
  } finally {
    eng.heap.release(block);
  }
}

/** out = k0·p + k1·(q − k2) + k3 with (k0, k1, k2, k3) = coef(ch), float32 arithmetic. */
export function channelAffine(
  eng: CpuEngine,
  p: Tensor,
  q: Tensor,
  out: Tensor,
  geo: ChannelGeometry,
  coef: (ch: number) => [number, number, number, number],
): void {
  const block = eng.heap.alloc(geo.c * 16, 'cpu channel coefficients');
  try {
    const k = new Float32Array(eng.heap.memory.buffer, block.offset, geo.c * 4);
    for (let ch = 0; ch < geo.c; ch++) k.set(coef(ch), 4 * ch);
    eng.kernels.channelAffine(at(p), at(q), block.offset, at(out), geo.n, geo.c, geo.inner);
  } finally {
    eng.heap.release(block);
  }
}
