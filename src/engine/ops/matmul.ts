/**
 * Matrix multiplication with NumPy batch broadcasting, optional transposed operands and a fused
 * bias, plus its backward and a float64 reference.
 *
 * Transposes are kernel flags, never copies: every gradient is one more matmul with the right
 * flags. When B is a plain matrix shared by a batch of A's, the batch is folded into A's rows (a
 * [b, M, K] · [K, N] product is one [b·M, K] · [K, N] product), which gives the kernel taller
 * matrices and turns B's gradient into one matmul instead of b matmuls and a sum.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { pack8 } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { broadcastShapes, fmt, ShapeError, stridesOf, type Shape } from '../shape.js';
import type { RefArray } from '../reference.js';
import { matmulKernel, type BiasMode, type MatmulConfig, type MatmulTiles } from '../kernels/matmul.js';
import { reduceToShape } from './elementwise.js';
import { sum } from './reduce.js';
import { matmulCpu } from './cpu/matmul.js';
import { EngineError } from '../errors.js';

export interface MatmulOptions {
  /** Use A's last two axes transposed: A holds [..., K, M]. */
  transA?: boolean;
  /** Use B's last two axes transposed: B holds [..., N, K]. */
  transB?: boolean;
  /** Added to every [M, N] matrix of the product: shape [N] / [1, N] (per column) or [M, 1] (per row). */
  bias?: Tensor;
}

/** Kernel variant and tile sizes; by default chosen from the adapter (tests and benchmarks override). */
export interface MatmulKernelChoice extends MatmulTiles {
  /** Split-K chunks: 0 lets the heuristic decide (GPUs only), 1 disables, n forces up to n. */
  splitK: number;
}

let kernelOverride: Partial<MatmulKernelChoice> | undefined;

/** Force a kernel variant / tile shape (tests cover both variants on one adapter; benchmarks sweep). */
export function setMatmulKernel(choice: Partial<MatmulKernelChoice> | undefined): void {
  kernelOverride = choice;
}

function kernelChoice(): MatmulKernelChoice {
  const eng = engine();
  const t = eng.tuning.matmul;
  const base: MatmulKernelChoice = {
    variant: eng.adapter.isSoftware ? 'registers' : 'workgroup',
    // tileK 32 beat 16 on an H200 (fewer barriers per k) except at 4096³, where it lost 10%.
    rows: t.rows,
    vec4Cols: t.vec4Cols,
    wgX: t.wgX,
    wgY: t.wgY,
    tileK: 32,
    splitK: eng.adapter.isSoftware ? 1 : 0,
  };
  return { ...base, ...kernelOverride };
}

/**
 * How many k chunks to run in parallel. A GPU needs a few hundred workgroups in flight; a product
 * with a small C and a long K (weight gradients: [Cout, Cin·9] from a K of batch·H·W) has only a
 * handful of tiles, so each would walk all of K alone. Chunks stay ≥ 256 deep so that the extra
 * partial sums (and the reduction over them) cost little next to the products.
 */
const SPLIT_TARGET_WORKGROUPS = 256;
const SPLIT_MIN_CHUNK = 256;

function splitCount(forced: number, tiles: number, K: number): number {
  if (forced >= 1) return Math.max(1, Math.min(forced, Math.ceil(K / 4)));
  if (tiles >= SPLIT_TARGET_WORKGROUPS / 4) return 1;
  return Math.max(1, Math.min(Math.ceil(SPLIT_TARGET_WORKGROUPS / tiles), Math.floor(K / SPLIT_MIN_CHUNK)));
}

/** The shape of op(X) for a matrix operand: its last two axes, swapped when transposed. */
function matrixDims(shape: Shape, trans: boolean): [number, number] {
  const r = shape[shape.length - 2],
    c = shape[shape.length - 1];
  return trans ? [c, r] : [r, c];
}

/**
 * Run the kernel on tensors of rank ≥ 2 whose shapes were already checked. Returns C with shape
 * [...broadcast batch, M, N].
 */
function runMatmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean, bias?: Tensor, biasMode: BiasMode = 'none'): Tensor {
  const [M0, K] = matrixDims(a.shape, transA);
  const [, N] = matrixDims(b.shape, transB);
  const batchA = a.shape.slice(0, -2),
    batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const outShape = [...batch, M0, N];

  // Fold A's batch into its rows when B is shared and A's rows are contiguous across the batch.
  const fold = !transA && batchB.every((d) => d === 1) && batchA.length > 0 && biasMode !== 'row';
  const M = fold ? M0 * batchA.reduce((p, d) => p * d, 1) : M0;
  const kBatch = fold ? [] : batch;
  const nBatch = kBatch.reduce((p, d) => p * d, 1);

  // Batch strides of each operand along the broadcast batch shape (0 where it broadcasts).
  const strideAlong = (own: Shape, matSize: number) => {
    const off = kBatch.length - own.length;
    const st = stridesOf(own);
    return kBatch.map((_, i) => (i < off || own[i - off] === 1 ? 0 : st[i - off] * matSize));
  };
  const eng = engine();
  if (eng.kind === 'cpu') {
    const plan = { M, N, K, transA, transB, batch: kBatch, strideA: strideAlong(batchA, M0 * K), strideB: strideAlong(batchB, K * N), outShape };
    return matmulCpu(eng, a, b, plan, bias, biasMode);
  }
  const choice = kernelChoice();
  const tileM = choice.rows * choice.wgY,
    tileN = 4 * choice.vec4Cols * choice.wgX;
  const tiles = Math.ceil(M / tileM) * Math.ceil(N / tileN) * nBatch;
  // Split-K chunks are multiples of 4 so that every chunk starts on a vec4 boundary. A bias would
  // be added once per chunk, so a biased product is never split.
  let splits = biasMode === 'none' ? splitCount(choice.splitK, tiles, K) : 1;
  const kChunk = splits > 1 ? Math.ceil(K / splits / 4) * 4 : Math.max(K, 1);
  if (splits > 1) splits = Math.ceil(K / kChunk);

  const params = new Uint32Array(32);
  params.set([M, N, K, kBatch.length, splits, kChunk]);
  pack8(kBatch, params, 8);
  pack8(strideAlong(batchA, M0 * K), params, 16);
  pack8(strideAlong(batchB, K * N), params, 24);

  const cfg: MatmulConfig = {
    ...choice,
    transA,
    transB,
    bias: biasMode,
    // vec4 bindings only where every vec4 read lands on a 16-byte boundary (see the shader).
    aVec: transA ? M % 4 === 0 && choice.rows % 4 === 0 : K % 4 === 0,
    bVec: transB ? K % 4 === 0 : N % 4 === 0,
    cVec: N % 4 === 0,
  };
  const key = [cfg.variant, cfg.rows, cfg.vec4Cols, cfg.wgX, cfg.wgY, cfg.tileK, +transA, +transB, +cfg.aVec, +cfg.bVec, +cfg.cVec, biasMode].join(
    '|',
  );

  // With split-K the kernel writes partial products [batch, splits, M, N], summed over splits below.
  const c = Tensor.empty(splits > 1 ? [nBatch, splits, M, N] : outShape);
  const max = engine().adapter.limits.maxComputeWorkgroupsPerDimension ?? 65535;
  if (nBatch * splits > max) throw new EngineError(`matmul: batch of ${nBatch} matrices exceeds ${max} workgroups per dimension`);
  const buffers = [a.buffer, b.buffer, ...(bias ? [bias.buffer] : []), c.buffer];
  engine().runKernel(
    { name: 'matmul', key, ...matmulKernel(cfg) },
    {
      buffers,
      params,
      workgroups: [Math.ceil(N / tileN), Math.ceil(M / tileM), nBatch * splits],
      flops: 2 * M * N * K * nBatch,
      bytes: 4 * (a.size + b.size + c.size),
    },
  );
  if (splits === 1) return c;
  const total = sum(c, 1);
  c.dispose();
  const out = total.reshapeView(outShape);
  total.dispose();
  return out;
}

