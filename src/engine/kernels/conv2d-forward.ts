/**
 * Register-tiled direct convolution for CPU adapters (SwiftShader). Each invocation computes a
 * th × tp block of output pixels (th rows of tp consecutive pixels) × `4·v` output channels, all
 * in registers.
 * Measured on SwiftShader's Subzero JIT: a storage load costs about as much as seven multiply-adds
 * whatever the lanes' address pattern (consecutive, equal or scattered), and multiply-adds top out
 * near 6–7 GFLOPS on 2 cores, a little lower once dozens of accumulators spill. So the tile is
 * sized for multiply-adds per load: per input channel and kernel row, an invocation loads the
 * (tp−1)·stride + kw inputs its row segment touches once and reuses them for all kw kernel columns
 * (unrolled), and the 4·v·kw weights it loads serve all th rows: th·tp·kw·v vec4 multiply-adds for
 * th·((tp−1)·s + kw) + 4·v·kw loads. Rows are short in deep layers (6 pixels), so th > 1 there.
 * Weights are read straight from their tensor through four strides (per input channel, output
 * channel, kernel row, kernel column; see directParams): the forward reads OIHW as it is, and the
 * input gradient reads the same tensor rotated and transposed, with no packed copy.
 * Neighbouring invocations take neighbouring output-channel groups `g` of the same pixels, so the
 * lanes of a SIMD group read the same inputs (free on SwiftShader, coalesced on a GPU).
 *
 * The same kernel computes the input gradient (see conv2d-backward-input.ts): a convolution of the
 * output gradient with the kernel rotated 180°, or for stride s, s² of them, one per output phase,
 * each with its share of the taps, writing every s-th pixel (`os`, the output stride).
 * Zero padding is a select on indices that are always in bounds, so no branch guards a load.
 */
import type { ConvActivation } from './conv2d.js';
import { activationWGSL, directParams, gatherInput, gemmConvKernel } from './conv2d.js';
import type { KernelSource } from './bindings.js';
import { gridBuiltins, linearIndex } from './common.js';

export interface DirectConvConfig {
  kh: number;
  kw: number;
  stride: number;
  /** Output stride: output pixel (oy, ox) lands at (oy·os + py, ox·os + px) of the output tensor. */
  os: number;
  /** Output rows × pixels per row per invocation. */
  th: number;
  tp: number;
  /** vec4 output-channel groups per invocation. */
  v: number;
  wg: number;
  bias: boolean;
  act: ConvActivation;
}

export function directConvKey(c: DirectConvConfig): string {
  return `${c.kh}x${c.kw}s${c.stride}o${c.os}|${c.th}x${c.tp}v${c.v}wg${c.wg}|${c.bias ? 'b' : ''}${c.act}`;
}

export function directConvKernel(c: DirectConvConfig): KernelSource {
  return { inputs: c.bias ? ['X', 'Wt', 'Bias'] : ['X', 'Wt'], outputs: ['Y'], uniform: 'P', code: () => directConvCode(c) };
}

