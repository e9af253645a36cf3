/**
 * 2-D convolution, NCHW activations and OIHW weights, with bias and activation fused into the
 * forward epilogue, its input and weight gradients, and a float64 reference.
 *   forward  Y[n,o,oy,ox]  = Σ_{c,ky,kx} W[o,c,ky,kx] · X[n,c, oy·s+ky−pt, ox·s+kx−pl]
 *   dgrad    dX[n,c,iy,ix] = Σ_{o,ky,kx} W[o,c,ky,kx] · dY[n,o, (iy+pt−ky)/s, (ix+pl−kx)/s]  (exact divisions only)
 *   wgrad    dW[o,c,ky,kx] = Σ_{n,oy,ox} dY[n,o,oy,ox] · X[n,c, oy·s+ky−pt, ox·s+kx−pl]
 * Two kernel variants, chosen by adapter. On a CPU adapter (SwiftShader): register-tiled direct
 * kernels (conv2d-forward.ts, whose kernel also runs the dgrad phases, and
 * conv2d-backward-weight.ts). On a GPU: implicit GEMMs with workgroup-shared tiles (the template in
 * conv2d.ts, one per product). The fused activation's derivative is applied to the incoming
 * gradient once (from the saved output's sign), then both gradients use the masked gradient.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { fmt, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { activationMaskKernel, splitSumKernel, type ConvActivation } from '../kernels/conv2d.js';
import { directConvKey, directConvKernel, forwardGemmKernel } from '../kernels/conv2d-forward.js';
import { dgradGemmKernel } from '../kernels/conv2d-backward-input.js';
import { wgradGemmKernel, wgradKey, wgradKernel } from '../kernels/conv2d-backward-weight.js';
import type { KernelSource } from '../kernels/bindings.js';
import { sum } from './reduce.js';
import { zeros } from './fill.js';
import { conv2dDgradCpu, conv2dForwardCpu, conv2dWgradCpu, maskGradientCpu } from './cpu/conv2d.js';
import { EngineError } from '../errors.js';

export interface Conv2dOptions {
  stride?: number;
  padding?: 'same' | 'valid' | number | [number, number];
  activation?: ConvActivation;
  /** Negative slope of leakyRelu (default 0.01); must be ≥ 0 (the backward reads the mask off the output's sign). */
  alpha?: number;
}

/** Kernel variant and tile sizes; chosen from the adapter unless a test or benchmark forces them. */
export interface Conv2dKernelChoice {
  variant: 'registers' | 'workgroup';
  /** registers, forward and dgrad: output pixels per block (row segment, or stacked short rows),
   * vec4 channel groups, workgroup size. */
  tp: number;
  v: number;
  wg: number;
  /** registers wgrad: input channels, vec4 output-channel groups, pixels per row segment, vec4
   * accumulators (bounds the kernel rows per invocation), invocations to aim for by splitting the
   * rows, and the fewest row segments a split may get. */
  wgC: number;
  wgV: number;
  wgTp: number;
  wgAcc: number;
  wgInvocations: number;
  wgSegments: number;
  /** workgroup wgrad: workgroups to aim for (splitting the reduction over pixels). */
  gemmWorkgroups: number;
}

let kernelOverride: Partial<Conv2dKernelChoice> | undefined;

/** Force a kernel variant / tile shape (tests cover both variants on one adapter; benchmarks sweep). */
export function setConv2dKernel(choice: Partial<Conv2dKernelChoice> | undefined): void {
  kernelOverride = choice;
}

