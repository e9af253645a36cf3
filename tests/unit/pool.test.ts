import { expect, it } from 'vitest';
import { shapeErrorCases, forEachBackend } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check-op.js';
import { poolCases } from '../cases/pool.js';
import { Tensor, backward, maxPool2d } from '../../src/engine/index.js';

forEachBackend('max pool (forward vs float64, gradients vs finite differences)', () => {
  for (const c of poolCases) {
    it(c.name, async () => {
      const res = await checkOp(c);
      expect(res.message).toBe('ok');
    });
  }
});

forEachBackend('max pool: hand-checked values and contracts', (_, engineOf) => {
  it('ties send the whole gradient to the first maximum in row-major order (PyTorch)', async () => {
    // One 2×2 window [[5, 5], [5, 1]]: the maximum is at (0, 0) first.
    const x = Tensor.fromArray([5, 5, 5, 1], [1, 1, 2, 2]);
    x.requiresGrad = true;
    const y = maxPool2d(x);
    expect([...(await y.read())]).toEqual([5]);
    const g = Tensor.fromArray([3], [1, 1, 1, 1]);
    backward(y, g);
    expect([...(await x.grad!.read())]).toEqual([3, 0, 0, 0]);
    for (const t of [x, y, g]) t.dispose();
  });

  it('overlapping windows that pick the same pixel add their gradients', async () => {
    // A 2×3 image, 2×2 windows at stride 1: both windows pick the 9.
    const x = Tensor.fromArray([0, 9, 1, 2, 3, 4], [1, 1, 2, 3]);
    x.requiresGrad = true;
    const y = maxPool2d(x, 2, 1);
    expect([...(await y.read())]).toEqual([9, 9]);
    const g = Tensor.fromArray([1, 10], [1, 1, 1, 2]);
    backward(y, g);
    expect([...(await x.grad!.read())]).toEqual([0, 11, 0, 0, 0, 0]);
    for (const t of [x, y, g]) t.dispose();
  });

  it('a NaN in a window makes that window NaN (PyTorch propagates NaN)', async () => {
    const x = Tensor.fromArray([1, NaN, 2, 3, 4, 5, 6, 7], [1, 1, 2, 4]);
    const out = await maxPool2d(x).read();
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(7);
    x.dispose();
  });

  shapeErrorCases(engineOf, [
    ['rejects a non-image input', () => maxPool2d(Tensor.empty([4, 4])), /\[N, C, H, W\]/],
    ['rejects a window larger than the image', () => maxPool2d(Tensor.empty([1, 1, 1, 5])), /smaller than the 2×2 window/],
    ['rejects a zero stride', () => maxPool2d(Tensor.empty([1, 1, 4, 4]), 2, 0), /positive integers/],
  ]);
});
