/**
 * Copies behind the layout ops. One strided copy serves permute, slice and concat: walk the
 * iteration shape in row-major order, read the source through (srcBase, srcStr) and write the
 * destination through (dstBase, dstStr). Callers merge axes first, so the common cases (a slice of
 * whole rows, a concat piece) become rank 1 and take the `contiguous` form with no index math.
 * Broadcasting copies (expand, the gradients of sum and mean) have their own kernel whose
 * usual forms need at most one division.
 */
import { at8, gridBuiltins, linearIndex, stridedOffsets } from './common.js';
import type { KernelSource } from './bindings.js';

/** `rank` is baked in so the loop unrolls; 'contiguous' is rank 1 with unit strides. */
export function stridedCopyKernel(wg: number, rank: number | 'contiguous'): KernelSource {
  const contiguous = rank === 'contiguous';
  return {
    inputs: ['X'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `
struct P { n: u32, rank: u32, srcBase: u32, dstBase: u32,
  iterStr: array<vec4<u32>, 2>, srcStr: array<vec4<u32>, 2>, dstStr: array<vec4<u32>, 2> }
${at8}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
${
  contiguous
    ? '  Y[u.dstBase + i] = X[u.srcBase + i];'
    : `  ${stridedOffsets('i', `${rank}u`, 'u.iterStr', [
        ['s', 'u.srcBase', 'u.srcStr'],
        ['d', 'u.dstBase', 'u.dstStr'],
      ])}
  Y[d] = X[s];`
}
}`,
  };
}

/**
 * Y[i] = X[source(i)] · scale over a broadcast. The forms:
 *   scalar: X has one element;
 *   block:  one kept block of `n` values each repeated `inner` times, the whole pattern tiled
 *           (a bias [C] over [N, C, H, W]: inner = H·W): source(i) = (i / inner) % n;
 *   general: axes merged by the caller, then a loop over them.
 */
export type BroadcastForm = 'scalar' | 'block' | 'general';

export function broadcastCopyKernel(wg: number, form: BroadcastForm, v: number): KernelSource {
  // With v > 1 (scalar: n % v = 0; block: inner % v = 0) an invocation's v outputs share one source.
  const source = form === 'scalar' ? '0u' : form === 'block' ? '(i0 / u.inner) % u.count' : 'generalSource(i0)';
  return {
    inputs: ['X'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `
struct P { n: u32, rank: u32, inner: u32, count: u32, scale: f32, _a: u32, _b: u32, _c: u32,
  outStr: array<vec4<u32>, 2>, srcStr: array<vec4<u32>, 2> }
${at8}
fn generalSource(i: u32) -> u32 {
  ${stridedOffsets('i', 'u.rank', 'u.outStr', [['s', '0u', 'u.srcStr']])}
  return s;
}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i0 = (${linearIndex(wg)}) * ${v}u;
  if (i0 >= u.n) { return; }
  let value = X[${source}] * u.scale;
  for (var e = 0u; e < ${v}u; e++) { Y[i0 + e] = value; }
}`,
  };
}