function kernelChoice(): Conv2dKernelChoice {
  const soft = engine().adapter.isSoftware;
  // Registers: measured on SwiftShader (Subzero JIT, 2 cores) by sweeping with interleaved runs
  // (3×3, 64 channels, 32² and 64²). Wider row segments and more accumulators win until spilling
  // costs more than the loads they save; few wgrad invocations win (each writes a partial dW).
  // Workgroup: 64×64 tiles, checked on an H200 (Vulkan) against TF.js.
  // Each variant reads only its own fields, so one set of sizes serves both; the adapter picks the variant.
  const base: Conv2dKernelChoice = {
    variant: soft ? 'registers' : 'workgroup',
    tp: 32,
    v: 2,
    wg: 64,
    wgC: 4,
    wgV: 2,
    wgTp: 8,
    wgAcc: 72,
    wgInvocations: 512,
    wgSegments: 16,
    gemmWorkgroups: 128,
  };
  return { ...base, ...kernelOverride };
}

/** Everything about one convolution's shapes. pt/pl: top/left padding (bottom/right are implied). */
export interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  kh: number;
  kw: number;
  stride: number;
  pt: number;
  pl: number;
  OH: number;
  OW: number;
}

function samePad(size: number, k: number, s: number): number {
  // TF/Keras: out = ceil(size / s), total padding = max((out − 1)·s + k − size, 0), the extra on the far side.
  const out = Math.ceil(size / s);
  return Math.floor(Math.max((out - 1) * s + k - size, 0) / 2);
}

export function convGeometry(xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions = {}): ConvGeometry {
  const both = `x ${fmt(xShape)}, w ${fmt(wShape)}`;
  if (xShape.length !== 4) throw new ShapeError(`conv2d: x must be [N, C, H, W], got ${both}`);
  if (wShape.length !== 4) throw new ShapeError(`conv2d: w must be [O, C, kh, kw], got ${both}`);
  const [N, C, H, W] = xShape;
  const [O, Cw, kh, kw] = wShape;
  if (C !== Cw) throw new ShapeError(`conv2d: x has ${C} channels but w expects ${Cw} (${both})`);
  const stride = opts.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) throw new ShapeError(`conv2d: stride must be a positive integer, got ${stride}`);
  const pad = opts.padding ?? 'valid';
  let ph: number, pw: number, OH: number, OW: number;
  if (pad === 'same') {
    ph = samePad(H, kh, stride);
    pw = samePad(W, kw, stride);
    OH = Math.ceil(H / stride);
    OW = Math.ceil(W / stride);
  } else {
    [ph, pw] = pad === 'valid' ? [0, 0] : typeof pad === 'number' ? [pad, pad] : pad;
    if (![ph, pw].every((p) => Number.isInteger(p) && p >= 0)) throw new ShapeError(`conv2d: padding must be non-negative integers, got ${pad}`);
    OH = Math.floor((H + 2 * ph - kh) / stride) + 1;
    OW = Math.floor((W + 2 * pw - kw) / stride) + 1;
  }
  if (kh < 1 || kw < 1 || OH < 1 || OW < 1 || N < 1 || C < 1 || O < 1)
    throw new ShapeError(`conv2d: no output for ${both} with stride ${stride}, padding ${JSON.stringify(pad)}`);
  return { N, C, H, W, O, kh, kw, stride, pt: ph, pl: pw, OH, OW };
}

const convFlops = (g: ConvGeometry) => 2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw;

/**
 * How the direct kernel reads weights: tap (a, b) of output channel o and input channel ci is
 * w[base + ci·ci_ + o·o_ + a·ky + b·kx] (see directParams).
 */
interface WeightWalk {
  base: number;
  ci: number;
  o: number;
  ky: number;
  kx: number;
}

/** OIHW read as it is: the forward. */
const forwardWalk = (g: ConvGeometry): WeightWalk => ({ base: 0, ci: g.kh * g.kw, o: g.C * g.kh * g.kw, ky: g.kw, kx: 1 });

/** A direct convolution: input [N, C, H, W] → OH × OW pixels of O channels, kernel kh × kw. */
interface DirectDims {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  OH: number;
  OW: number;
  kh: number;
  kw: number;
  stride: number;
  pt: number;
  pl: number;
}

