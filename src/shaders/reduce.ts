/**
 * Reduction over arbitrary axes. The input is viewed as [kept..., reduced...] through strides, so
 * no transpose is materialised. Long reductions give each output a workgroup whose threads stride
 * over the reduced elements and combine in a shared-memory tree; short ones (≤ WG elements) give
 * each output one thread that loops, so many small reductions don't leave lanes idle.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { at8, gridBuiltins, linearIndex } from './common.js';

export type ReduceKind = 'sum' | 'max';

const params = `struct P { nOut: u32, nRed: u32, keptRank: u32, redRank: u32,
  keptSize: array<vec4<u32>, 2>, keptStr: array<vec4<u32>, 2>,
  redSize: array<vec4<u32>, 2>, redStr: array<vec4<u32>, 2>, scale: f32 }`;

function helpers(kind: ReduceKind) {
  return `
${at8}
// Offset in the input of the o-th kept position (row-major over kept sizes).
fn keptOffset(o: u32) -> u32 {
  var rem = o; var off = 0u;
  for (var d = i32(u.keptRank) - 1; d >= 0; d--) {
    let s = at8(u.keptSize, u32(d));
    off += (rem % s) * at8(u.keptStr, u32(d));
    rem /= s;
  }
  return off;
}
fn redOffset(r: u32) -> u32 {
  var rem = r; var off = 0u;
  for (var d = i32(u.redRank) - 1; d >= 0; d--) {
    let s = at8(u.redSize, u32(d));
    off += (rem % s) * at8(u.redStr, u32(d));
    rem /= s;
  }
  return off;
}
fn combine(a: f32, b: f32) -> f32 { return ${kind === 'sum' ? 'a + b' : 'max(a, b)'}; }
const IDENTITY: f32 = ${kind === 'sum' ? '0.0' : '-3.402823e38'};
`;
}

export function reduceWGSL(kind: ReduceKind, wg: number, cooperative: boolean): string {
  return wgsl`
${params}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> u: P;
${helpers(kind)}
#if ${cooperative}
var<workgroup> part: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  // Every thread reaches the barriers; out-of-range workgroups just combine identities.
  let valid = o < u.nOut;
  var acc = IDENTITY;
  if (valid) {
    let base = keptOffset(o);
    for (var r = lid; r < u.nRed; r += ${wg}u) { acc = combine(acc, X[base + redOffset(r)]); }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] = combine(part[lid], part[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { Y[o] = part[0] * u.scale; }
}
#else
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let o = ${linearIndex(wg)};
  if (o >= u.nOut) { return; }
  let base = keptOffset(o);
  var acc = IDENTITY;
  for (var r = 0u; r < u.nRed; r++) { acc = combine(acc, X[base + redOffset(r)]); }
  Y[o] = acc * u.scale;
}
#endif
`;
}
