/** matmul_N: N×N by N×N in f32, 2·N³ flops. */
import type { BenchCase, BenchFamily, Tf } from './types.js';
import { randomData } from './types.js';
import { Tensor, matmul } from '../../src/engine/index.js';

export function matmulCase(n: number): BenchCase {
  // Data is made when a runner is built, so unselected (large) cases cost nothing.
  const data = () => [randomData(n * n, 1), randomData(n * n, 2)];
  return {
    key: `matmul_${n}`,
    flops: 2 * n ** 3,
    ours() {
      const [a, b] = data();
      const ta = Tensor.fromArray(a, [n, n]);
      const tb = Tensor.fromArray(b, [n, n]);
      let c: Tensor | undefined;
      return {
        step: () => {
          c = matmul(ta, tb);
        },
        after: () => c?.dispose(),
        dispose: () => {
          ta.dispose();
          tb.dispose();
        },
      };
    },
    tfjs(tf: Tf) {
      const [a, b] = data();
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      let c: ReturnType<Tf['matMul']> | undefined;
      return {
        step: () => {
          c = tf.matMul(ta, tb);
        },
        after: () => c?.dispose(),
        dispose: () => {
          ta.dispose();
          tb.dispose();
        },
      };
    },
  };
}

export const matmulFamily: BenchFamily = { name: 'matmul', cases: [256, 512].map(matmulCase) };
