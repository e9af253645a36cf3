import { afterAll, describe, expect, it } from 'vitest';
import { checkOpTests, forEachBackend, forEachCpuThreading, shapeErrorCases, suiteBackends, useEngine } from '../helpers/gpu.js';
import { matmulCases, matmulGpuSubset, matmulKernels } from '../cases/matmul.js';
import { matmul, backward, tidy, Tensor, liveTensorCount, Rng, type MatmulOptions } from '../../src/engine/index.js';
import { refMatmul, setMatmulKernel } from '../../src/engine/testing.js';

afterAll(() => setMatmulKernel(undefined));

if (suiteBackends().includes('webgpu')) {
  // Every WGSL variant and tile shape, on a subset of the shapes (each compile is slow on SwiftShader).
  describe('matmul on WebGPU, every kernel choice (forward vs float64, gradients vs finite differences)', () => {
    useEngine('webgpu');
    for (const [kernelName, kernel] of Object.entries(matmulKernels)) describe(kernelName, () => checkOpTests(matmulCases(kernel, matmulGpuSubset)));
  });
}

/** Products big enough (≥ 4 MFLOP) that the CPU backend splits them across its threads. */
const largeShapes: { name: string; a: number[]; b: number[]; opts?: MatmulOptions; bias?: number[] }[] = [
  { name: '203x301 · 301x517', a: [203, 301], b: [301, 517] },
  { name: 'transA transB, batched 2x301x131 · 2x263x301', a: [2, 301, 131], b: [2, 263, 301], opts: { transA: true, transB: true } },
  { name: 'shared A, bias per row 67x129 · 3x129x300', a: [67, 129], b: [3, 129, 300], bias: [67, 1] },
];

/** Forward of a large product vs the float64 reference, relative to 1 + |want|. */
async function largeProductError(s: (typeof largeShapes)[number]): Promise<number> {
  const rng = new Rng(5);
  const draw = (shape: number[]) => Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal());
  const [ad, bd] = [draw(s.a), draw(s.b)];
  const biasData = s.bias ? draw(s.bias) : undefined;
  const got = await tidy(() =>
    matmul(Tensor.fromArray(ad, s.a), Tensor.fromArray(bd, s.b), { ...s.opts, bias: biasData && Tensor.fromArray(biasData, s.bias!) }),
  ).read();
  const want = refMatmul(
    { data: Float64Array.from(ad), shape: s.a },
    { data: Float64Array.from(bd), shape: s.b },
    { ...s.opts, bias: biasData && { data: Float64Array.from(biasData), shape: s.bias! } },
  );
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got[i] - want.data[i]) / (1 + Math.abs(want.data[i])));
  return worst;
}

// The CPU backend has one GEMM: every shape, on two threads and on one.
forEachCpuThreading('matmul (forward vs float64, gradients vs finite differences)', () => {
  checkOpTests(matmulCases());
  for (const s of largeShapes) it(`large: ${s.name}`, async () => expect(await largeProductError(s)).toBeLessThan(1e-4));
});

forEachBackend('matmul shape errors are thrown before any kernel runs', (_, engineOf) => {
  const t = (...shape: number[]) => Tensor.fromArray(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape);
  const cases: [string, () => unknown, RegExp][] = [
    ['inner dimensions', () => matmul(t(3, 4), t(5, 2)), /matmul: inner dimensions differ \(4 vs 5\) in a \[3, 4\] · b \[5, 2\]/],
    ['inner dimensions, transposed', () => matmul(t(3, 4), t(2, 5), { transB: true }), /a \[3, 4\] · b \[2, 5\]ᵀ/],
    ['batch', () => matmul(t(2, 3, 4), t(3, 4, 5)), /batch dimensions cannot be broadcast in a \[2, 3, 4\] · b \[3, 4, 5\]/],
    ['scalar', () => matmul(t(), t(3)), /scalars are not matrices/],
    ['transposed vector', () => matmul(t(3), t(3, 2), { transA: true }), /1-D operand cannot be transposed/],
    [
      'bias shape',
      () => matmul(t(3, 4), t(4, 5), { bias: t(3) }),
      /bias \[3\] must be \[5\] \/ \[1, 5\] \(per column\) or \[3, 1\] \(per row\) for a \[3, 4\] · b \[4, 5\]/,
    ],
  ];
  shapeErrorCases(engineOf, cases);
});

forEachBackend('matmul memory', () => {
  it('forward + backward inside tidy leaves only the inputs and their gradients', async () => {
    setMatmulKernel(undefined);
    const a = Tensor.fromArray(
      Float32Array.from({ length: 24 }, (_, i) => i / 24),
      [2, 3, 4],
    );
    const b = Tensor.fromArray(
      Float32Array.from({ length: 20 }, (_, i) => 1 - i / 20),
      [4, 5],
    );
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
