/**
 * Host side of the WebAssembly jobs: write a job's descriptor into the heap's reserved bytes, size
 * the per-thread scratch, and run it on the thread pool when it is worth the wake-up.
 * The descriptor layouts are the ones the kernels read (assembly/index.ts, conv.ts, matmul.ts).
 */
import type { ConvGeometry } from '../ops/conv2d.js';
import type { CpuEngine } from './cpu-engine.js';
import type { HeapBlock } from './heap.js';

const DESC = 64;
const JOB_CONV_FORWARD = 1,
  JOB_CONV_WGRAD = 2,
  JOB_GEMM = 3,
  JOB_DIRECT_FORWARD = 4,
  JOB_DIRECT_WGRAD = 5,
  JOB_PAD = 6;
const JOB_MAP = 7,
  JOB_SHUFFLE = 8,
  JOB_RESIZE = 9,
  JOB_PRELU = 10;
/** Below this much work a job runs on the calling thread alone: waking workers costs tens of µs. */
const PARALLEL_FLOPS = 4e6;

/** Convolution geometry as the kernels read it (12 words): ConvGeometry without N; `dil` > 1 reads the input dilated. */
export type ConvJobGeometry = Omit<ConvGeometry, 'N'> & { dil: number };

const geometryWords = (g: ConvJobGeometry) => [g.C, g.H, g.W, g.O, g.kh, g.kw, g.stride, g.pt, g.pl, g.OH, g.OW, g.dil];

function run(eng: CpuEngine, words: number[], scratchPerThread: number, flops: number): void {
  const parallel = flops >= PARALLEL_FLOPS && eng.threadCount > 1;
  const threads = parallel ? eng.threadCount : 1;
  const scratch = eng.heap.alloc(scratchPerThread * threads, 'cpu scratch');
  try {
    const d = new Uint32Array(eng.heap.memory.buffer, DESC, words.length + 2);
    d.set(words);
    d.set([scratch.offset, scratchPerThread], words.length);
    eng.runJob(DESC, parallel);
  } finally {
    eng.heap.release(scratch);
  }
}

/**
 * `planes` planes H × W at byte offset x, zero-padded (or cropped, where pt/pl are negative) into
 * PH × PW with input (0, 0) at (pt, pl): a new block the caller releases.
 */
export function padPlanesJob(
  eng: CpuEngine,
  x: number,
  planes: number,
  H: number,
  W: number,
  PH: number,
  PW: number,
  pt: number,
  pl: number,
): HeapBlock {
  const out = eng.heap.alloc(planes * PH * PW * 4, 'cpu padded input');
  // Counted as one "flop" per byte written, so that big pads go to every thread.
  const d = new Int32Array(eng.heap.memory.buffer, DESC, 10);
  d.set([JOB_PAD, planes, H, W, PH, PW, pt, pl, x, out.offset]);
  eng.runJob(DESC, planes * PH * PW * 4 >= PARALLEL_FLOPS && eng.threadCount > 1);
  return out;
}

/** Pack A (M × K, element (m, k) at a + 4·(m·rs + k·cs)) into the GEMM's row panels. */
export function packA(eng: CpuEngine, a: number, rs: number, cs: number, M: number, K: number): HeapBlock {
  const mr = eng.kernels.MR.value as number;
  const packed = eng.heap.alloc(Math.ceil(M / mr) * mr * K * 4, 'cpu packed weights');
  eng.kernels.packA(a, rs, cs, M, K, packed.offset);
  return packed;
}

/** f32 bits of v, for a descriptor word. */
function f32Bits(v: number): number {
  const f = new Float32Array(1);
  f[0] = v;
  return new Uint32Array(f.buffer)[0];
}

/** A conv epilogue the forward job applies: bias (a byte offset, 0 for none), then relu / leaky relu. */
export interface ConvEpilogue {
  bias: number;
  act: 'none' | 'relu' | 'leakyRelu';
  alpha: number;
}

const ACT_CODE = { none: 0, relu: 1, leakyRelu: 2 } as const;

/**
 * Y[n] = W · im2col(X[n]) (+ bias, activation) for N images: x, y byte offsets; `ap` the weights
 * packed by packA as [O, C·kh·kw].
 */
export function convForwardJob(
  eng: CpuEngine,
  g: ConvJobGeometry,
  N: number,
  x: number,
  ap: HeapBlock,
  y: number,
  epi: ConvEpilogue = { bias: 0, act: 'none', alpha: 0 },
): void {
  const flops = 2 * N * g.O * g.OH * g.OW * g.C * g.kh * g.kw;
  run(
    eng,
    [JOB_CONV_FORWARD, ...geometryWords(g), N, x, ap.offset, y, epi.bias, ACT_CODE[epi.act], f32Bits(epi.alpha)],
    eng.kernels.CONV_SCRATCH_BYTES.value as number,
    flops,
  );
}

/** Run a job that needs no scratch, on every thread when `work` (bytes moved or flops) is worth it. */
function runPlain(eng: CpuEngine, words: number[], work: number): void {
  new Uint32Array(eng.heap.memory.buffer, DESC, words.length).set(words);
  eng.runJob(DESC, work >= PARALLEL_FLOPS && eng.threadCount > 1);
}

