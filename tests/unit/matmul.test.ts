import { afterAll, describe, expect, it } from 'vitest';
import { shapeErrorCases, useEngine } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check-op.js';
import { matmulCases, matmulKernels } from '../cases/matmul.js';
import { matmul, backward, tidy, Tensor, liveTensorCount } from '../../src/engine/index.js';
import { setMatmulKernel } from '../../src/engine/testing.js';

const engineOf = useEngine();
afterAll(() => setMatmulKernel(undefined));

for (const [kernelName, kernel] of Object.entries(matmulKernels)) {
  describe(`matmul, ${kernelName} (forward vs float64, gradients vs finite differences)`, () => {
    for (const c of matmulCases(kernel)) {
      it(c.name, async () => {
        const res = await checkOp(c);
        expect(res.message).toBe('ok');
      });
    }
  });
}

describe('matmul shape errors are thrown before any GPU work', () => {
  const t = (...shape: number[]) => Tensor.fromArray(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape);
  const cases: [string, () => unknown, RegExp][] = [
    ['inner dimensions', () => matmul(t(3, 4), t(5, 2)), /matmul: inner dimensions differ \(4 vs 5\) in a \[3, 4\] · b \[5, 2\]/],
    ['inner dimensions, transposed', () => matmul(t(3, 4), t(2, 5), { transB: true }), /a \[3, 4\] · b \[2, 5\]ᵀ/],
    ['batch', () => matmul(t(2, 3, 4), t(3, 4, 5)), /batch dimensions cannot be broadcast in a \[2, 3, 4\] · b \[3, 4, 5\]/],
    ['scalar', () => matmul(t(), t(3)), /scalars are not matrices/],
    ['transposed vector', () => matmul(t(3), t(3, 2), { transA: true }), /1-D operand cannot be transposed/],
    ['bias shape', () => matmul(t(3, 4), t(4, 5), { bias: t(3) }), /bias \[3\] must be \[5\] \/ \[1, 5\] \(per column\) or \[3, 1\] \(per row\) for a \[3, 4\] · b \[4, 5\]/],
  ];
  shapeErrorCases(engineOf, cases);
});

describe('matmul memory', () => {
  it('forward + backward inside tidy leaves only the inputs and their gradients', async () => {
    setMatmulKernel(undefined);
    const a = Tensor.fromArray(Float32Array.from({ length: 24 }, (_, i) => i / 24), [2, 3, 4]);
    const b = Tensor.fromArray(Float32Array.from({ length: 20 }, (_, i) => 1 - i / 20), [4, 5]);
    const bias = Tensor.fromArray(new Float32Array(5).fill(0.5), [5]);
    for (const x of [a, b, bias]) x.requiresGrad = true;
    const before = liveTensorCount();
    tidy(() => {
      const c = matmul(a, b, { bias });
      backward(c, Tensor.fromArray(new Float32Array(30).fill(1), [2, 3, 5]));
    });
    expect(liveTensorCount()).toBe(before + 3); // a.grad, b.grad, bias.grad
    // d(sum C)/d bias = number of rows summed over = 2·3.
    expect([...(await bias.grad!.read())]).toEqual([6, 6, 6, 6, 6]);
    for (const x of [a, b, bias]) x.dispose();
  });
});