/** Where the computed pixels go: (oy·os + py, ox·os + px) of `y` (os = 1, py = px = 0: all of y). */
interface Placement {
  y: Tensor;
  os: number;
  py: number;
  px: number;
}

/**
 * Channel grouping and pixel blocks of the direct kernel: rows cut into equal segments of at most
 * ch.tp pixels (a 33-wide row: 17 + 16, not 32 + 1), and short rows stacked th high so that a
 * block still holds about ch.tp pixels (weights are loaded once per block).
 */
function directTiles(O: number, OH: number, OW: number, ch: Conv2dKernelChoice) {
  const v = Math.min(ch.v, Math.ceil(O / 4));
  const tilesX = Math.ceil(OW / ch.tp);
  const tp = Math.ceil(OW / tilesX);
  const tilesY = Math.ceil(OH / Math.max(1, Math.min(Math.floor(ch.tp / tp), OH)));
  return { v, G: Math.ceil(O / (4 * v)), tilesX, tp, tilesY, th: Math.ceil(OH / tilesY) };
}

/** Run the register-tiled direct kernel: y = act(conv(x, w) + bias), w read through `walk`. */
function runDirect(
  name: string,
  x: Tensor,
  w: Tensor,
  walk: WeightWalk,
  bias: Tensor | null,
  d: DirectDims,
  out: Placement,
  act: ConvActivation,
  alpha: number,
  ch: Conv2dKernelChoice,
  flops: number,
): void {
  const { v, G, tilesX, tp, tilesY, th } = directTiles(d.O, d.OH, d.OW, ch);
  const tiles = d.N * tilesY * tilesX;
  const params = new ArrayBuffer(96);
  const u32 = new Uint32Array(params),
    i32 = new Int32Array(params);
  u32.set([d.C, d.H, d.W, d.O, d.OH, d.OW, G, tilesX, tilesY, tiles]);
  i32.set([d.pt, d.pl], 10);
  u32.set([out.y.shape[2], out.y.shape[3], out.py, out.px], 12);
  i32.set([walk.base, walk.ci, walk.o, walk.ky, walk.kx], 16);
  new Float32Array(params)[21] = alpha;
  const cfg = { kh: d.kh, kw: d.kw, stride: d.stride, os: out.os, th, tp, v, wg: ch.wg, bias: !!bias, act };
  engine().runKernel(
    { name, key: directConvKey(cfg), ...directConvKernel(cfg) },
    {
      buffers: [x.buffer, w.buffer, ...(bias ? [bias.buffer] : []), out.y.buffer],
      params: new Uint8Array(params),
      workgroups: grid1d(G * tiles, ch.wg),
      flops,
      bytes: 4 * (x.size + w.size + d.N * d.O * d.OH * d.OW),
    },
  );
}

/** Σ over the leading `splits` slices of `part` into a tensor of `shape`. */
function splitSum(part: Tensor, splits: number, shape: number[]): Tensor {
  const out = Tensor.empty(shape);
  const wg = engine().tuning.elementwiseWG;
  engine().runKernel(
    { name: 'conv2d_split_sum', key: `${wg}`, ...splitSumKernel(wg) },
    {
      buffers: [part.buffer, out.buffer],
      params: new Uint32Array([out.size, splits, 0, 0]),
      workgroups: grid1d(out.size, wg),
      bytes: 4 * (part.size + out.size),
    },
  );
  return out;
}

