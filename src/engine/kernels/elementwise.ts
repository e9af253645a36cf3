/**
 * Elementwise kernel templates. One template per arity; the op's WGSL expression is spliced in.
 * Unary ops see `x` (input), `y` (forward output, backward only), `g` (output gradient) and the
 * scalars `p0`, `p1`. Binary ops see `a`, `b`, `g`. Broadcasting reads each input through strides
 * that are 0 along broadcast axes; same-shape calls use a variant without any index math.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { at8, gridBuiltins, linearIndex, stridedOffsets } from './common.js';
import type { KernelSource } from './bindings.js';

const unaryParams = `struct P { n: u32, _pad: u32, p0: f32, p1: f32 }`;

export function unaryForwardKernel(expr: string, wg: number): KernelSource {
  return {
    inputs: ['X'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => wgsl`
${unaryParams}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let x = X[i];
  let p0 = u.p0; let p1 = u.p1;
  Y[i] = ${expr};
}`,
  };
}

/** dX = f'(x, y) · g, with y the saved forward output when the op's derivative is cheaper from it. */
export function unaryBackwardKernel(expr: string, wg: number): KernelSource {
  return {
    inputs: ['X', 'Yv', 'G'],
    outputs: ['DX'],
    uniform: 'P',
    code: () => wgsl`
${unaryParams}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let x = X[i]; let y = Yv[i]; let g = G[i];
  let p0 = u.p0; let p1 = u.p1;
  DX[i] = ${expr};
}`,
  };
}

const binaryParams = `struct P { n: u32, rank: u32, _p0: u32, _p1: u32,
  outStr: array<vec4<u32>, 2>, aStr: array<vec4<u32>, 2>, bStr: array<vec4<u32>, 2> }`;

/**
 * Binary forward (`withGrad` false: Y = expr(a, b)) or one input's gradient expression evaluated at
 * the output shape (`withGrad` true: input G). `rank` 0 assumes all shapes equal (no index
 * math); otherwise the caller merged the axes (a bias over NCHW is rank 2 or 3) and the rank is
 * baked in so the index loop unrolls.
 */
export function binaryKernel(expr: string, wg: number, rank: number, withGrad: boolean): KernelSource {
  const broadcast = rank > 0;
  return {
    inputs: withGrad ? ['A', 'B', 'G'] : ['A', 'B'],
    outputs: ['Y'],
    uniform: 'P',
    code: () => wgsl`
${binaryParams}
${at8}
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
#if ${broadcast}
  ${stridedOffsets('i', `${rank}u`, 'u.outStr', [
    ['ia', '0u', 'u.aStr'],
    ['ib', '0u', 'u.bStr'],
  ])}
  let a = A[ia]; let b = B[ib];
#else
  let a = A[i]; let b = B[i];
#endif
#if ${withGrad}
  let g = G[i];
#endif
  Y[i] = ${expr};
}`,
  };
}

/** Fill with a constant. */
export function fillKernel(wg: number): KernelSource {
  return {
    inputs: [],
    outputs: ['Y'],
    uniform: 'P',
    code: () => `
struct P { n: u32, _pad: u32, v: f32, _p1: f32 }
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i < u.n) { Y[i] = u.v; }
}`,
  };
}
