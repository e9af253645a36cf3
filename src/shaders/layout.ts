/**
 * One strided copy serves every layout op: walk the iteration shape in row-major order, read the
 * source through (srcBase, srcStr) and write the destination through (dstBase, dstStr). permute,
 * slice and expand read strided and write contiguously; concat writes each piece strided.
 */
import { at8, gridBuiltins, linearIndex } from './common.js';

export function stridedCopyWGSL(wg: number): string {
  return `
struct P { n: u32, rank: u32, srcBase: u32, dstBase: u32,
  iterStr: array<vec4<u32>, 2>, srcStr: array<vec4<u32>, 2>, dstStr: array<vec4<u32>, 2> }
${at8}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> u: P;
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  var rem = i; var s = u.srcBase; var d = u.dstBase;
  for (var k = 0u; k < u.rank; k++) {
    let st = at8(u.iterStr, k);
    let c = rem / st;
    rem -= c * st;
    s += c * at8(u.srcStr, k);
    d += c * at8(u.dstStr, k);
  }
  Y[d] = X[s];
}`;
}
