/** Shape arithmetic shared by ops. All tensors are contiguous row-major (NCHW for images). */
import { EngineError } from './errors.js';

export type Shape = readonly number[];

export class ShapeError extends EngineError {
  override name = 'ShapeError';
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertShape(op: string, ok: boolean, msg: string): void {
  if (!ok) throw new ShapeError(`${op}: ${msg}`);
}

/** NumPy broadcasting of two shapes; throws with both shapes when they are incompatible. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new ShapeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides for reading `shape` as if broadcast to `outShape` (0 along broadcast axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]));
}

/** Normalise possibly negative axes; throws on out-of-range or repeated axes. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return [...Array(rank).keys()];
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = list.map((a) => {
    const r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) throw new ShapeError(`${op}: axis ${a} out of range for rank ${rank}`);
    return r;
  });
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: repeated axis in [${list}]`);
  return out.sort((x, y) => x - y);
}

/** Axes of `outShape` that were broadcast from `inShape` (to sum a gradient back down). */
export function broadcastAxes(inShape: Shape, outShape: Shape): number[] {
  const off = outShape.length - inShape.length;
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) if (i < off || (inShape[i - off] === 1 && outShape[i] !== 1)) axes.push(i);
  return axes;
}
