/**
 * Pieces shared by the conv2d kernels: the parameter block of the direct (register-tiled) kernel,
 * the fused activations, the activation mask applied to incoming gradients,
 * the sum over split-reduction partials, and the implicit-GEMM template of the GPU variant (whose
 * three instances live beside the register kernels of the same product).
 */
import { gridBuiltins, linearIndex } from './common.js';
import type { KernelSource } from './bindings.js';

export type ConvActivation = 'none' | 'relu' | 'leakyRelu';

/**
 * Direct-convolution parameters. C, H, W: input channels and size; O, OH, OW: output channels and
 * the size computed; G: output-channel groups (one per invocation along channels); tiles: N ·
 * tilesY · tilesX pixel blocks; padT / padL: top / left zero padding (the bottom / right follow
 * from the sizes); OHf, OWf: size of the output tensor, which the OH × OW pixels computed may only
 * sample (every os-th pixel from (py, px): one phase of a strided input gradient).
 * The weight of output channel o, input channel ci and tap (a, b) is
 * Wt[wBase + ci·wCi + o·wO + a·wKy + b·wKx].
 */
export const directParams = /* wgsl */ `
struct P {
  C: u32, H: u32, W: u32, O: u32,
  OH: u32, OW: u32, G: u32, tilesX: u32,
  tilesY: u32, tiles: u32, padT: i32, padL: i32,
  OHf: u32, OWf: u32, py: u32, px: u32,
  wBase: i32, wCi: i32, wO: i32, wKy: i32,
  wKx: i32, alpha: f32, _a: u32, _b: u32,
}`;

export function activationWGSL(act: ConvActivation, type = 'vec4<f32>'): string {
  const body = act === 'relu' ? 'max(x, T(0.0))' : act === 'leakyRelu' ? 'select(u.alpha * x, x, x > T(0.0))' : 'x';
  return `alias T = ${type};\nfn act(x: T) -> T { return ${body}; }`;
}

/** dL/d(pre-activation) from dL/dy and the saved output y (the sign of y is that of its input for α > 0). */
export function activationMaskKernel(act: ConvActivation, wg: number): KernelSource {
  const expr = act === 'relu' ? 'select(0.0, g, y > 0.0)' : 'select(u.alpha * g, g, y > 0.0)';
  return {
    inputs: ['Yv', 'G'],
    outputs: ['D'],
    uniform: 'M',
    code: () => /* wgsl */ `
struct M { n: u32, _p: u32, alpha: f32, _q: f32 }
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let y = Yv[i]; let g = G[i];
  D[i] = ${expr};
}`,
  };
}

/** out[i] = Σ_s partial[s·n + i]: the second half of a split reduction. */
export function splitSumKernel(wg: number): KernelSource {
  return {
    inputs: ['Part'],
    outputs: ['Out'],
    uniform: 'S',
    code: () => /* wgsl */ `
struct S { n: u32, splits: u32, _a: u32, _b: u32 }
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  var acc = 0.0;
  for (var s = 0u; s < u.splits; s++) { acc += Part[s * u.n + i]; }
  Out[i] = acc;
}`,
  };
}

/**
 * Implicit GEMM with workgroup-shared tiles, for GPUs: C[m, n] = Σ_k A[m, k] · B[k, n] where the
 * mode supplies how A and B are gathered from the tensors (im2col on the fly, never stored) and
 * where C goes. A 16×16 workgroup computes a 64×64 tile of C, each thread 4 rows × 4 columns
 * (columns 16 apart, so neighbouring threads store neighbouring addresses); per step of 16 along
 * k every thread stages 4 values of each operand in workgroup memory. `z` splits k: workgroup z
 * reduces k in [z·kLen, (z+1)·kLen) (the weight gradient's long reduction over pixels).
 */
