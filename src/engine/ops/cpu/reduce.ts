/**
 * sum / max on the CPU backend. Output o (row-major over the kept axes) combines the elements at
 * keptOffset(o) + reducedOffset(r), like the chunked WGSL reduction, but in one pass with f64
 * accumulators: one thread walks a whole reduction at memory speed, so there are no partials.
 * max propagates NaN (Math.max) and starts from −∞, so a reduction of −∞ values stays −∞.
 */
import type { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import type { ReduceKind } from '../../kernels/reduce.js';
import { RowWalk } from './row-walk.js';

/** Axes as [sizes, strides], merged by the caller. */
type Axes = [number[], number[]];

/** Combine `n` values of x spaced `step` from `at` into acc. */
function combineRun(x: Float32Array, at: number, n: number, step: number, acc: number, isMax: boolean): number {
  if (isMax) for (let k = 0; k < n; k++, at += step) acc = Math.max(acc, x[at]);
  else for (let k = 0; k < n; k++, at += step) acc += x[at];
  return acc;
}

/** Kept axes merged into one contiguous run: add whole reduced rows into a row of accumulators. */
function reduceColumns(x: Float32Array, y: Float32Array, red: Axes, isMax: boolean, scale: number): void {
  const nOut = y.length;
  const acc = new Float64Array(nOut).fill(isMax ? -Infinity : 0);
  const walk = new RowWalk(red[0], [red[1]]);
  walk.reset(0);
  for (let row = 0; row < walk.rows; row++, walk.next())
    for (let k = 0, at = walk.at[0]; k < walk.inner; k++, at += walk.step[0]) {
      if (isMax) for (let o = 0; o < nOut; o++) acc[o] = Math.max(acc[o], x[at + o]);
      else for (let o = 0; o < nOut; o++) acc[o] += x[at + o];
    }
  for (let o = 0; o < nOut; o++) y[o] = acc[o] * scale;
}

/** One output at a time: its reduced elements walked run by run. */
function reduceOutputs(x: Float32Array, y: Float32Array, kept: Axes, red: Axes, isMax: boolean, scale: number): void {
  const outs = new RowWalk(kept[0], [kept[1]]);
  const runs = new RowWalk(red[0], [red[1]]);
  outs.reset(0);
  let o = 0;
  for (let row = 0; row < outs.rows; row++, outs.next())
    for (let k = 0; k < outs.inner; k++) {
      runs.reset(outs.at[0] + k * outs.step[0]);
      let acc = isMax ? -Infinity : 0;
      for (let r = 0; r < runs.rows; r++, runs.next()) acc = combineRun(x, runs.at[0], runs.inner, runs.step[0], acc, isMax);
      y[o++] = acc * scale;
    }
}

/** out[o] = scale · (Σ or max) over the reduced axes; `out` holds one element per kept position. */
export function reduceCpu(eng: CpuEngine, kind: ReduceKind, src: Tensor, out: Tensor, kept: Axes, red: Axes, scale: number): void {
  eng.kernel(
    `reduce_${kind}`,
    () => {
      const x = src.data,
        y = out.data;
      const isMax = kind === 'max';
      const columns = kept[0].length === 1 && kept[1][0] === 1 && red[0].length > 0;
      if (columns) reduceColumns(x, y, red, isMax, scale);
      else reduceOutputs(x, y, kept, red, isMax, scale);
    },
    0,
    4 * (src.size + out.size),
  );
}