/** Register-tiled weight gradient: split partial sums, then their sum. */
function wgradRegisters(x: Tensor, dy: Tensor, g: ConvGeometry, ch: Conv2dKernelChoice): Tensor {
  const v = Math.min(ch.wgV, Math.ceil(g.O / 4));
  const tc = Math.min(ch.wgC, g.C);
  // As many kernel rows as fit in the accumulator budget (tc·kr·kw·v vec4s), at least one.
  const kr = Math.max(1, Math.min(g.kh, Math.floor(ch.wgAcc / (tc * g.kw * v))));
  const G = Math.ceil(g.O / (4 * v)),
    CB = Math.ceil(g.C / tc),
    KB = Math.ceil(g.kh / kr);
  const blocks = G * CB * KB;
  // Rows cut into equal segments of at most ch.wgTp pixels.
  const tp = Math.ceil(g.OW / Math.ceil(g.OW / ch.wgTp));
  // Split the output rows until there are enough invocations to fill the adapter, but keep at
  // least ch.wgSegments segments per split: each invocation ends by storing 4·tc·kr·kw·v partial
  // sums, and a store costs SwiftShader more than a load.
  const rows = g.N * g.OH;
  const segments = rows * Math.ceil(g.OW / tp);
  const S = Math.max(1, Math.min(Math.ceil(ch.wgInvocations / blocks), Math.floor(segments / ch.wgSegments), rows));
  const size = g.O * g.C * g.kh * g.kw;
  const part = Tensor.empty([S * size]);
  const params = new ArrayBuffer(64);
  new Uint32Array(params).set([g.C, g.H, g.W, g.O, g.OH, g.OW, g.kh, G, CB, KB, S, rows]);
  new Int32Array(params).set([g.pt, g.pl], 12);
  new Uint32Array(params)[14] = blocks;
  const cfg = { kw: g.kw, stride: g.stride, kr, tc, v, tp, wg: ch.wg };
  engine().runKernel(
    { name: 'conv2d_wgrad', key: wgradKey(cfg), ...wgradKernel(cfg) },
    {
      buffers: [x.buffer, dy.buffer, part.buffer],
      params: new Uint8Array(params),
      workgroups: grid1d(S * blocks, ch.wg),
      flops: 2 * rows * g.OW * size,
      bytes: 4 * (x.size + dy.size + part.size),
    },
  );
  if (S === 1) return reshapeOwned(part, [g.O, g.C, g.kh, g.kw]);
  const dw = splitSum(part, S, [g.O, g.C, g.kh, g.kw]);
  part.dispose();
  return dw;
}

function reshapeOwned(t: Tensor, shape: number[]): Tensor {
  const v = t.reshapeView(shape);
  t.dispose();
  return v;
}

/** dL/d(pre-activation) = dL/dy · act'(y). */
function maskGradient(y: Tensor, g: Tensor, act: ConvActivation, alpha: number): Tensor {
  const out = Tensor.empty(g.shape);
  const wg = engine().tuning.elementwiseWG;
  const params = new ArrayBuffer(16);
  new Uint32Array(params)[0] = g.size;
  new Float32Array(params)[2] = alpha;
  engine().runKernel(
    { name: `conv2d_${act}_mask`, key: `${wg}`, ...activationMaskKernel(act, wg) },
    { buffers: [y.buffer, g.buffer, out.buffer], params: new Uint8Array(params), workgroups: grid1d(g.size, wg), bytes: 16 * g.size },
  );
  return out;
}

function forwardRegisters(
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  g: ConvGeometry,
  act: ConvActivation,
  alpha: number,
  ch: Conv2dKernelChoice,
): Tensor {
  const y = Tensor.empty([g.N, g.O, g.OH, g.OW]);
  runDirect('conv2d', x, w, forwardWalk(g), bias, g, { y, os: 1, py: 0, px: 0 }, act, alpha, ch, convFlops(g));
  return y;
}

interface PhaseAxis {
  r: number;
  m: number;
  pad: number;
}
interface DgradPhase {
  py: number;
  px: number;
  y: PhaseAxis;
  x: PhaseAxis;
}

