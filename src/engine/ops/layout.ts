/**
 * Layout ops: reshape shares storage; permute, slice, concat and expand are copies through one
 * strided-copy kernel. Each backward is another layout op, so gradients stay on the GPU.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d, pack8 } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { broadcastAxes, fmt, ShapeError, stridesOf } from '../shape.js';
import { stridedCopyWGSL } from '../../shaders/layout.js';
import { zeros } from './fill.js';
import { sum } from './reduce.js';

function stridedCopy(src: Tensor, dst: Tensor, iter: readonly number[], srcBase: number, srcStr: number[], dstBase: number, dstStr: number[]) {
  const n = iter.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  const wg = engine().tuning.elementwiseWG;
  const params = new Uint32Array(28);
  params.set([n, iter.length, srcBase, dstBase]);
  pack8(stridesOf(iter), params, 4); pack8(srcStr, params, 12); pack8(dstStr, params, 20);
  engine().runKernel(
    { name: 'strided_copy', key: `${wg}`, inputs: 1, outputs: 1, uniform: true, code: () => stridedCopyWGSL(wg) },
    { buffers: [src.buffer, dst.buffer], params, workgroups: grid1d(n, wg), bytes: n * 8 },
  );
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const y = x.reshapeView(shape);
  return record(y, 'reshape', [x], (g) => [g.reshapeView(x.shape)]);
}

export function flatten(x: Tensor, startAxis = 1): Tensor {
  return reshape(x, [...x.shape.slice(0, startAxis), -1]);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
    throw new ShapeError(`permute: [${perm}] is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  const outShape = perm.map((p) => x.shape[p]);
  const st = stridesOf(x.shape);
  const y = Tensor.empty(outShape);
  stridedCopy(x, y, outShape, 0, perm.map((p) => st[p]), 0, stridesOf(outShape));
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record(y, 'permute', [x], (g) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const r = x.rank;
  const ia = a < 0 ? a + r : a;
  const ib = b < 0 ? b + r : b;
  if (ia < 0 || ib < 0 || ia >= r || ib >= r) throw new ShapeError(`transpose: axes ${a}, ${b} out of range for ${fmt(x.shape)}`);
  const perm = [...Array(r).keys()];
  [perm[ia], perm[ib]] = [perm[ib], perm[ia]];
  return permute(x, perm);
}

/** x[starts[i] : starts[i] + sizes[i]] along each axis (sizes of -1 run to the end). */
export function slice(x: Tensor, starts: readonly number[], sizes: readonly number[]): Tensor {
  if (starts.length !== x.rank || sizes.length !== x.rank)
    throw new ShapeError(`slice: starts [${starts}] / sizes [${sizes}] must have one entry per axis of ${fmt(x.shape)}`);
  const size = sizes.map((s, i) => (s < 0 ? x.shape[i] - starts[i] : s));
  size.forEach((s, i) => {
    if (starts[i] < 0 || s < 0 || starts[i] + s > x.shape[i])
      throw new ShapeError(`slice: axis ${i} range [${starts[i]}, ${starts[i] + s}) is outside ${fmt(x.shape)}`);
  });
  const st = stridesOf(x.shape);
  const base = starts.reduce((p, s, i) => p + s * st[i], 0);
  const y = Tensor.empty(size);
  stridedCopy(x, y, size, base, st, 0, stridesOf(size));
  return record(y, 'slice', [x], (g) => {
    const dx = zeros(x.shape);
    stridedCopy(g, dx, size, 0, stridesOf(size), base, st);
    return [dx];
  });
}

/** Join tensors along `axis`; every other dimension must match. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!xs.length) throw new ShapeError('concat: no tensors');
  const r = xs[0].rank;
  const ax = axis < 0 ? axis + r : axis;
  for (const t of xs)
    if (t.rank !== r || t.shape.some((d, i) => i !== ax && d !== xs[0].shape[i]))
      throw new ShapeError(`concat: ${fmt(t.shape)} does not match ${fmt(xs[0].shape)} outside axis ${axis}`);
  const outShape = [...xs[0].shape];
  outShape[ax] = xs.reduce((p, t) => p + t.shape[ax], 0);
  const y = Tensor.empty(outShape);
  const ost = stridesOf(outShape);
  let offset = 0;
  const offsets: number[] = [];
  for (const t of xs) {
    offsets.push(offset);
    stridedCopy(t, y, t.shape, 0, stridesOf(t.shape), offset * ost[ax], ost);
    offset += t.shape[ax];
  }
  return record(y, 'concat', [...xs], (g, needs) =>
    xs.map((t, i) => {
      if (!needs[i]) return null;
      const starts = outShape.map((_, k) => (k === ax ? offsets[i] : 0));
      return slice(g, starts, t.shape);
    }));
}

/** Broadcast to a larger shape (NumPy rules) as a real copy. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const off = shape.length - x.rank;
  if (off < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[i + off]))
    throw new ShapeError(`expand: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  const st = stridesOf(x.shape);
  const srcStr = shape.map((_, i) => (i < off || x.shape[i - off] === 1 ? 0 : st[i - off]));
  const y = Tensor.empty(shape);
  stridedCopy(x, y, shape, 0, srcStr, 0, stridesOf(shape));
  return record(y, 'expand', [x], (g) => {
    const s = sum(g, broadcastAxes(x.shape, shape), true);
    const out = s.reshapeView(x.shape);
    s.dispose();
    return [out];
  });
}
