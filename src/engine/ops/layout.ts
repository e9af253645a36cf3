/**
 * Layout ops: reshape shares storage; permute, slice and concat are copies through one strided
 * copy kernel, expand through the broadcasting copy. Each backward is another layout op (or a
 * sum), so gradients stay on the GPU.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d, pack8 } from '../runtime/grid.js';
import { record } from '../autograd.js';
import { broadcastAxes, broadcastStrides, fmt, ShapeError, stridesOf } from '../shape.js';
import { broadcastCopyKernel, stridedCopyKernel, type BroadcastForm } from '../kernels/layout.js';
import { zeros } from './fill.js';
import { sum } from './reduce.js';
import { broadcastCopyCpu, stridedCopyCpu } from './cpu/layout.js';

/**
 * Merge neighbouring iteration axes along which every stride list is contiguous (stride[k] =
 * stride[k+1] · size[k+1]), and drop axes of size 1: a slice of whole rows or a concat piece
 * becomes one axis. Returns the merged sizes and, per list, the merged strides.
 */
export function mergeAxes(sizes: readonly number[], strideLists: readonly (readonly number[])[]): [number[], number[][]] {
  const s: number[] = [];
  const t: number[][] = strideLists.map(() => []);
  sizes.forEach((n, i) => {
    if (n === 1) return;
    const k = s.length - 1;
    if (k >= 0 && strideLists.every((st, l) => t[l][k] === st[i] * n)) {
      s[k] *= n;
      strideLists.forEach((st, l) => {
        t[l][k] = st[i];
      });
    } else {
      s.push(n);
      strideLists.forEach((st, l) => t[l].push(st[i]));
    }
  });
  return [s, t];
}

function stridedCopy(src: Tensor, dst: Tensor, iter: readonly number[], srcBase: number, srcStr: number[], dstBase: number, dstStr: number[]) {
  const n = iter.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  const [sizes, [ss, ds]] = mergeAxes(iter, [srcStr, dstStr]);
  const eng = engine();
  if (eng.kind === 'cpu') return stridedCopyCpu(eng, src, dst, sizes, srcBase, ss, dstBase, ds);
  const rank = sizes.length <= 1 && (ss[0] ?? 1) === 1 && (ds[0] ?? 1) === 1 ? 'contiguous' : sizes.length;
  const wg = engine().tuning.elementwiseWG;
  const params = new Uint32Array(28);
  params.set([n, sizes.length, srcBase, dstBase]);
  pack8(stridesOf(sizes), params, 4);
  pack8(ss, params, 12);
  pack8(ds, params, 20);
  engine().runKernel(
    { name: 'strided_copy', key: `${wg}|${rank}`, ...stridedCopyKernel(wg, rank) },
    { buffers: [src.buffer, dst.buffer], params, workgroups: grid1d(n, wg), bytes: n * 8 },
  );
}

/**
 * x broadcast to `shape` (NumPy rules, checked by the caller) times `scale`, without autograd:
 * the forward of expand and the backward of sum and mean.
 */
export function broadcastTo(x: Tensor, shape: readonly number[], scale = 1): Tensor {
  const y = Tensor.empty(shape);
  if (y.size === 0) return y;
  const srcStr = broadcastStrides(x.shape, shape);
  const [sizes, [outStr, ss]] = mergeAxes(shape, [stridesOf(shape), srcStr]);
  const eng = engine();
  if (eng.kind === 'cpu') {
    broadcastCopyCpu(eng, x, y, sizes, ss, scale);
    return y;
  }
  // After merging, a broadcast source is a list of kept axes (stride ≠ 0) between repeated ones.
  const kept = ss.map((s, k) => (s ? k : -1)).filter((k) => k >= 0);
  const form: BroadcastForm = kept.length === 0 ? 'scalar' : kept.length === 1 ? 'block' : 'general';
  const inner = kept.length === 1 ? outStr[kept[0]] : 1;
  const count = kept.length === 1 ? sizes[kept[0]] : 1;
  const v = form !== 'general' && (form === 'scalar' ? y.size : inner) % 4 === 0 ? 4 : 1;
  const wg = engine().tuning.elementwiseWG;
  const params = new Uint32Array(24);
  params.set([y.size, sizes.length, inner, count]);
  new Float32Array(params.buffer)[4] = scale;
  pack8(outStr, params, 8);
  pack8(ss, params, 16);
  engine().runKernel(
    { name: 'broadcast_copy', key: `${wg}|${form}|${v}`, ...broadcastCopyKernel(wg, form, v) },
    { buffers: [x.buffer, y.buffer], params, workgroups: grid1d(y.size / v, wg), bytes: (x.size + y.size) * 4 },
  );
  return y;
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
  stridedCopy(
    x,
    y,
    outShape,
    0,
    perm.map((p) => st[p]),
    0,
    stridesOf(outShape),
  );
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
    }),
  );
}

/** Broadcast to a larger shape (NumPy rules) as a real copy. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const off = shape.length - x.rank;
  if (off < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[i + off]))
    throw new ShapeError(`expand: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  const y = broadcastTo(x, shape);
  return record(y, 'expand', [x], (g) => {
    const s = sum(g, broadcastAxes(x.shape, shape), true);
    const out = s.reshapeView(x.shape);
    s.dispose();
    return [out];
  });
}
