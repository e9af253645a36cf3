import { expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { forEachBackend } from '../helpers/gpu.js';

const close = (got: Float32Array, want: number[], tol = 1e-5) =>
  want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w))));

forEachBackend('autodiff', () => {
  it('diamond graph: x used twice sums both paths', async () => {
    const x = E.variable(E.tensor([1, 2, 3]));
    E.tidy(() => {
      // y = sum(exp(x) * x) → dy/dx = exp(x)(1 + x)
      E.backward(E.sum(E.mul(E.exp(x), x)));
    });
    close(
      await x.grad!.read(),
      [1, 2, 3].map((v) => Math.exp(v) * (1 + v)),
    );
    x.dispose();
  });

  it('gradients accumulate over two backward calls until zeroed', async () => {
    const x = E.variable(E.tensor([1, -2]));
    for (let i = 0; i < 2; i++) E.tidy(() => E.backward(E.sum(E.square(x))));
    close(await x.grad!.read(), [4, -8]); // 2 · 2x
    x.grad!.dispose();
    x.grad = undefined;
    E.tidy(() => E.backward(E.sum(E.square(x))));
    close(await x.grad!.read(), [2, -4]);
    x.dispose();
  });

  it('only inputs that need a gradient get one', async () => {
    const a = E.variable(E.tensor([1, 2]));
    const b = E.tensor([3, 4]);
    E.tidy(() => E.backward(E.sum(E.mul(a, b))));
    close(await a.grad!.read(), [3, 4]);
    expect(b.grad).toBeUndefined();
    a.dispose();
    b.dispose();
  });

  it('noGrad records nothing and detach cuts the graph', async () => {
    const x = E.variable(E.tensor([2]));
    const y = E.noGrad(() => E.mul(x, x));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeUndefined();
    E.tidy(() => {
      const d = E.mul(x, x).detach(); // treated as a constant 4
      E.backward(E.sum(E.mul(d, x)));
    });
    close(await x.grad!.read(), [4]);
    x.dispose();
    y.dispose();
  });

  it('backward with an explicit output gradient', async () => {
    const x = E.variable(E.tensor([1, 2, 3]));
    const g = E.tensor([1, 10, 100]);
    E.tidy(() => E.backward(E.mulScalar(x, 2), g));
    close(await x.grad!.read(), [2, 20, 200]);
    x.dispose();
    g.dispose();
  });

  it('a graph built in tidy can be backpropagated after tidy returns, and frees itself', async () => {
    const x = E.variable(E.tensor([1, 2, 3]));
    const before = E.engine().memory().liveBuffers;
    const y = E.tidy(() => E.sum(E.exp(E.mulScalar(x, 0.5))));
    E.backward(y);
    y.dispose();
    close(
      await x.grad!.read(),
      [1, 2, 3].map((v) => 0.5 * Math.exp(v / 2)),
    );
    x.grad!.dispose();
    x.grad = undefined;
    expect(E.engine().memory().liveBuffers).toBe(before);
    // A graph that is never backpropagated is freed with its output.
    const z = E.tidy(() => E.sum(E.exp(E.mulScalar(x, 0.5))));
    z.dispose();
    expect(E.engine().memory().liveBuffers).toBe(before);
    x.dispose();
  });

  it('errors: non-scalar backward, shape mismatch, use after dispose', async () => {
    const x = E.variable(E.tensor([1, 2]));
    const y = E.mulScalar(x, 2);
    expect(() => E.backward(y)).toThrow(/not a scalar/);
    expect(() => E.add(E.tensor([1, 2, 3]), E.tensor([1, 2]))).toThrow(/add: shapes \[3\] and \[2\] cannot be broadcast/);
    expect(() => E.tensor([1, 2, 3], [2, 2])).toThrow(E.ShapeError);
    y.dispose();
    expect(() => y.buffer).toThrow(/used after dispose/);
    x.dispose();
  });
});
