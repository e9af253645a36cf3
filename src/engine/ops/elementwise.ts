/**
 * Elementwise ops as tables: each row holds the WGSL forward, the WGSL derivative, and a float64
 * reference that tests compare against. Everything else (kernels, broadcasting, backward
 * wiring) is shared, so adding an op is one row.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d, pack8 } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { broadcastAxes, broadcastShapes, broadcastStrides, sameShape, stridesOf } from '../shape.js';
import { binaryKernel, unaryBackwardKernel, unaryForwardKernel } from '../kernels/elementwise.js';
import { sum } from './reduce.js';
import { mergeAxes } from './layout.js';
import { binaryCpu, unaryCpu } from './cpu/elementwise.js';

export interface UnaryDef {
  fwd: string;
  /** Derivative times g, in x, y (the output), g, p0, p1; null for non-differentiable ops. */
  bwd: string | null;
  ref: (x: number, p0: number, p1: number) => number;
}

// Derivatives at kinks follow PyTorch: relu'(0) = 0, |x|'(0) = 0, clamp passes its closed interval.
export const unaryOps = {
  neg: { fwd: '-x', bwd: '-g', ref: (x) => -x },
  exp: { fwd: 'exp(x)', bwd: 'g * y', ref: Math.exp },
  log: { fwd: 'log(x)', bwd: 'g / x', ref: Math.log },
  sqrt: { fwd: 'sqrt(x)', bwd: 'g * 0.5 / y', ref: Math.sqrt },
  abs: { fwd: 'abs(x)', bwd: 'g * sign(x)', ref: Math.abs },
  square: { fwd: 'x * x', bwd: 'g * 2.0 * x', ref: (x) => x * x },
  relu: { fwd: 'max(x, 0.0)', bwd: 'select(0.0, g, x > 0.0)', ref: (x) => Math.max(x, 0) },
  leakyRelu: { fwd: 'select(p0 * x, x, x > 0.0)', bwd: 'select(p0 * g, g, x > 0.0)', ref: (x, a) => (x > 0 ? x : a * x) },
  // Stable in both tails: exp of a large positive argument is never formed.
  sigmoid: {
    fwd: 'select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0)',
    bwd: 'g * y * (1.0 - y)',
    ref: (x) => 1 / (1 + Math.exp(-x)),
  },
  // WGSL's tanh overflows to NaN for |x| ≳ 45 on some drivers; clamping is exact in f32 there.
  tanh: { fwd: 'tanh(clamp(x, -15.0, 15.0))', bwd: 'g * (1.0 - y * y)', ref: Math.tanh },
  addScalar: { fwd: 'x + p0', bwd: 'g', ref: (x, s) => x + s },
  mulScalar: { fwd: 'x * p0', bwd: 'g * p0', ref: (x, s) => x * s },
  rsubScalar: { fwd: 'p0 - x', bwd: '-g', ref: (x, s) => s - x },
  powScalar: { fwd: 'pow(x, p0)', bwd: 'g * p0 * pow(x, p0 - 1.0)', ref: (x, e) => x ** e },
  clamp: { fwd: 'clamp(x, p0, p1)', bwd: 'select(0.0, g, x >= p0 && x <= p1)', ref: (x, lo, hi) => Math.min(Math.max(x, lo), hi) },
} satisfies Record<string, UnaryDef>;
export type UnaryName = keyof typeof unaryOps;

export interface BinaryDef {
  fwd: string;
  /** Gradient expressions for a and b in a, b, g; null where not differentiable. */
  da: string | null;
  db: string | null;
  ref: (a: number, b: number) => number;
}

// minimum/maximum split the gradient evenly on ties, as PyTorch does.
export const binaryOps = {
  add: { fwd: 'a + b', da: 'g', db: 'g', ref: (a, b) => a + b },
  sub: { fwd: 'a - b', da: 'g', db: '-g', ref: (a, b) => a - b },
  mul: { fwd: 'a * b', da: 'g * b', db: 'g * a', ref: (a, b) => a * b },
  div: { fwd: 'a / b', da: 'g / b', db: '-g * a / (b * b)', ref: (a, b) => a / b },
  pow: { fwd: 'pow(a, b)', da: 'g * b * pow(a, b - 1.0)', db: 'g * pow(a, b) * log(a)', ref: (a, b) => a ** b },
  minimum: {
    fwd: 'min(a, b)',
    da: 'g * select(select(0.0, 0.5, a == b), 1.0, a < b)',
    db: 'g * select(select(0.0, 0.5, a == b), 1.0, b < a)',
    ref: Math.min,
  },
  maximum: {
    fwd: 'max(a, b)',
    da: 'g * select(select(0.0, 0.5, a == b), 1.0, a > b)',
    db: 'g * select(select(0.0, 0.5, a == b), 1.0, b > a)',
    ref: Math.max,
  },
  equal: { fwd: 'select(0.0, 1.0, a == b)', da: null, db: null, ref: (a, b) => (a === b ? 1 : 0) },
  greater: { fwd: 'select(0.0, 1.0, a > b)', da: null, db: null, ref: (a, b) => (a > b ? 1 : 0) },
} satisfies Record<string, BinaryDef>;
export type BinaryName = keyof typeof binaryOps;

function unaryKernel(name: string, expr: string, backward: boolean) {
  const wg = engine().tuning.elementwiseWG;
  return { name: backward ? `${name}_bwd` : name, key: `${wg}`, ...(backward ? unaryBackwardKernel(expr, wg) : unaryForwardKernel(expr, wg)) };
}

