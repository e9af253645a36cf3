/** sum / mean / max over any set of axes, with their gradients and float64 references. */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d, pack8 } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { normAxes, stridesOf } from '../shape.js';
import { reduceWGSL, type ReduceKind } from '../../shaders/reduce.js';
import { div, equal, mul, mulScalar } from './elementwise.js';
import { expand } from './layout.js';

const COOP_WG = 64;

/** Merge neighbouring axes that are contiguous in the input, to shorten the index loops. */
function coalesce(sizes: number[], strides: number[]): [number[], number[]] {
  const s: number[] = [];
  const t: number[] = [];
  sizes.forEach((n, i) => {
    if (n === 1) return;
    const k = s.length - 1;
    if (k >= 0 && t[k] === strides[i] * n) { s[k] *= n; t[k] = strides[i]; }
    else { s.push(n); t.push(strides[i]); }
  });
  return [s, t];
}

function runReduce(kind: ReduceKind, x: Tensor, axes: number[], keepDims: boolean, scale: number): Tensor {
  const st = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((i) => x.shape[i]);
  const y = Tensor.empty(outShape);
  const nRed = axes.reduce((p, i) => p * x.shape[i], 1);
  const [ks, kt] = coalesce(kept.map((i) => x.shape[i]), kept.map((i) => st[i]));
  const [rs, rt] = coalesce(axes.map((i) => x.shape[i]), axes.map((i) => st[i]));
  const params = new Uint32Array(40);
  params.set([y.size, nRed, ks.length, rs.length]);
  pack8(ks, params, 4); pack8(kt, params, 12); pack8(rs, params, 20); pack8(rt, params, 28);
  new Float32Array(params.buffer)[36] = scale;
  const cooperative = nRed > COOP_WG;
  const wg = cooperative ? COOP_WG : engine().tuning.elementwiseWG;
  engine().runKernel(
    { name: `reduce_${kind}`, key: `${wg}|${cooperative}`, inputs: 1, outputs: 1, uniform: true,
      code: () => reduceWGSL(kind, wg, cooperative) },
    { buffers: [x.buffer, y.buffer], params,
      workgroups: cooperative ? grid1d(y.size, 1) : grid1d(y.size, wg), bytes: (x.size + y.size) * 4 },
  );
  return y;
}

/** Sum over `axes` (all when omitted). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('sum', axes, x.rank);
  const y = runReduce('sum', x, ax, keepDims, 1);
  return record(y, 'sum', [x], (g) => [expandBack(g, x.shape, ax, keepDims)]);
}

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('mean', axes, x.rank);
  const n = ax.reduce((p, i) => p * x.shape[i], 1);
  const y = runReduce('sum', x, ax, keepDims, 1 / n);
  return record(y, 'mean', [x], (g) => {
    const e = expandBack(g, x.shape, ax, keepDims);
    const out = mulScalar(e, 1 / n);
    e.dispose();
    return [out];
  });
}

/** Max over axes. Ties share the gradient equally (like PyTorch's amax). */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('max', axes, x.rank);
  const y = runReduce('max', x, ax, keepDims, 1);
  return record(y, 'max', [x], (g) => {
    const yk = y.reshapeView(x.shape.map((d, i) => (ax.includes(i) ? 1 : d)));
    const mask = equal(x, yk);
    const count = runReduce('sum', mask, ax, true, 1);
    const gk = g.reshapeView(yk.shape);
    const share = div(gk, count);
    const dx = mul(mask, share);
    for (const t of [yk, mask, count, gk, share]) t.dispose();
    return [dx];
  });
}

function expandBack(g: Tensor, shape: readonly number[], axes: number[], keepDims: boolean): Tensor {
  const gk = keepDims ? g.detach() : g.reshapeView(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
  const out = expand(gk, shape);
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
