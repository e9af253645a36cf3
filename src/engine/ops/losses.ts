/**
 * Losses, each the mean over all elements as a scalar tensor. mseLoss, l1Loss and bceWithLogits
 * are fused (src/engine/kernels/losses.ts): the forward is one chunked reduction of the per-element term
 * (plus a small pass over its partials), the backward one elementwise kernel. bce (on
 * probabilities) is a composition of elementwise and reduce primitives, which give its gradient.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { tidy } from '../scope.js';
import { fmt, sameShape, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { add, clamp, log, mul, neg, rsubScalar } from './elementwise.js';
import { mean, planReduce, reduceChoice, runChunked, sumPartials, type ReduceWalk } from './reduce.js';
import { WALK_WORDS } from '../kernels/chunked-reduce.js';
import { lossBackwardKernel, lossPartialSpec } from '../kernels/losses.js';
import { fusedLossBackwardCpu, fusedLossForwardCpu } from './cpu/losses.js';

function checkPair(op: string, a: Tensor, b: Tensor, names: [string, string]): void {
  if (!sameShape(a.shape, b.shape))
    throw new ShapeError(`${op}: ${names[0]} ${fmt(a.shape)} and ${names[1]} ${fmt(b.shape)} must have the same shape`);
}

/** A fused loss: the per-element term and its derivatives (times g) in a, b; WGSL. */
interface FusedLoss {
  term: string;
  da: string;
  db: string;
}

const fusedLosses = {
  mse: { term: '(a - b) * (a - b)', da: '2.0 * (a - b) * g', db: '-2.0 * (a - b) * g' },
  // |a − b|'(0) = 0, as PyTorch.
  l1: { term: 'abs(a - b)', da: 'sign(a - b) * g', db: '-sign(a - b) * g' },
  /**
   * max(x, 0) − x·t + log(1 + exp(−|x|)): exp never sees a positive argument, so |x| in the
   * thousands stays finite; the log(1 + e) of a tiny e loses at most ~6e-8 absolutely in f32.
   * d/dx = σ(x) − t everywhere (at x = 0 too, where the two kinks cancel).
   */
  bceWithLogits: { term: 'max(a, 0.0) - a * b + log(1.0 + exp(-abs(a)))', da: '(sigmoidStable(a) - b) * g', db: '-a * g' },
} satisfies Record<string, FusedLoss>;

function fusedLoss(name: keyof typeof fusedLosses, a: Tensor, b: Tensor): Tensor {
  const def: FusedLoss = fusedLosses[name];
  const eng = engine();
  if (eng.kind === 'cpu') {
    const loss = fusedLossForwardCpu(eng, name, def.term, a, b);
    return record(loss, `${name}_loss`, [a, b], (g, needs) =>
      fusedLossBackwardCpu(eng, name, needs[0] ? def.da : null, needs[1] ? def.db : null, a, b, g),
    );
  }
  const n = a.size;
  const walk: ReduceWalk = { nOut: 1, nRed: n, run: n, runStride: 1 };
  const ch = reduceChoice();
  const plan = planReduce(walk, ch);
  const part = Tensor.empty([plan.chunks]);
  const params = new Uint32Array(WALK_WORDS + 4);
  new Float32Array(params.buffer)[WALK_WORDS] = plan.chunks === 1 ? 1 / n : 1;
  runChunked(`${name}_loss`, name, lossPartialSpec(def.term), walk, plan, [a.buffer, b.buffer, part.buffer], params, n * 8);
  const loss = sumPartials(part, plan.chunks, [], 1 / n, ch);
  return record(loss, `${name}_loss`, [a, b], (g, needs) => {
    const grads = [needs[0] ? Tensor.empty(a.shape) : null, needs[1] ? Tensor.empty(b.shape) : null];
    const outs = grads.filter((t): t is Tensor => !!t);
    if (!outs.length) return grads;
    const wg = engine().tuning.elementwiseWG;
    const v = n % 4 === 0 ? 4 : 1;
    const p = new Uint32Array(4);
    p[0] = n;
    new Float32Array(p.buffer)[2] = 1 / n;
    const [da, db] = [needs[0] ? def.da : null, needs[1] ? def.db : null];
    engine().runKernel(
      { name: `${name}_loss_bwd`, key: `${wg}|${v}|${!!da}|${!!db}`, ...lossBackwardKernel(da, db, wg, v) },
      {
        buffers: [a.buffer, b.buffer, g.buffer, ...outs.map((t) => t.buffer)],
        params: p,
        workgroups: grid1d(n / v, wg),
        bytes: n * 4 * (2 + outs.length),
      },
    );
    return grads;
  });
}

export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  checkPair('mseLoss', pred, target, ['pred', 'target']);
  return fusedLoss('mse', pred, target);
}

export function l1Loss(pred: Tensor, target: Tensor): Tensor {
  checkPair('l1Loss', pred, target, ['pred', 'target']);
  return fusedLoss('l1', pred, target);
}

/** Binary cross-entropy on logits (see fusedLosses.bceWithLogits for the numerics). */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  checkPair('bceWithLogits', logits, target, ['logits', 'target']);
  return fusedLoss('bceWithLogits', logits, target);
}

/**
 * Binary cross-entropy on probabilities, as Keras computes it: p is clipped to [eps, 1 − eps]
 * (bounds held in f32, gradient 0 outside them), then −(t·log p + (1 − t)·log(1 − p)).
 */
export function bce(prob: Tensor, target: Tensor, eps = 1e-7): Tensor {
  checkPair('bce', prob, target, ['prob', 'target']);
  return tidy(() => {
    const p = clamp(prob, eps, 1 - eps);
    const hit = mul(target, log(p));
    const miss = mul(rsubScalar(1, target), log(rsubScalar(1, p)));
    return neg(mean(add(hit, miss)));
  });
}

/** float64 references (scalar results, shape []). */
const meanOf = (a: RefArray, b: RefArray, f: (x: number, y: number) => number): RefArray => {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += f(a.data[i], b.data[i]);
  return { data: Float64Array.of(s / a.data.length), shape: [] };
};

export const refMseLoss = (p: RefArray, t: RefArray) => meanOf(p, t, (x, y) => (x - y) ** 2);
export const refL1Loss = (p: RefArray, t: RefArray) => meanOf(p, t, (x, y) => Math.abs(x - y));
export const refBceWithLogits = (x: RefArray, t: RefArray) => meanOf(x, t, (v, y) => Math.max(v, 0) - v * y + Math.log1p(Math.exp(-Math.abs(v))));
export function refBce(p: RefArray, t: RefArray, eps = 1e-7): RefArray {
  // The GPU holds the clip bounds in f32; using the same bounds keeps log(1 − p) comparable at the clip.
  const lo = Math.fround(eps),
    hi = Math.fround(1 - eps);
  return meanOf(p, t, (v, y) => {
    const q = Math.min(Math.max(v, lo), hi);
    return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
  });
}