/**
 * Input-gradient phases. Input pixel iy = s·i + py only receives taps ky ≡ py + pt
 * (mod s): ky = ry + s·m for m < mh, from dY row i + dy − m (dy = (py + pt − ry) / s). So each of the
 * s² phases (py, px) is a stride-1 convolution of dY with an mh × mw kernel, rotated, padded by
 * mh − 1 − dy on top, whose output fills every s-th pixel of dX. Stride 1 is the one phase with the
 * whole kernel and padding k − 1 − p. A phase with no taps (kernel smaller than the stride) is zero.
 * Both kernel variants (direct on CPUs, implicit GEMM on GPUs) walk the same list.
 */
function dgradPhases(g: ConvGeometry): DgradPhase[] {
  const s = g.stride;
  const split = (p: number, pad: number, k: number): PhaseAxis => {
    const r = (p + pad) % s;
    const m = r < k ? Math.ceil((k - r) / s) : 0;
    return { r, m, pad: m - 1 - (p + pad - r) / s };
  };
  const phases: DgradPhase[] = [];
  for (let py = 0; py < Math.min(s, g.H); py++)
    for (let px = 0; px < Math.min(s, g.W); px++) phases.push({ py, px, y: split(py, g.pt, g.kh), x: split(px, g.pl, g.kw) });
  return phases;
}

/** dX, zero-filled only when some phase has no taps and so writes nothing. */
function dgradOutput(g: ConvGeometry, phases: DgradPhase[]): Tensor {
  const shape = [g.N, g.C, g.H, g.W];
  return phases.some((f) => f.y.m === 0 || f.x.m === 0) ? zeros(shape) : Tensor.empty(shape);
}

function dgradRegisters(dy: Tensor, w: Tensor, g: ConvGeometry, ch: Conv2dKernelChoice): Tensor {
  const s = g.stride;
  const phases = dgradPhases(g);
  const dx = dgradOutput(g, phases);
  for (const f of phases) {
    if (f.y.m === 0 || f.x.m === 0) continue;
    const d: DirectDims = {
      N: g.N,
      C: g.O,
      H: g.OH,
      W: g.OW,
      O: g.C,
      OH: Math.ceil((g.H - f.py) / s),
      OW: Math.ceil((g.W - f.px) / s),
      kh: f.y.m,
      kw: f.x.m,
      stride: 1,
      pt: f.y.pad,
      pl: f.x.pad,
    };
    // Input channel = forward output fo, output channel = forward input c, tap (a, b) =
    // forward tap (ry + s·(mh − 1 − a), rx + s·(mw − 1 − b)).
    const walk: WeightWalk = {
      base: (f.y.r + s * (f.y.m - 1)) * g.kw + f.x.r + s * (f.x.m - 1),
      ci: g.C * g.kh * g.kw,
      o: g.kh * g.kw,
      ky: -s * g.kw,
      kx: -s,
    };
    runDirect(
      'conv2d_dgrad',
      dy,
      w,
      walk,
      null,
      d,
      { y: dx, os: s, py: f.py, px: f.px },
      'none',
      0,
      ch,
      2 * g.N * g.C * d.OH * d.OW * g.O * d.kh * d.kw,
    );
  }
  return dx;
}

