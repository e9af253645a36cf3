/**
 * sum / mean / max over any set of axes, with their gradients and float64 references, and the
 * chunked-reduction runner that the other reducing ops (batch norm, PReLU's dα, the fused losses)
 * share: every reduction is cut into (output, chunk) work items whose partials a second small
 * pass combines (see src/engine/kernels/chunked-reduce.ts).
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d, pack8 } from '../runtime/grid.js';
import type { ReduceTuning } from '../runtime/tuning.js';
import { record } from '../autograd.js';
import { normAxes, stridesOf } from '../shape.js';
import { reduceSpec, REDUCE_PARAM_WORDS, type ReduceKind } from '../kernels/reduce.js';
import { chunkedReduceWGSL, WALK_WORDS, type ChunkedReduceSpec, type ReduceVariant } from '../kernels/chunked-reduce.js';
import { div, equal, mul } from './elementwise.js';
import { broadcastTo, mergeAxes } from './layout.js';
import { reduceCpu } from './cpu/reduce.js';

let kernelOverride: Partial<ReduceTuning> | undefined;

/** Force a reduction variant / split (tests prove both variants on one adapter; benchmarks sweep). */
export function setReduceKernel(choice: Partial<ReduceTuning> | undefined): void {
  kernelOverride = choice;
}

/** One reduction's shape: nOut outputs of nRed elements, in runs of `run` spaced `runStride`. */
export interface ReduceWalk {
  nOut: number;
  nRed: number;
  run: number;
  runStride: number;
}

export interface ReducePlan {
  variant: ReduceVariant;
  wg: number;
  chunkLen: number;
  chunks: number;
}

/** The adapter's reduction split, or the forced one. Ops read it in the forward and hand it to their backward. */
export function reduceChoice(): ReduceTuning {
  return { ...engine().tuning.reduce, ...kernelOverride };
}

/** How to cut a reduction into work items. */
export function planReduce(w: ReduceWalk, ch: ReduceTuning = reduceChoice()): ReducePlan {
  // A workgroup tree pays only when its threads read consecutive addresses and each has work.
  const grouped = ch.variant === 'workgroup' && w.runStride === 1 && w.nRed >= ch.groupWG;
  const perOutput = Math.ceil((grouped ? ch.workgroups : ch.invocations) / w.nOut);
  const shortest = grouped ? ch.groupWG * ch.minPerThread : ch.minChunk;
  // Up to 16 shortest chunks cost one invocation less than another dispatch would.
  const single = !grouped && w.nRed <= 16 * ch.minChunk;
  const chunks = single ? 1 : Math.max(1, Math.ceil(w.nRed / Math.max(shortest, Math.ceil(w.nRed / perOutput))));
  return {
    variant: grouped ? 'workgroup' : 'registers',
    wg: grouped ? ch.groupWG : ch.wg,
    chunkLen: Math.max(1, Math.ceil(w.nRed / chunks)),
    chunks,
  };
}

/**
 * Dispatch one chunked reduction (WebGPU only: on the CPU backend a reducing op walks its whole
 * reduction in one pass, see ops/cpu/; sumPartials still works there). `params` is the kernel's whole uniform; its first WALK_WORDS
 * words are filled here. The kernel writes one partial per (chunk, output) at chunk · nOut + output.
 * `buffers` follow the spec's bindings: its inputs, then its outputs.
 */
export function runChunked(
  name: string,
  key: string,
  s: ChunkedReduceSpec,
  w: ReduceWalk,
  p: ReducePlan,
  buffers: GPUBuffer[],
  params: Uint32Array,
  bytes: number,
): void {
  params.set([w.nOut, w.nRed, p.chunkLen, p.chunks, w.run, w.runStride, 0, 0]);
  const items = w.nOut * p.chunks;
  engine().runKernel(
    {
      name,
      key: `${key}|${p.variant}|${p.wg}`,
      inputs: s.inputs,
      outputs: s.outputs,
      uniform: s.uniform,
      code: () => chunkedReduceWGSL(s, p.variant, p.wg),
    },
    { buffers, params, workgroups: p.variant === 'registers' ? grid1d(items, p.wg) : grid1d(items, 1), bytes },
  );
}

/** Merge neighbouring axes that are contiguous in the input, to shorten the index loops. */
function coalesce(sizes: number[], strides: number[]): [number[], number[]] {
  const [s, [t]] = mergeAxes(sizes, [strides]);
  return [s, t];
}

/**
 * Reduce `src` into `out`: output o (row-major over keptSizes) combines the elements at
 * keptOffset(o) + reducedOffset(r). Chunked work leaves [chunks, nOut] partials, which are
 * reduced again (consecutive outputs contiguous) until one chunk remains; `scale` applies last.
 */
