/**
 * Register-tiled weight gradient for CPU adapters (SwiftShader):
 *   dW[o,c,ky,kx] = Σ_{n,oy,ox} dY[n,o,oy,ox] · X[n,c, oy·s+ky−pt, ox·s+kx−pl].
 * On SwiftShader a load costs about as much as seven multiply-adds whatever the lanes' address
 * pattern, so what counts is multiply-adds per load. Each invocation keeps dW for 4·v output
 * channels × tc input channels × kr kernel rows × kw columns in registers and walks its output
 * rows in segments of tp pixels: per segment it loads tp·4·v gradients and, per (channel, kernel
 * row), the (tp−1)·s + kw inputs the segment touches once, reusing them for all kw columns.
 * The reduction over the N·OH output rows is split S ways (split s takes rows s, s+S, …) so that
 * enough invocations run; each writes its partial sums to its own slice of `Part`, and a second
 * kernel adds the slices.
 */
import { gatherInput, gemmConvKernel } from './conv2d.js';
import type { KernelSource } from './bindings.js';
import { gridBuiltins, linearIndex } from './common.js';

export interface WgradConfig {
  kw: number;
  stride: number;
  /** Kernel rows per invocation (kh is split into blocks of kr). */
  kr: number;
  /** Input channels per invocation. */
  tc: number;
  /** vec4 output-channel groups per invocation. */
  v: number;
  /** Output pixels per row segment. */
  tp: number;
  wg: number;
}

export function wgradKey(c: WgradConfig): string {
  return `kw${c.kw}s${c.stride}|kr${c.kr}tc${c.tc}v${c.v}tp${c.tp}wg${c.wg}`;
}

/**
 * Parameters: sizes of x [N, C, H, W] and dY [N, O, OH, OW], kh, the block counts (G channel
 * groups, CB input-channel blocks, KB kernel-row blocks), S splits of the R = N·OH rows, and the
 * padding.
 */
const params = /* wgsl */ `
struct P {
  C: u32, H: u32, W: u32, O: u32,
  OH: u32, OW: u32, kh: u32, G: u32,
  CB: u32, KB: u32, S: u32, R: u32,
  pt: i32, pl: i32, blocks: u32, _p: u32,
}`;

export function wgradKernel(c: WgradConfig): KernelSource {
  return { inputs: ['X', 'DY'], outputs: ['Part'], uniform: 'P', code: () => wgradCode(c) };
}

