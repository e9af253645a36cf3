/**
 * Elementwise kernel templates. One template per arity; the op's WGSL expression is spliced in.
 * Unary ops see `x` (input), `y` (forward output, backward only), `g` (output gradient) and the
 * scalars `p0`, `p1`. Binary ops see `a`, `b`, `g`. Broadcasting reads each input through strides
 * that are 0 along broadcast axes; same-shape calls use a variant without any index math.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { at8, gridBuiltins, linearIndex } from './common.js';

const unaryParams = `struct P { n: u32, _pad: u32, p0: f32, p1: f32 }`;

export function unaryForwardWGSL(expr: string, wg: number): string {
  return wgsl`
${unaryParams}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> u: P;
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let x = X[i];
  let p0 = u.p0; let p1 = u.p1;
  Y[i] = ${expr};
}`;
}

/** dX = f'(x, y) · g, with y the saved forward output when the op's derivative is cheaper from it. */
export function unaryBackwardWGSL(expr: string, wg: number): string {
  return wgsl`
${unaryParams}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> Yv: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> DX: array<f32>;
@group(0) @binding(4) var<uniform> u: P;
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let x = X[i]; let y = Yv[i]; let g = G[i];
  let p0 = u.p0; let p1 = u.p1;
  DX[i] = ${expr};
}`;
}

const binaryParams = `struct P { n: u32, rank: u32, _p0: u32, _p1: u32,
  outStr: array<vec4<u32>, 2>, aStr: array<vec4<u32>, 2>, bStr: array<vec4<u32>, 2> }`;

/**
 * Binary forward (`withGrad` false: Y = expr(a, b)) or one input's gradient expression evaluated at
 * the output shape (`withGrad` true: binding 2 is G). `rank` 0 assumes all shapes equal (no index
 * math); otherwise the caller merged the axes (a bias over NCHW is rank 2 or 3) and the rank is
 * baked in so the index loop unrolls.
 */
export function binaryWGSL(expr: string, wg: number, rank: number, withGrad: boolean): string {
  const broadcast = rank > 0;
  return wgsl`
${binaryParams}
${at8}
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
#if ${withGrad}
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
@group(0) @binding(4) var<uniform> u: P;
#else
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> u: P;
#endif
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
#if ${broadcast}
  var rem = i; var ia = 0u; var ib = 0u;
  for (var d = 0u; d < ${rank}u; d++) {
    let s = at8(u.outStr, d);
    let c = rem / s;
    rem -= c * s;
    ia += c * at8(u.aStr, d);
    ib += c * at8(u.bStr, d);
  }
  let a = A[ia]; let b = B[ib];
#else
  let a = A[i]; let b = B[i];
#endif
#if ${withGrad}
  let g = G[i];
#endif
  Y[i] = ${expr};
}`;
}

/** Fill with a constant. */
export function fillWGSL(wg: number): string {
  return `
struct P { n: u32, _pad: u32, v: f32, _p1: f32 }
@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<uniform> u: P;
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i < u.n) { Y[i] = u.v; }
}`;
}
