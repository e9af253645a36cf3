/**
 * The fused losses on the CPU backend, from the same term and derivative expressions as the WGSL
 * kernels (losses.ts, compiled by wgsl-expr.ts): the forward is one f64 sum of the term over the
 * flat tensors divided by n, the backward one loop per requested gradient with g = dLoss · (1/n)
 * held in f32, as the WGSL kernel computes it.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import { mapLoop, sumLoop } from './wgsl-expr.js';

const NONE = new Float32Array(0);
const PAIR = ['a', 'b'] as const;

/** mean(term(a, b)) as a scalar tensor. */
export function fusedLossForwardCpu(eng: CpuEngine, name: string, term: string, a: Tensor, b: Tensor): Tensor {
  return eng.kernel(
    `${name}_loss`,
    () => {
      const loss = Tensor.empty([]);
      const n = a.size;
      loss.data[0] = n ? sumLoop(term, PAIR)(n, a.data, b.data) / n : NaN;
      return loss;
    },
    0,
    a.size * 8,
  );
}

/** [dA, dB] for the derivative expressions given (null: that gradient is not wanted). */
export function fusedLossBackwardCpu(
  eng: CpuEngine,
  name: string,
  da: string | null,
  db: string | null,
  a: Tensor,
  b: Tensor,
  g: Tensor,
): (Tensor | null)[] {
  const n = a.size;
  const wanted = [da, db].filter((e) => e).length;
  if (!wanted) return [null, null];
  return eng.kernel(
    `${name}_loss_bwd`,
    () => {
      const grads = [da ? Tensor.empty(a.shape) : null, db ? Tensor.empty(b.shape) : null];
      const scaled = Math.fround(g.data[0] * Math.fround(1 / n));
      [da, db].forEach((expr, k) => {
        const out = grads[k];
        if (expr && out) mapLoop(expr, PAIR, ['g'])(out.data, n, a.data, b.data, NONE, scaled, 0);
      });
      return grads;
    },
    0,
    n * 4 * (2 + wanted),
  );
}
