/**
 * PReLU kernels: y = x for x > 0, α[c]·x otherwise. The input is read as [N, C, inner] (inner =
 * product of the axes after the channel axis) so the channel of element i is (i / inner) % C; a
 * single shared α is the case C = 1, inner = everything after the batch axis.
 */
import { gridBuiltins, linearIndex } from './common.js';

const params = `struct P { n: u32, c: u32, inner: u32, count: u32 }`;

/** Forward (`backward` false: Y from X) or input gradient (`backward` true: DX from X and G). */
export function preluWGSL(wg: number, backward: boolean): string {
  const bindings = backward
    ? `@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> Alpha: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
@group(0) @binding(4) var<uniform> u: P;`
    : `@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> Alpha: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> u: P;`;
  // PyTorch's convention at the kink: x = 0 takes the negative branch (gradient α, dα gets 0·g).
  const expr = backward ? 'select(a * G[i], G[i], x > 0.0)' : 'select(a * x, x, x > 0.0)';
  return `
${params}
${bindings}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let x = X[i];
  let a = Alpha[(i / u.inner) % u.c];
  Y[i] = ${expr};
}`;
}

/**
 * dα[c] = Σ g·x over the elements of channel c with x ≤ 0. One workgroup per channel walks
 * r = n·inner + k (count = N·inner elements) and combines in a shared-memory tree.
 */
export function preluAlphaGradWGSL(wg: number): string {
  return `
${params}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> DAlpha: array<f32>;
@group(0) @binding(3) var<uniform> u: P;
var<workgroup> part: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * nwg.x;
  let valid = c < u.c;
  var acc = 0.0;
  if (valid) {
    for (var r = lid; r < u.count; r += ${wg}u) {
      let n = r / u.inner;
      let o = (n * u.c + c) * u.inner + (r - n * u.inner);
      let x = X[o];
      acc += select(G[o] * x, 0.0, x > 0.0);
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { DAlpha[c] = part[0]; }
}`;
}