function directConvCode(c: DirectConvConfig): string {
  const { kh, kw, stride: s, th, tp, v } = c;
  const q = (tp - 1) * s + kw; // input columns one row segment touches
  const lines: string[] = [];
  const L = (x: string) => lines.push(x);
  for (let r = 0; r < th; r++) for (let p = 0; p < tp; p++) for (let j = 0; j < v; j++) L(`  var acc${r}_${p}_${j} = vec4<f32>(0.0);`);
  // Column validity and index: fixed for the whole invocation.
  for (let k = 0; k < q; k++) {
    L(`  let cx${k} = ix0 + ${k};`);
    L(`  let cok${k} = (cx${k} >= 0) & (cx${k} < i32(u.W));`);
    L(`  let ci${k} = select(0u, u32(cx${k}), cok${k});`);
  }
  // Weight offsets of this invocation's channels (clamped: channels past O are computed, not stored).
  for (let j = 0; j < v; j++) for (let e = 0; e < 4; e++) L(`  let wo${j}_${e} = i32(min(g * ${4 * v}u + ${4 * j + e}u, u.O - 1u)) * u.wO;`);
  L(`  for (var ky = 0; ky < ${kh}; ky++) {`);
  for (let r = 0; r < th; r++) {
    L(`    let iy${r} = (i32(oy0) + ${r}) * ${s} + ky - u.padT;`);
    L(`    let rok${r} = (iy${r} >= 0) & (iy${r} < i32(u.H));`);
    L(`    var xb${r} = n * u.C * plane + select(0u, u32(iy${r}), rok${r}) * u.W;`);
    for (let k = 0; k < q; k++) L(`    let ok${r}_${k} = rok${r} & cok${k};`);
  }
  L(`    var wb = u.wBase + ky * u.wKy;`);
  L(`    for (var ci = 0u; ci < u.C; ci++) {`);
  for (let r = 0; r < th; r++) for (let k = 0; k < q; k++) L(`      let x${r}_${k} = select(0.0, X[xb${r} + ci${k}], ok${r}_${k});`);
  for (let kx = 0; kx < kw; kx++) {
    L(`      let wk${kx} = wb + ${kx} * u.wKx;`);
    for (let j = 0; j < v; j++) {
      const w = (e: number) => `Wt[wk${kx} + wo${j}_${e}]`;
      L(`      let w${kx}_${j} = vec4<f32>(${w(0)}, ${w(1)}, ${w(2)}, ${w(3)});`);
    }
    for (let r = 0; r < th; r++)
      for (let p = 0; p < tp; p++) for (let j = 0; j < v; j++) L(`      acc${r}_${p}_${j} += x${r}_${p * s + kx} * w${kx}_${j};`);
  }
  for (let r = 0; r < th; r++) L(`      xb${r} += plane;`);
  L(`      wb += u.wCi;`);
  L(`    }`);
  L(`  }`);
  // Epilogue: bias, activation, and stores guarded for ragged rows and channel counts.
  for (let j = 0; j < v; j++) {
    L(`  let o${j} = g * ${4 * v}u + ${4 * j}u;`);
    if (c.bias) L(`  let b${j} = vec4<f32>(${[0, 1, 2, 3].map((e) => `Bias[min(o${j} + ${e}u, u.O - 1u)]`).join(', ')});`);
  }
  for (let r = 0; r < th; r++)
    for (let p = 0; p < tp; p++) {
      L(`  if ((oy0 + ${r}u < u.OH) & (ox0 + ${p}u < u.OW)) {`);
      for (let j = 0; j < v; j++) {
        L(`    let r${r}_${p}_${j} = act(acc${r}_${p}_${j}${c.bias ? ` + b${j}` : ''});`);
        for (let e = 0; e < 4; e++)
          L(`    if (o${j} + ${e}u < u.O) { Y[ybase + (o${j} + ${e}u) * oplane + ${r * c.os}u * u.OWf + ${p * c.os}u] = r${r}_${p}_${j}[${e}]; }`);
      }
      L(`  }`);
    }

  return /* wgsl */ `
${directParams}
${activationWGSL(c.act)}
@compute @workgroup_size(${c.wg})
fn main(${gridBuiltins}) {
  // Flattened so that consecutive invocations (SIMD lanes) take consecutive channel groups.
  let i = ${linearIndex(c.wg)};
  if (i >= u.G * u.tiles) { return; }
  let g = i % u.G;
  let t = i / u.G;
  let tx = t % u.tilesX;
  let rest = t / u.tilesX;
  let oy0 = (rest % u.tilesY) * ${th}u;
  let n = rest / u.tilesY;
  let ox0 = tx * ${tp}u;
  let plane = u.H * u.W;
  let oplane = u.OHf * u.OWf;
  let ix0 = i32(ox0 * ${s}u) - u.padL;
  let ybase = n * u.O * oplane + (oy0 * ${c.os}u + u.py) * u.OWf + ox0 * ${c.os}u + u.px;
${lines.join('\n')}
}`;
}

/**
 * The forward as an implicit GEMM for GPUs (see gemmConvKernel): A = W viewed as [O, C·kh·kw]
 * (OIHW is exactly that), B = the im2col matrix of X [C·kh·kw, N·OH·OW], gathered on the fly.
 */
export function forwardGemmKernel(bias: boolean, act: ConvActivation): KernelSource {
  return gemmConvKernel({
    inputs: bias ? ['X', 'Wt', 'Bias'] : ['X', 'Wt'],
    outputs: ['Y'],
    extra: gatherInput + activationWGSL(act, 'f32'),
    loadA: 'return Wt[min(m * u.K + k, arrayLength(&Wt) - 1u)];',
    loadB: `
  let taps = u.kh * u.kw;
  let t = k % taps;
  let ohw = u.OH * u.OW;
  let pix = n % ohw;
  let iy = i32((pix / u.OW) * u.stride + t / u.kw) - u.pt;
  let ix = i32((pix % u.OW) * u.stride + t % u.kw) - u.pl;
  return inputAt(n / ohw, k / taps, iy, ix);`,
    store: `let ohw = u.OH * u.OW; Y[(n / ohw * u.O + m) * ohw + n % ohw] = act(v${bias ? ' + Bias[m]' : ''});`,
    bKFast: false,
  });
}