function runUnary(name: string, expr: string, backward: boolean, buffers: GPUBuffer[], n: number, p0: number, p1: number) {
  const params = new ArrayBuffer(16);
  new Uint32Array(params, 0, 1)[0] = n;
  new Float32Array(params, 8, 2).set([p0, p1]);
  const wg = engine().tuning.elementwiseWG;
  engine().runKernel(unaryKernel(name, expr, backward), {
    buffers,
    params: new Uint8Array(params),
    workgroups: grid1d(n, wg),
    bytes: n * 4 * (backward ? 4 : 2),
  });
}

export function unary(name: UnaryName, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const def: UnaryDef = unaryOps[name];
  const eng = engine();
  const cpu = eng.kind === 'cpu' ? eng : null;
  let y: Tensor;
  if (cpu) y = unaryCpu(cpu, name, def.fwd, x, p0, p1);
  else {
    y = Tensor.empty(x.shape);
    runUnary(name, def.fwd, false, [x.buffer, y.buffer], x.size, p0, p1);
  }
  if (!def.bwd) return y;
  const bwd = def.bwd;
  return record(y, name, [x], (g) => {
    if (cpu) return [unaryCpu(cpu, name, bwd, x, p0, p1, y, g)];
    const dx = Tensor.empty(x.shape);
    runUnary(name, bwd, true, [x.buffer, y.buffer, g.buffer, dx.buffer], x.size, p0, p1);
    return [dx];
  });
}

function runBinary(name: string, expr: string, a: Tensor, b: Tensor, outShape: readonly number[], g?: Tensor): Tensor {
  const eng = engine();
  if (eng.kind === 'cpu') return binaryCpu(eng, name, expr, a, b, outShape, g);
  const y = Tensor.empty(outShape);
  const broadcast = !(sameShape(a.shape, outShape) && sameShape(b.shape, outShape));
  const wg = engine().tuning.elementwiseWG;
  const params = new Uint32Array(28);
  params[0] = y.size;
  let rank = 0;
  if (broadcast) {
    const [sizes, [os, as, bs]] = mergeAxes(outShape, [
      stridesOf(outShape),
      broadcastStrides(a.shape, outShape),
      broadcastStrides(b.shape, outShape),
    ]);
    // Every axis of size 1 (a [1] against a []): one element, read at offset 0 by both.
    const one = !sizes.length;
    rank = one ? 1 : sizes.length;
    params[1] = rank;
    pack8(one ? [1] : os, params, 4);
    pack8(one ? [0] : as, params, 12);
    pack8(one ? [0] : bs, params, 20);
  }
  const kname = g ? `${name}_bwd` : name;
  engine().runKernel(
    { name: kname, key: `${wg}|${rank}|${expr}`, ...binaryKernel(expr, wg, rank, !!g) },
    {
      buffers: g ? [a.buffer, b.buffer, g.buffer, y.buffer] : [a.buffer, b.buffer, y.buffer],
      params,
      workgroups: grid1d(y.size, wg),
      bytes: y.size * 4 * (g ? 4 : 3),
    },
  );
  return y;
}

/** Sum a gradient computed at the broadcast shape back down to an input's shape. */
export function reduceToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const summed = sum(grad, broadcastAxes(shape, grad.shape), true);
  const out = summed.reshapeView(shape);
  summed.dispose();
  grad.dispose();
  return out;
}

export function binary(name: BinaryName, a: Tensor, b: Tensor): Tensor {
  const def: BinaryDef = binaryOps[name];
  const outShape = broadcastShapes(name, a.shape, b.shape);
  const y = runBinary(name, def.fwd, a, b, outShape);
  if (!def.da && !def.db) return y;
  return record(y, name, [a, b], (g, needs) => {
    const grads: (Tensor | null)[] = [null, null];
    ([def.da, def.db] as const).forEach((expr, i) => {
      if (!needs[i] || !expr) return;
      const target = i === 0 ? a : b;
      // The identity gradient of add/sub on an unbroadcast input needs no kernel.
      const gi = expr === 'g' ? g.detach() : runBinary(name, expr, a, b, outShape, g);
      grads[i] = reduceToShape(gi, target.shape);
    });
    return grads;
  });
}

export const add = (a: Tensor, b: Tensor) => binary('add', a, b);
export const sub = (a: Tensor, b: Tensor) => binary('sub', a, b);
export const mul = (a: Tensor, b: Tensor) => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor) => binary('div', a, b);
export const pow = (a: Tensor, b: Tensor) => binary('pow', a, b);
export const minimum = (a: Tensor, b: Tensor) => binary('minimum', a, b);
export const maximum = (a: Tensor, b: Tensor) => binary('maximum', a, b);
export const equal = (a: Tensor, b: Tensor) => binary('equal', a, b);
export const greater = (a: Tensor, b: Tensor) => binary('greater', a, b);

export const neg = (x: Tensor) => unary('neg', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const abs = (x: Tensor) => unary('abs', x);
export const square = (x: Tensor) => unary('square', x);
export const relu = (x: Tensor) => unary('relu', x);
export const leakyRelu = (x: Tensor, alpha = 0.01) => unary('leakyRelu', x, alpha);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const addScalar = (x: Tensor, s: number) => unary('addScalar', x, s);
export const mulScalar = (x: Tensor, s: number) => unary('mulScalar', x, s);
export const rsubScalar = (s: number, x: Tensor) => unary('rsubScalar', x, s);
export const powScalar = (x: Tensor, e: number) => unary('powScalar', x, e);
export const clamp = (x: Tensor, lo: number, hi: number) => unary('clamp', x, lo, hi);