/** The map job's operations (assembly/elementwise.ts). */
export const MAP_OPS = { add: 0, sub: 1, mul: 2, clamp: 3, addScalar: 4, mulScalar: 5 } as const;
export type MapOp = keyof typeof MAP_OPS;

/** y[i] = op(a[i], b[i]) or op(a[i], p0, p1) for n elements (byte offsets; b unused by the scalar ops). */
export function mapJob(eng: CpuEngine, op: MapOp, n: number, a: number, b: number, y: number, p0 = 0, p1 = 0): void {
  runPlain(eng, [JOB_MAP, MAP_OPS[op], n, a, b, y, f32Bits(p0), f32Bits(p1)], 12 * n);
}

/**
 * Pixel shuffle by r ∈ {2, 4} (toLarge) or its inverse: `planes` (N·C) large planes [h·r, w·r]
 * ↔ small channels [N·C·r², h, w] (byte offsets).
 */
export function shuffleJob(eng: CpuEngine, toLarge: boolean, planes: number, h: number, w: number, r: number, small: number, large: number): void {
  runPlain(eng, [JOB_SHUFFLE, toLarge ? 1 : 0, planes, h, w, r, small, large], 8 * planes * h * w * r * r);
}

/** The resize job's tap tables, as byte offsets into the heap (see assembly/elementwise.ts). */
export interface ResizeTaps {
  first: number;
  count: number;
  weights: number;
  total: number;
  width: number;
}

/** y [outer, outLen, inner] = taps · x [outer, inLen, inner] (byte offsets). */
export function resizeJob(
  eng: CpuEngine,
  x: number,
  y: number,
  outer: number,
  inLen: number,
  outLen: number,
  inner: number,
  t: ResizeTaps,
  taps: number,
): void {
  runPlain(eng, [JOB_RESIZE, x, y, outer, inLen, outLen, inner, t.first, t.count, t.weights, t.total, t.width], 4 * taps * outer * outLen * inner);
}

/** dW[O, C·kh·kw] = Σ_n dY[n] · im2col(X[n])ᵀ (written, not accumulated). */
export function convWgradJob(eng: CpuEngine, g: ConvJobGeometry, N: number, x: number, dy: number, dw: number): void {
  const flops = 2 * N * g.O * g.OH * g.OW * g.C * g.kh * g.kw;
  run(eng, [JOB_CONV_WGRAD, ...geometryWords(g), N, x, dy, dw], eng.kernels.wgradScratchBytes(g.O), flops);
}

/**
 * C[M, N] (+)= A · B with A packed by packA and B read through strides (element (k, n) at
 * b + 4·(k·brs + n·bcs)); C row-major with row stride ldc.
 */
export function gemmJob(
  eng: CpuEngine,
  ap: HeapBlock,
  b: number,
  brs: number,
  bcs: number,
  c: number,
  ldc: number,
  M: number,
  N: number,
  K: number,
  accumulate: boolean,
): void {
  run(eng, [JOB_GEMM, ap.offset, b, brs, bcs, c, ldc, M, N, K, accumulate ? 1 : 0], eng.kernels.GEMM_SCRATCH_BYTES.value as number, 2 * M * N * K);
}

/**
 * The direct kernels' geometry (assembly/direct.ts): stride 1, at most 4 output channels, the input
 * already zero-padded to PH × PW per channel.
 */
export interface DirectJobGeometry {
  C: number;
  PH: number;
  PW: number;
  O: number;
  kh: number;
  kw: number;
  OH: number;
  OW: number;
  N: number;
}

/** Columns a padded row needs: the output row in whole 12-pixel steps (direct.ts's PX), the taps, and slack for vec4 reads. */
export const directPaddedWidth = (OW: number, kw: number) => Math.ceil(OW / 12) * 12 + kw + 4;

const directWords = (g: DirectJobGeometry) => [g.C, g.PH, g.PW, g.O, g.kh, g.kw, g.OH, g.OW, g.N];
const directFlops = (g: DirectJobGeometry) => 2 * g.N * g.O * g.OH * g.OW * g.C * g.kh * g.kw;

/** Y [N, O, OH, OW] = W [O, C, kh, kw] ⋆ Xpad. */
export function directForwardJob(eng: CpuEngine, g: DirectJobGeometry, xpad: number, w: number, y: number): void {
  run(eng, [JOB_DIRECT_FORWARD, ...directWords(g), xpad, w, y], eng.kernels.directScratchBytes(g.C * g.kh * g.kw), directFlops(g));
}

/** dW [O, C, kh, kw] += dY ⋆ Xpad over every image (dW must start at zero). */
export function directWgradJob(eng: CpuEngine, g: DirectJobGeometry, xpad: number, dw: number, dy: number): void {
  run(eng, [JOB_DIRECT_WGRAD, ...directWords(g), xpad, dw, dy], eng.kernels.directScratchBytes(g.C * g.kh * g.kw), directFlops(g));
}

/** PReLU over x [N, C, inner] (g = x: the forward; else its input gradient), runs of `inner` dealt out to threads. */
export function preluJob(eng: CpuEngine, x: number, g: number, alpha: number, out: number, total: number, channels: number, inner: number): void {
  runPlain(eng, [JOB_PRELU, x, g, alpha, out, total, channels, inner], 12 * total);
}