/** The forward, the activation mask and both gradients, for this engine's backend and adapter. */
interface ConvKernels {
  forward(x: Tensor, w: Tensor, b: Tensor | null, g: ConvGeometry, act: ConvActivation, alpha: number): Tensor;
  mask(y: Tensor, g: Tensor, act: ConvActivation, alpha: number): Tensor;
  dgrad(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor;
  wgrad(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor;
}

function kernelsFor(): ConvKernels {
  const eng = engine();
  if (eng.kind === 'cpu') {
    return {
      forward: (x, w, b, g, act, alpha) => conv2dForwardCpu(eng, x, w, b, g, act, alpha),
      mask: (y, g, act, alpha) => maskGradientCpu(eng, y, g, act, alpha),
      dgrad: (dy, w, g) => conv2dDgradCpu(eng, dy, w, g),
      wgrad: (x, dy, g) => conv2dWgradCpu(eng, x, dy, g),
    };
  }
  const ch = kernelChoice();
  const reg = ch.variant === 'registers';
  return {
    forward: (x, w, b, g, act, alpha) => (reg ? forwardRegisters(x, w, b, g, act, alpha, ch) : forwardGemm(x, w, b, g, act, alpha)),
    mask: maskGradient,
    dgrad: (dy, w, g) => (reg ? dgradRegisters(dy, w, g, ch) : dgradGemm(dy, w, g)),
    wgrad: (x, dy, g) => (reg ? wgradRegisters(x, dy, g, ch) : wgradGemm(x, dy, g, ch)),
  };
}

/**
 * conv2d(x [N, C, H, W], w [O, C, kh, kw], bias [O]?) → [N, O, OH, OW]. 'same' follows TF/Keras
 * (output ceil(H / stride), the odd padding pixel at the bottom/right); a number or [ph, pw] pads
 * symmetrically with zeros; 'valid' (the default) pads nothing.
 */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const g = convGeometry(x.shape, w.shape, opts);
  const b = bias ?? null;
  if (b && (b.rank !== 1 || b.shape[0] !== g.O)) throw new ShapeError(`conv2d: bias ${fmt(b.shape)} must be [${g.O}] for w ${fmt(w.shape)}`);
  const act = opts.activation ?? 'none';
  const alpha = opts.alpha ?? 0.01;
  if (act === 'leakyRelu' && !(alpha >= 0)) throw new EngineError(`conv2d: leakyRelu alpha must be ≥ 0, got ${alpha}`);
  const k = kernelsFor();
  const y = k.forward(x, w, b, g, act, alpha);
  const inputs = b ? [x, w, b] : [x, w];
  return record(y, 'conv2d', inputs, (grad, needs) => {
    const dy = act === 'none' ? grad : k.mask(y, grad, act, alpha);
    const dx = needs[0] ? k.dgrad(dy, w, g) : null;
    const dw = needs[1] ? k.wgrad(x, dy, g) : null;
    const db = b && needs[2] ? sum(dy, [0, 2, 3]) : null;
    if (dy !== grad) dy.dispose();
    return b ? [dx, dw, db] : [dx, dw];
  });
}

/** One implicit-GEMM dispatch (workgroup variant): 64×64 tiles of [M, N], k split `splits` ways. */
function runGemm(
  name: string,
  key: string,
  kernel: KernelSource,
  buffers: GPUBuffer[],
  M: number,
  N: number,
  K: number,
  splits: number,
  g: ConvGeometry,
  alpha: number,
  flops: number,
  phase: number[] = [],
): void {
  const kLen = Math.ceil(K / splits / 16) * 16;
  const params = new ArrayBuffer(96);
  new Uint32Array(params).set([M, N, K, kLen, g.C, g.H, g.W, g.O, g.OH, g.OW, g.kh, g.kw, g.stride]);
  new Int32Array(params).set([g.pt, g.pl], 13);
  new Float32Array(params)[15] = alpha;
  new Uint32Array(params).set(phase, 16);
  engine().runKernel(
    { name, key, ...kernel },
    { buffers, params: new Uint8Array(params), workgroups: [Math.ceil(N / 64), Math.ceil(M / 64), Math.ceil(K / kLen)], flops },
  );
}

function forwardGemm(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry, act: ConvActivation, alpha: number): Tensor {
  const y = Tensor.empty([g.N, g.O, g.OH, g.OW]);
  runGemm(
    'conv2d',
    `gemm|${!!bias}|${act}`,
    forwardGemmKernel(!!bias, act),
    [x.buffer, w.buffer, ...(bias ? [bias.buffer] : []), y.buffer],
    g.O,
    g.N * g.OH * g.OW,
    g.C * g.kh * g.kw,
    1,
    g,
    alpha,
    convFlops(g),
  );
  return y;
}

function dgradGemm(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const phases = dgradPhases(g);
  const dx = dgradOutput(g, phases);
  for (const f of phases) {
    if (f.y.m === 0 || f.x.m === 0) continue;
    const Hp = Math.ceil((g.H - f.py) / g.stride),
      Wp = Math.ceil((g.W - f.px) / g.stride);
    const K = g.O * f.y.m * f.x.m;
    runGemm(
      'conv2d_dgrad',
      'gemm-phase',
      dgradGemmKernel(),
      [dy.buffer, w.buffer, dx.buffer],
      g.C,
      g.N * Hp * Wp,
      K,
      1,
      g,
      0,
      2 * g.C * g.N * Hp * Wp * K,
      [f.py, f.px, f.y.r, f.x.r, f.y.m, f.x.m, Hp, Wp],
    );
  }
  return dx;
}

/** The reduction over N·OH·OW is long and dW is small: split k until there are enough workgroups. */
function wgradGemm(x: Tensor, dy: Tensor, g: ConvGeometry, ch: Conv2dKernelChoice): Tensor {
  const M = g.O,
    N = g.C * g.kh * g.kw,
    K = g.N * g.OH * g.OW;
  const tiles = Math.ceil(M / 64) * Math.ceil(N / 64);
  const splits = Math.max(1, Math.min(Math.ceil(ch.gemmWorkgroups / tiles), Math.ceil(K / 64)));
  const kLen = Math.ceil(K / splits / 16) * 16;
  const used = Math.ceil(K / kLen);
  const part = Tensor.empty([used * M * N]);
  runGemm('conv2d_wgrad', 'gemm', wgradGemmKernel(), [x.buffer, dy.buffer, part.buffer], M, N, K, splits, g, 0, convFlops(g));
  if (used === 1) return reshapeOwned(part, [g.O, g.C, g.kh, g.kw]);
  const dw = splitSum(part, used, [g.O, g.C, g.kh, g.kw]);
  part.dispose();
  return dw;
}

/**
 * Every (output element, tap) pair of a convolution that reads inside the input: fn(yi, xi, wi, o)
 * with flat indices into Y [N, O, OH, OW], X [N, C, H, W] and W [O, C, kh, kw]. The float64
 * references (the forward here, the test's direct gradients) are sums over these pairs.
 */
export function refConvTaps(
  xShape: readonly number[],
  wShape: readonly number[],
  opts: Conv2dOptions,
  fn: (yi: number, xi: number, wi: number, o: number) => void,
): ConvGeometry {
  const g = convGeometry(xShape, wShape, opts);
  const { N, C, H, W, O, kh, kw, stride, pt, pl, OH, OW } = g;
  let yi = 0;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++, yi++)
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * stride + ky - pt;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * stride + kx - pl;
                if (ix < 0 || ix >= W) continue;
                fn(yi, ((n * C + c) * H + iy) * W + ix, ((o * C + c) * kh + ky) * kw + kx, o);
              }
            }
  return g;
}

/** float64 reference of the forward (tests take finite differences of it for the gradients). */
export function refConv2d(x: RefArray, w: RefArray, bias: RefArray | null, opts: Conv2dOptions = {}): RefArray {
  const g = convGeometry(x.shape, w.shape, opts);
  const act = opts.activation ?? 'none';
  const alpha = opts.alpha ?? 0.01;
  const P = g.OH * g.OW;
  const out = new Float64Array(g.N * g.O * P);
  if (bias) for (let i = 0; i < out.length; i++) out[i] = bias.data[Math.floor(i / P) % g.O];
  refConvTaps(x.shape, w.shape, opts, (yi, xi, wi) => {
    out[yi] += w.data[wi] * x.data[xi];
  });
  if (act !== 'none') for (let i = 0; i < out.length; i++) out[i] = act === 'relu' ? Math.max(out[i], 0) : out[i] < 0 ? alpha * out[i] : out[i];
  return { data: out, shape: [g.N, g.O, g.OH, g.OW] };
}
