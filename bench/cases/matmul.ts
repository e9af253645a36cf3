/** matmul_N: N×N by N×N in f32, 2·N³ flops. */
import type { BenchCase, BenchFamily, Tf } from './types.js';
import { randomData } from './types.js';
import { Tensor } from '../../src/engine/tensor.js';
import { matmul } from '../../src/engine/ops/matmul.js';

export function matmulCase(n: number): BenchCase {
  const a = randomData(n * n, 1);
  const b = randomData(n * n, 2);
  return {
    key: `matmul_${n}`,
    flops: 2 * n ** 3,
    ours() {
      const ta = Tensor.fromArray(a, [n, n]);
      const tb = Tensor.fromArray(b, [n, n]);
      let c: Tensor | undefined;
      return {
        step: () => { c = matmul(ta, tb); },
        after: () => c?.dispose(),
        dispose: () => { ta.dispose(); tb.dispose(); },
      };
    },
    tfjs(tf: Tf) {
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      let c: ReturnType<Tf['matMul']> | undefined;
      return {
        step: () => { c = tf.matMul(ta, tb); },
        after: () => c?.dispose(),
        dispose: () => { ta.dispose(); tb.dispose(); },
      };
    },
  };
}

export const matmulFamily: BenchFamily = { name: 'matmul', cases: [256, 512].map(matmulCase) };
