import { afterAll, describe, expect, it } from 'vitest';
import { shapeErrorCases, useEngine } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check-op.js';
import { conv2dCases } from '../cases/conv2d.js';
import { conv2d, backward, tidy, Tensor, liveTensorCount } from '../../src/engine/index.js';
import { setConv2dKernel } from '../../src/engine/testing.js';

const engineOf = useEngine();
afterAll(() => setConv2dKernel(undefined));

describe('conv2d on the real adapter (forward vs float64, gradients vs finite differences)', () => {
  for (const c of conv2dCases) {
    it(c.name, async () => {
      const res = await checkOp(c);
      expect(res.message).toBe('ok');
    });
  }
});

describe('conv2d shape errors are thrown before any GPU work', () => {
  const t = (...shape: number[]) => Tensor.fromArray(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape);
  const cases: [string, () => unknown, RegExp][] = [
    ['channel mismatch', () => conv2d(t(1, 3, 5, 5), t(4, 2, 3, 3)), /conv2d: x has 3 channels but w expects 2 \(x \[1, 3, 5, 5\], w \[4, 2, 3, 3\]\)/],
    ['x rank', () => conv2d(t(3, 5, 5), t(4, 3, 3, 3)), /conv2d: x must be \[N, C, H, W\], got x \[3, 5, 5\], w \[4, 3, 3, 3\]/],
    ['w rank', () => conv2d(t(1, 3, 5, 5), t(4, 3, 9)), /conv2d: w must be \[O, C, kh, kw\], got x \[1, 3, 5, 5\], w \[4, 3, 9\]/],
    ['bias shape', () => conv2d(t(1, 3, 5, 5), t(4, 3, 3, 3), t(3)), /conv2d: bias \[3\] must be \[4\] for w \[4, 3, 3, 3\]/],
    ['kernel larger than input', () => conv2d(t(1, 3, 2, 2), t(4, 3, 3, 3)), /conv2d: no output for x \[1, 3, 2, 2\], w \[4, 3, 3, 3\]/],
  ];
  shapeErrorCases(engineOf, cases);
});

describe('conv2d geometry and memory', () => {
  it("'same' keeps H×W at stride 1 and gives ceil(H/2) at stride 2", () => {
    tidy(() => {
      expect(conv2d(Tensor.empty([2, 3, 7, 5]), Tensor.empty([4, 3, 9, 9]), null, { padding: 'same' }).shape).toEqual([2, 4, 7, 5]);
      expect(conv2d(Tensor.empty([1, 3, 7, 6]), Tensor.empty([4, 3, 3, 3]), null, { stride: 2, padding: 'same' }).shape).toEqual([1, 4, 4, 3]);
    });
  });

  it('forward + backward inside tidy leaves only the inputs and their gradients', async () => {
    const x = Tensor.fromArray(Float32Array.from({ length: 2 * 3 * 5 * 5 }, (_, i) => Math.sin(i)), [2, 3, 5, 5]);
    const w = Tensor.fromArray(Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i)), [4, 3, 3, 3]);
    const b = Tensor.fromArray(new Float32Array(4).fill(0.5), [4]);
    for (const p of [x, w, b]) p.requiresGrad = true;
    const before = liveTensorCount();
    tidy(() => {
      const y = conv2d(x, w, b, { padding: 'same', activation: 'leakyRelu', alpha: 0.2 });
      backward(y, Tensor.fromArray(new Float32Array(y.size).fill(1), y.shape));
    });
    expect(liveTensorCount()).toBe(before + 3);
    for (const p of [x, w, b]) p.dispose();
  });
});