/** Bias shape → which axis of C it runs along. Throws for anything else. */
function biasModeOf(bias: Tensor, M: number, N: number, a: Shape, b: Shape): BiasMode {
  const s = bias.shape;
  if ((s.length === 1 && s[0] === N) || (s.length === 2 && s[0] === 1 && s[1] === N)) return 'col';
  if (s.length === 2 && s[0] === M && s[1] === 1) return 'row';
  throw new ShapeError(`matmul: bias ${fmt(s)} must be [${N}] / [1, ${N}] (per column) or [${M}, 1] (per row) for a ${fmt(a)} · b ${fmt(b)}`);
}

/** A 1-D operand as a matrix view: A as a row [1, K], B as a column [K, 1]. */
const liftA = (t: Tensor) => (t.rank === 1 ? t.reshapeView([1, t.shape[0]]) : t);
const liftB = (t: Tensor) => (t.rank === 1 ? t.reshapeView([t.shape[0], 1]) : t);
/** Free a view made by liftA/liftB (never the caller's tensor). */
const dropView = (view: Tensor, original: Tensor) => {
  if (view !== original) view.dispose();
};
/** Give a tensor another shape, consuming it (no-op when the shape already matches). */
function reshapeOwned(t: Tensor, shape: Shape): Tensor {
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  const v = t.reshapeView(shape);
  t.dispose();
  return v;
}

/**
 * C = op(A) · op(B) (+ bias). Ranks ≥ 1 follow NumPy: a 1-D A is a row vector and a 1-D B a
 * column vector, and that axis is dropped from the result; batch axes broadcast.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const transA = !!opts.transA,
    transB = !!opts.transB;
  const both = `a ${fmt(a.shape)}${transA ? 'ᵀ' : ''} · b ${fmt(b.shape)}${transB ? 'ᵀ' : ''}`;
  if (a.rank === 0 || b.rank === 0) throw new ShapeError(`matmul: scalars are not matrices (${both})`);
  if ((a.rank === 1 && transA) || (b.rank === 1 && transB)) throw new ShapeError(`matmul: a 1-D operand cannot be transposed (${both})`);
  if ((a.rank === 1 || b.rank === 1) && opts.bias) throw new ShapeError(`matmul: a fused bias needs matrix operands (${both})`);
  const [M, Ka] = matrixDims(a.rank === 1 ? [1, a.shape[0]] : a.shape, transA);
  const [Kb, N] = matrixDims(b.rank === 1 ? [b.shape[0], 1] : b.shape, transB);
  if (Ka !== Kb) throw new ShapeError(`matmul: inner dimensions differ (${Ka} vs ${Kb}) in ${both}`);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new ShapeError(`matmul: batch dimensions cannot be broadcast in ${both}`);
  }
  const bias = opts.bias;
  const mode = bias ? biasModeOf(bias, M, N, a.shape, b.shape) : 'none';

  const a2 = liftA(a),
    b2 = liftB(b);
  const c2 = runMatmul(a2, b2, transA, transB, bias, mode);
  dropView(a2, a);
  dropView(b2, b);
  const shape2 = [...batch, M, N];
  const outShape = shape2.filter((_, i) => !(a.rank === 1 && i === shape2.length - 2) && !(b.rank === 1 && i === shape2.length - 1));
  const c = reshapeOwned(c2, outShape);
  const inputs = bias ? [a, b, bias] : [a, b];
  return record(c, 'matmul', inputs, (g, needs) => {
    // Work on matrix views of everything, then give each gradient its input's shape back.
    const ga = liftA(a),
      gb = liftB(b),
      gg = g.reshapeView(shape2);
    const grads = matmulBackward(gg, ga, gb, transA, transB, needs, bias);
    dropView(ga, a);
    dropView(gb, b);
    gg.dispose();
    return grads.map((t, i) => (t ? reshapeOwned(t, inputs[i].shape) : null));
  });
}

/**
 * With C = op(A)·op(B): dop(A) = G·op(B)ᵀ and dop(B) = op(A)ᵀ·G. A transposed operand gets the
 * transpose of that, written as a product with swapped factors (Xᵀ = (PQ)ᵀ = QᵀPᵀ), so every case
 * is one matmul with flags. Gradients computed at the broadcast batch shape are summed back down.
 */
