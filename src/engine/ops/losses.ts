/**
 * Losses, each the mean over all elements as a scalar tensor. They are compositions of
 * elementwise and reduce primitives, so their gradients come from those ops; `tidy` frees the
 * intermediates that the graph does not keep.
 */
import type { Tensor } from '../tensor.js';
import { tidy } from '../scope.js';
import { fmt, sameShape, ShapeError } from '../shape.js';
import type { RefArray } from '../reference.js';
import { abs, add, addScalar, clamp, exp, log, maximum, mul, neg, rsubScalar, square, sub } from './elementwise.js';
import { mean } from './reduce.js';
import { zeros } from './fill.js';

function checkPair(op: string, a: Tensor, b: Tensor, names: [string, string]): void {
  if (!sameShape(a.shape, b.shape))
    throw new ShapeError(`${op}: ${names[0]} ${fmt(a.shape)} and ${names[1]} ${fmt(b.shape)} must have the same shape`);
}

export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  checkPair('mseLoss', pred, target, ['pred', 'target']);
  return tidy(() => mean(square(sub(pred, target))));
}

export function l1Loss(pred: Tensor, target: Tensor): Tensor {
  checkPair('l1Loss', pred, target, ['pred', 'target']);
  return tidy(() => mean(abs(sub(pred, target))));
}

/**
 * Binary cross-entropy on logits: mean of max(x, 0) − x·t + log(1 + exp(−|x|)). exp never sees a
 * positive argument, so |x| in the thousands stays finite; the log(1 + e) of a tiny e loses at
 * most ~6e-8 absolutely in f32. max is `maximum` against 0 rather than relu because maximum
 * splits the gradient on a tie: at x = 0 that gives ½ + 0 (|x|'(0) = 0), exactly σ(0), where
 * relu'(0) = 0 would lose the ½.
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  checkPair('bceWithLogits', logits, target, ['logits', 'target']);
  return tidy(() => {
    const positivePart = maximum(logits, zeros([]));
    const tail = log(addScalar(exp(neg(abs(logits))), 1));
    return mean(add(sub(positivePart, mul(logits, target)), tail));
  });
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
export const refBceWithLogits = (x: RefArray, t: RefArray) =>
  meanOf(x, t, (v, y) => Math.max(v, 0) - v * y + Math.log1p(Math.exp(-Math.abs(v))));
export function refBce(p: RefArray, t: RefArray, eps = 1e-7): RefArray {
  // The GPU holds the clip bounds in f32; using the same bounds keeps log(1 − p) comparable at the clip.
  const lo = Math.fround(eps), hi = Math.fround(1 - eps);
  return meanOf(p, t, (v, y) => {
    const q = Math.min(Math.max(v, lo), hi);
    return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
  });
}