function reduceStrided(
  kind: ReduceKind,
  src: Tensor,
  out: Tensor,
  kept: [number[], number[]],
  red: [number[], number[]],
  scale: number,
  ch: ReduceTuning,
): void {
  const eng = engine();
  // The CPU walks a whole reduction in one pass: no plan, no partials (the GPU variants do not apply).
  if (eng.kind === 'cpu') return reduceCpu(eng, kind, src, out, kept, red, scale);
  const nOut = kept[0].reduce((p, d) => p * d, 1);
  const nRed = red[0].reduce((p, d) => p * d, 1);
  const last = red[0].length - 1;
  const w: ReduceWalk = { nOut, nRed, run: last >= 0 ? red[0][last] : 1, runStride: last >= 0 ? red[1][last] : 1 };
  const plan = planReduce(w, ch);
  const final = plan.chunks === 1;
  const dst = final ? out : Tensor.empty([plan.chunks * nOut]);
  const params = new Uint32Array(REDUCE_PARAM_WORDS);
  params.set([kept[0].length, Math.max(last, 0)], WALK_WORDS);
  new Float32Array(params.buffer)[WALK_WORDS + 2] = final ? scale : 1;
  pack8(kept[0], params, 12);
  pack8(kept[1], params, 20);
  pack8(red[0].slice(0, last), params, 28);
  pack8(red[1].slice(0, last), params, 36);
  runChunked(`reduce_${kind}`, kind, reduceSpec(kind), w, plan, [src.buffer, dst.buffer], params, 4 * (src.size + dst.size));
  if (final) return;
  reduceStrided(kind, dst, out, [[nOut], [1]], [[plan.chunks], [nOut]], scale, ch);
  dst.dispose();
}

function runReduce(kind: ReduceKind, x: Tensor, axes: number[], keepDims: boolean, scale: number, ch = reduceChoice()): Tensor {
  const st = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((i) => x.shape[i]);
  const y = Tensor.empty(outShape);
  if (y.size === 0) return y;
  reduceStrided(
    kind,
    x,
    y,
    coalesce(
      kept.map((i) => x.shape[i]),
      kept.map((i) => st[i]),
    ),
    coalesce(
      axes.map((i) => x.shape[i]),
      axes.map((i) => st[i]),
    ),
    scale,
    ch,
  );
  return y;
}

/**
 * Σ over the leading axis of a [chunks, n] partial tensor (consumed) into `shape` (n elements), times `scale`: the second
 * pass of the channel reductions. One chunk is already the answer (its kernel applied the scale).
 */
export function sumPartials(part: Tensor, chunks: number, shape: readonly number[], scale: number, ch: ReduceTuning): Tensor {
  if (chunks === 1) {
    const v = part.reshapeView(shape);
    part.dispose();
    return v;
  }
  const out = Tensor.empty(shape);
  const n = out.size;
  reduceStrided('sum', part, out, [[n], [1]], [[chunks], [n]], scale, ch);
  part.dispose();
  return out;
}

/** Sum over `axes` (all when omitted). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('sum', axes, x.rank);
  const y = runReduce('sum', x, ax, keepDims, 1);
  return record(y, 'sum', [x], (g) => [expandBack(g, x.shape, ax, keepDims, 1)]);
}

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('mean', axes, x.rank);
  const n = ax.reduce((p, i) => p * x.shape[i], 1);
  const y = runReduce('sum', x, ax, keepDims, 1 / n);
  return record(y, 'mean', [x], (g) => [expandBack(g, x.shape, ax, keepDims, 1 / n)]);
}

/** Max over axes. Ties share the gradient equally (like PyTorch's amax). */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('max', axes, x.rank);
  const ch = reduceChoice();
  const y = runReduce('max', x, ax, keepDims, 1, ch);
  return record(y, 'max', [x], (g) => {
    const yk = y.reshapeView(x.shape.map((d, i) => (ax.includes(i) ? 1 : d)));
    const mask = equal(x, yk);
    const count = runReduce('sum', mask, ax, true, 1, ch);
    const gk = g.reshapeView(yk.shape);
    const share = div(gk, count);
    const dx = mul(mask, share);
    for (const t of [yk, mask, count, gk, share]) t.dispose();
    return [dx];
  });
}

/** The gradient of a reduction: g read back at every reduced position (a broadcasting read), scaled. */
function expandBack(g: Tensor, shape: readonly number[], axes: number[], keepDims: boolean, scale: number): Tensor {
  const gk = keepDims ? g.detach() : g.reshapeView(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
  const out = broadcastTo(gk, shape, scale);
  gk.dispose();
  return out;
}

/** float64 references (for tests). */
export function refReduce(kind: 'sum' | 'mean' | 'max', data: Float64Array, shape: readonly number[], axes: number[]): Float64Array {
  const st = stridesOf(shape);
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const ost = stridesOf(outShape);
  const n = outShape.reduce((p, d) => p * d, 1);
  const out = new Float64Array(n).fill(kind === 'max' ? -Infinity : 0);
  const cnt = axes.reduce((p, i) => p * shape[i], 1);
  for (let i = 0; i < data.length; i++) {
    let o = 0;
    let rem = i;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / st[d]);
      rem -= c * st[d];
      if (!axes.includes(d)) o += c * ost[d];
    }
    out[o] = kind === 'max' ? Math.max(out[o], data[i]) : out[o] + data[i];
  }
  if (kind === 'mean') for (let i = 0; i < n; i++) out[i] /= cnt;
  return out;
}