function matmulBackward(g: Tensor, a: Tensor, b: Tensor, transA: boolean, transB: boolean, needs: boolean[], bias?: Tensor): (Tensor | null)[] {
  let da: Tensor | null = null,
    db: Tensor | null = null,
    dbias: Tensor | null = null;
  if (needs[0]) {
    da = transA ? runMatmul(b, g, transB, true) : runMatmul(g, b, false, !transB);
    da = reduceToShape(da, a.shape);
  }
  if (needs[1]) {
    if (b.rank === 2 && a.rank > 2 && !transA) {
      // Fold the batch into the contraction: dB = Σ_z A_zᵀ G_z = A'ᵀ G' with A' = [b·M, K], G' = [b·M, N].
      const a2 = a.reshapeView([-1, a.shape[a.rank - 1]]);
      const g2 = g.reshapeView([-1, g.shape[g.rank - 1]]);
      db = transB ? runMatmul(g2, a2, true, false) : runMatmul(a2, g2, true, false);
      a2.dispose();
      g2.dispose();
    } else {
      db = transB ? runMatmul(g, a, true, transA) : runMatmul(a, g, !transA, false);
      db = reduceToShape(db, b.shape);
    }
  }
  // The bias was broadcast over the batch and over C's other matrix axis: sum those away.
  if (bias && needs[2]) dbias = reduceToShape(g.detach(), bias.shape);
  return bias ? [da, db, dbias] : [da, db];
}

/** float64 reference: NumPy matmul semantics with the same flags and bias. */
export function refMatmul(a: RefArray, b: RefArray, opts: { transA?: boolean; transB?: boolean; bias?: RefArray } = {}): RefArray {
  const vecA = a.shape.length === 1,
    vecB = b.shape.length === 1;
  const as = vecA ? [1, a.shape[0]] : a.shape,
    bs = vecB ? [b.shape[0], 1] : b.shape;
  const [M, K] = matrixDims(as, !!opts.transA);
  const [, N] = matrixDims(bs, !!opts.transB);
  const batchA = as.slice(0, -2),
    batchB = bs.slice(0, -2);
  const batch = broadcastShapes('refMatmul', batchA, batchB);
  const nBatch = batch.reduce((p, d) => p * d, 1);
  const bst = stridesOf(batch);
  const offsetOf = (own: number[], z: number, size: number) => {
    const st = stridesOf(own),
      off = batch.length - own.length;
    let o = 0;
    for (let d = 0; d < batch.length; d++) {
      const i = Math.floor(z / bst[d]) % batch[d];
      if (d >= off && own[d - off] !== 1) o += i * st[d - off];
    }
    return o * size;
  };
  const out = new Float64Array(nBatch * M * N);
  const bias = opts.bias;
  const bsh = bias?.shape ?? [];
  // Same rule as biasModeOf: [N] and [1, N] run along columns, [M, 1] along rows.
  const biasPerColumn = (bsh.length === 1 && bsh[0] === N) || (bsh.length === 2 && bsh[0] === 1 && bsh[1] === N);
  for (let z = 0; z < nBatch; z++) {
    const ao = offsetOf(batchA, z, M * K),
      bo = offsetOf(batchB, z, K * N);
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = a.data[ao + (opts.transA ? k * M + m : m * K + k)];
          const bv = b.data[bo + (opts.transB ? n * K + k : k * N + n)];
          s += av * bv;
        }
        if (bias) s += biasPerColumn ? bias.data[n] : bias.data[m];
        out[z * M * N + m * N + n] = s;
      }
  }
  let shape = [...batch, M, N];
  if (vecA) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (vecB) shape = shape.filter((_, i) => i !== shape.length - 1);
  return { data: out, shape };
}