export const gemmParams = /* wgsl */ `
struct GP {
  M: u32, N: u32, K: u32, kLen: u32,
  C: u32, H: u32, W: u32, O: u32,
  OH: u32, OW: u32, kh: u32, kw: u32,
  stride: u32, pt: i32, pl: i32, alpha: f32,
  // dgrad phase (stride > 1): first input row/column, taps ky = ry + stride·j (j < mh), phase size.
  py: u32, px: u32, ry: u32, rx: u32,
  mh: u32, mw: u32, Hp: u32, Wp: u32,
}`;

export interface GemmMode {
  /** Binding names (the uniform is `GP`). */
  inputs: string[];
  outputs: string[];
  /** WGSL bodies of `fn loadA(m: u32, k: u32) -> f32`, `fn loadB(k: u32, n: u32) -> f32`, `fn store(m: u32, n: u32, z: u32, v: f32)`. */
  loadA: string;
  loadB: string;
  store: string;
  /** Whether B's staging walks k fastest (its contiguous axis), else n. A always walks k fastest. */
  bKFast: boolean;
  extra?: string;
}

export function gemmConvKernel(mode: GemmMode): KernelSource {
  return { inputs: mode.inputs, outputs: mode.outputs, uniform: 'GP', code: () => gemmConvCode(mode) };
}

function gemmConvCode(mode: GemmMode): string {
  const stage = (r: number) => /* wgsl */ `
    {
      let e = li + ${256 * r}u;
      let ak = e % 16u; let am = e / 16u;
      As[ak][am] = select(0.0, loadA(m0 + am, k0 + ak), (m0 + am < u.M) & (k0 + ak < kEnd));
      ${mode.bKFast ? 'let bk = e % 16u; let bn = e / 16u;' : 'let bk = e / 64u; let bn = e % 64u;'}
      Bs[bk][bn] = select(0.0, loadB(k0 + bk, n0 + bn), (n0 + bn < u.N) & (k0 + bk < kEnd));
    }`;
  return /* wgsl */ `
${gemmParams}
${mode.extra ?? ''}
// Loaders may be called with m, n or k out of range (the result is discarded): they only index
// in bounds or behind a select. Conditions use the non-short-circuit '&': '&&' becomes branches in
// SPIR-V, and SwiftShader took minutes to compile a loader with five of them.
fn loadA(m: u32, k: u32) -> f32 { ${mode.loadA} }
fn loadB(k: u32, n: u32) -> f32 { ${mode.loadB} }
fn store(m: u32, n: u32, z: u32, v: f32) { ${mode.store} }
var<workgroup> As: array<array<f32, 64>, 16>;
var<workgroup> Bs: array<array<f32, 64>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let m0 = wid.y * 64u;
  let n0 = wid.x * 64u;
  let kBeg = wid.z * u.kLen;
  let kEnd = min(kBeg + u.kLen, u.K);
  var acc: array<vec4<f32>, 4>;
  for (var k0 = kBeg; k0 < kEnd; k0 += 16u) {
${[0, 1, 2, 3].map(stage).join('')}
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let b = vec4<f32>(Bs[kk][lid.x], Bs[kk][lid.x + 16u], Bs[kk][lid.x + 32u], Bs[kk][lid.x + 48u]);
      for (var i = 0u; i < 4u; i++) { acc[i] += As[kk][lid.y * 4u + i] * b; }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x + 16u * j;
      if ((m < u.M) & (n < u.N)) { store(m, n, wid.z, acc[i][j]); }
    }
  }
}`;
}

/** X at (image, channel, row, column) with zero padding; used by the forward and weight-gradient GEMMs. */
export const gatherInput = /* wgsl */ `
fn inputAt(img: u32, c: u32, iy: i32, ix: i32) -> f32 {
  let ok = (iy >= 0) & (iy < i32(u.H)) & (ix >= 0) & (ix < i32(u.W));
  let at = ((img * u.C + c) * u.H + u32(max(iy, 0))) * u.W + u32(max(ix, 0));
  return select(0.0, X[min(at, arrayLength(&X) - 1u)], ok);
}`;
