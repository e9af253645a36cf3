/**
 * sum / max over arbitrary axes, as a chunked reduction (chunked-reduce.ts). The input is read
 * in place through strides, with no transpose: kept axes give each output's base offset, the
 * innermost reduced axis gives the runs, the other reduced axes the run offsets. Index math
 * happens once per output and once per run, never per element.
 */
import { at8 } from './common.js';
import { walkFields, type ChunkedReduceSpec } from './chunked-reduce.js';

export type ReduceKind = 'sum' | 'max';

/** Words 8.. of the uniform: ranks, the scale of the final pass, then the packed shapes. */
export const REDUCE_PARAM_WORDS = 44;

export function reduceSpec(kind: ReduceKind): ChunkedReduceSpec {
  return {
    inputs: ['X'],
    outputs: ['Y'],
    uniform: 'P',
    decls: `
struct P { ${walkFields}, keptRank: u32, outerRank: u32, scale: f32, _p: u32,
  keptSize: array<vec4<u32>, 2>, keptStr: array<vec4<u32>, 2>,
  outerSize: array<vec4<u32>, 2>, outerStr: array<vec4<u32>, 2> }
${at8}
// Row-major position o over (sizes, strides) of the given rank, as an offset into X.
fn offsetOf(o: u32, rank: u32, sizes: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2>) -> u32 {
  var rem = o; var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let n = at8(sizes, u32(d));
    off += (rem % n) * at8(strides, u32(d));
    rem /= n;
  }
  return off;
}
fn baseOffset(o: u32) -> u32 { return offsetOf(o, u.keptRank, u.keptSize, u.keptStr); }
fn outerOffset(q: u32) -> u32 { return offsetOf(q, u.outerRank, u.outerSize, u.outerStr); }`,
    type: 'f32',
    identity: kind === 'sum' ? '0.0' : '-3.402823e38',
    combine: kind === 'sum' ? 'return a + b;' : 'return max(a, b);',
    passes: [{ value: 'X[at]' }],
    // The scale (1/n of a mean) is 1 in every pass but the last.
    store: 'Y[slot] = tot0 * u.scale;',
  };
}