function wgradCode(c: WgradConfig): string {
  const { kw, stride: s, kr, tc, v, tp } = c;
  const q = (tp - 1) * s + kw; // input columns one segment touches
  const L: string[] = [];
  const acc = (ci: number, r: number, kx: number, j: number) => `a${ci}_${r}_${kx}_${j}`;
  for (let ci = 0; ci < tc; ci++)
    for (let r = 0; r < kr; r++) for (let kx = 0; kx < kw; kx++) for (let j = 0; j < v; j++) L.push(`  var ${acc(ci, r, kx, j)} = vec4<f32>(0.0);`);
  // Channel planes of this block; channels past C or O are clamped (their sums are never stored).
  for (let ci = 0; ci < tc; ci++) L.push(`  let xc${ci} = min(c0 + ${ci}u, u.C - 1u) * plane;`);
  for (let j = 0; j < v; j++) for (let e = 0; e < 4; e++) L.push(`  let yo${j}_${e} = min(o0 + ${4 * j + e}u, u.O - 1u) * oplane;`);
  L.push(`  for (var row = sp; row < u.R; row += u.S) {`);
  L.push(`    let oy = row % u.OH;`);
  L.push(`    let n = row / u.OH;`);
  L.push(`    let yb = n * u.O * oplane + oy * u.OW;`);
  L.push(`    let xb = n * u.C * plane;`);
  for (let r = 0; r < kr; r++) {
    L.push(`    let iy${r} = i32(oy * ${s}u + ky0 + ${r}u) - u.pt;`);
    L.push(`    let rok${r} = (iy${r} >= 0) & (iy${r} < i32(u.H)) & (ky0 + ${r}u < u.kh);`);
    L.push(`    let rb${r} = xb + select(0u, u32(iy${r}) * u.W, rok${r});`);
  }
  L.push(`    for (var ox0 = 0u; ox0 < u.OW; ox0 += ${tp}u) {`);
  // Gradients of the segment; pixels past the row's end read as 0 so they add nothing.
  for (let p = 0; p < tp; p++) {
    L.push(`      let pok${p} = ox0 + ${p}u < u.OW;`);
    for (let j = 0; j < v; j++)
      L.push(
        `      let d${p}_${j} = select(vec4<f32>(0.0), vec4<f32>(${[0, 1, 2, 3].map((e) => `DY[yb + min(ox0 + ${p}u, u.OW - 1u) + yo${j}_${e}]`).join(', ')}), pok${p});`,
      );
  }
  L.push(`      let ix0 = i32(ox0 * ${s}u) - u.pl;`);
  for (let k = 0; k < q; k++) {
    L.push(`      let cok${k} = (ix0 + ${k} >= 0) & (ix0 + ${k} < i32(u.W));`);
    L.push(`      let cx${k} = select(0u, u32(ix0 + ${k}), cok${k});`);
  }
  for (let ci = 0; ci < tc; ci++)
    for (let r = 0; r < kr; r++) {
      for (let k = 0; k < q; k++) L.push(`      let x${ci}_${r}_${k} = select(0.0, X[rb${r} + xc${ci} + cx${k}], rok${r} & cok${k});`);
      for (let kx = 0; kx < kw; kx++)
        for (let j = 0; j < v; j++) {
          const terms = Array.from({ length: tp }, (_, p) => `d${p}_${j} * x${ci}_${r}_${p * s + kx}`);
          L.push(`      ${acc(ci, r, kx, j)} += ${terms.join(' + ')};`);
        }
    }
  L.push(`    }`);
  L.push(`  }`);
  // Partial sums of split sp go to Part[sp · |dW| + OIHW index].
  L.push(`  let base = sp * u.O * u.C * u.kh * ${kw}u;`);
  for (let ci = 0; ci < tc; ci++)
    for (let r = 0; r < kr; r++) {
      L.push(`  if ((c0 + ${ci}u < u.C) & (ky0 + ${r}u < u.kh)) {`);
      for (let j = 0; j < v; j++)
        for (let e = 0; e < 4; e++) {
          L.push(`    if (o0 + ${4 * j + e}u < u.O) {`);
          L.push(`      let at = base + (((o0 + ${4 * j + e}u) * u.C + c0 + ${ci}u) * u.kh + ky0 + ${r}u) * ${kw}u;`);
          for (let kx = 0; kx < kw; kx++) L.push(`      Part[at + ${kx}u] = ${acc(ci, r, kx, j)}[${e}];`);
          L.push(`    }`);
        }
      L.push(`  }`);
    }

  return /* wgsl */ `
${params}
@compute @workgroup_size(${c.wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(c.wg)};
  if (i >= u.S * u.blocks) { return; }
  let g = i % u.G;
  let rest = i / u.G;
  let cb = rest % u.CB;
  let rest2 = rest / u.CB;
  let kb = rest2 % u.KB;
  let sp = rest2 / u.KB;
  let o0 = g * ${4 * v}u;
  let c0 = cb * ${tc}u;
  let ky0 = kb * ${kr}u;
  let plane = u.H * u.W;
  let oplane = u.OH * u.OW;
${L.join('\n')}
}`;
}

/**
 * The weight gradient as an implicit GEMM for GPUs (see gemmConvKernel): A = dY viewed per image as
 * [O, OH·OW] and chained over images along k = N·OH·OW, B = the im2col matrix of X transposed
 * [N·OH·OW, C·kh·kw]; the result [O, C·kh·kw] is dW in OIHW order. Workgroup z writes the partial
 * sum of its slice of k to Part[z].
 */
export function wgradGemmKernel(): KernelSource {
  return gemmConvKernel({
    inputs: ['X', 'DY'],
    outputs: ['Part'],
    extra: gatherInput,
    loadA: `
  let ohw = u.OH * u.OW;
  return DY[min((k / ohw * u.O + m) * ohw + k % ohw, arrayLength(&DY) - 1u)];`,
    loadB: `
  let taps = u.kh * u.kw;
  let t = n % taps;
  let ohw = u.OH * u.OW;
  let pix = k % ohw;
  let iy = i32((pix / u.OW) * u.stride + t / u.kw) - u.pt;
  let ix = i32((pix % u.OW) * u.stride + t % u.kw) - u.pl;
  return inputAt(k / ohw, n / taps, iy, ix);`,
    store: 'Part[(z * u.M + m) * u.N + n] = v;',
    bKFast: true,
  });
}
