/**
 * Reductions at training sizes, with the adapter's own split (the op-case suites use tiny shapes,
 * which forced kernels cut into many chunks): results against float64, which kernels the
 * gradients run, and memory over repeated training steps.
 */
import { expect, it } from 'vitest';
import { forEachBackend } from '../helpers/gpu.js';
import * as E from '../../src/engine/index.js';

function data(n: number, seed: number, offset = 0): Float32Array {
  const rng = new E.Rng(seed);
  return Float32Array.from({ length: n }, () => offset + rng.uniform(-1, 1));
}

/** Σ over N, H, W per channel of an NCHW array, in float64. */
function channelSums(x: Float32Array, [n, c, h, w]: number[]): Float64Array {
  const out = new Float64Array(c);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) out[k] += x[(b * c + k) * h * w + p];
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number) {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThan(tol);
}

forEachBackend('reductions at training sizes (adapter split: several chunks and passes)', () => {
  it('sum over N,H,W of [16,32,24,24] (a conv bias gradient) matches float64', async () => {
    const shape = [16, 32, 24, 24];
    const x = data(16 * 32 * 24 * 24, 1);
    const t = E.Tensor.fromArray(x, shape);
    const s = E.sum(t, [0, 2, 3]);
    // f32 accumulation over 9216 values: errors of a few 1e-4 on sums of ~50 are expected.
    expectClose(await s.read(), channelSums(x, shape), 1e-4);
    t.dispose();
    s.dispose();
  });

  it('mean, max and the fused losses over [16,3,96,96] match float64', async () => {
    const n = 16 * 3 * 96 * 96;
    const p = data(n, 2),
      q = data(n, 3);
    let sum = 0,
      mx = -Infinity,
      mse = 0,
      l1 = 0;
    for (let i = 0; i < n; i++) {
      sum += p[i];
      mx = Math.max(mx, p[i]);
      mse += (p[i] - q[i]) ** 2;
      l1 += Math.abs(p[i] - q[i]);
    }
    const tp = E.Tensor.fromArray(p, [16, 3, 96, 96]),
      tq = E.Tensor.fromArray(q, [16, 3, 96, 96]);
    const got = [E.mean(tp), E.max(tp), E.mseLoss(tp, tq), E.l1Loss(tp, tq)];
    const values = await Promise.all(got.map((t) => t.item()));
    expectClose(values, [sum / n, mx, mse / n, l1 / n], 1e-5);
    for (const t of [tp, tq, ...got]) t.dispose();
  });

  it('batch statistics of a batch far from 0 merge their chunks exactly (running mean and unbiased variance)', async () => {
    const shape = [8, 4, 20, 20];
    const c = shape[1],
      m = 8 * 20 * 20;
    const x = data(8 * 4 * 20 * 20, 4, 50);
    const mean = channelSums(x, shape).map((s) => s / m);
    const variance = new Float64Array(c);
    for (let b = 0; b < 8; b++) for (let k = 0; k < c; k++) for (let p = 0; p < 400; p++) variance[k] += (x[(b * c + k) * 400 + p] - mean[k]) ** 2;
    const tx = E.Tensor.fromArray(x, shape);
    const rm = E.fill([c], 0),
      rv = E.fill([c], 1),
      g = E.fill([c], 1),
      b = E.fill([c], 0);
    // momentum 1: the running statistics become this batch's.
    E.batchNorm2d(tx, g, b, rm, rv, { training: true, momentum: 1 }).dispose();
    expectClose(await rm.read(), mean, 1e-6);
    expectClose(
      await rv.read(),
      variance.map((v) => v / (m - 1)),
      1e-4,
    );
    for (const t of [tx, rm, rv, g, b]) t.dispose();
  });
});

forEachBackend('gradients that only broadcast', (_, engineOf) => {
  it('the backward of sum, mean and the fused losses runs no strided copy', async () => {
    const eng = engineOf();
    await eng.sync();
    eng.profiler.enable(true);
    eng.profiler.reset();
    const x = E.variable(E.Tensor.fromArray(data(2 * 3 * 8 * 8, 5), [2, 3, 8, 8]));
    const t = E.Tensor.fromArray(data(2 * 3 * 8 * 8, 6), [2, 3, 8, 8]);
    E.tidy(() => {
      E.backward(E.sum(x, [0, 2, 3]), E.fill([3], 1));
      E.backward(E.mean(x));
      E.backward(E.mseLoss(x, t));
      E.backward(E.bceWithLogits(x, t));
    });
    await x.grad!.read();
    const kernels = (await eng.profiler.report()).map((r) => r.kernel);
    eng.profiler.enable(false);
    expect(kernels).toContain('broadcast_copy');
    expect(kernels).not.toContain('strided_copy');
    x.dispose();
    t.dispose();
  });
});

forEachBackend('memory over repeated training steps', (_, engineOf) => {
  it('reductions, losses, batch norm, PReLU and a biased conv leave nothing behind after the first step', async () => {
    const eng = engineOf();
    const x = E.variable(E.Tensor.fromArray(data(4 * 8 * 12 * 12, 7), [4, 8, 12, 12]));
    const w = E.variable(
      E.Tensor.fromArray(
        data(8 * 8 * 9, 8).map((v) => v * 0.1),
        [8, 8, 3, 3],
      ),
    );
    const bias = E.variable(E.fill([8], 0.1));
    const gamma = E.variable(E.fill([8], 1)),
      beta = E.variable(E.fill([8], 0)),
      alpha = E.variable(E.fill([8], 0.25));
    const rm = E.fill([8], 0),
      rv = E.fill([8], 1);
    const target = E.Tensor.fromArray(data(4 * 8 * 12 * 12, 9), [4, 8, 12, 12]);
    const params = [x, w, bias, gamma, beta, alpha];
    const after: [number, number][] = [];
    for (let step = 0; step < 4; step++) {
      E.tidy(() => {
        const y = E.prelu(E.batchNorm2d(E.conv2d(x, w, bias, { padding: 'same' }), gamma, beta, rm, rv, { training: true }), alpha);
        const loss = E.add(E.add(E.mseLoss(y, target), E.l1Loss(y, target)), E.add(E.mean(E.max(y, [2, 3])), E.bceWithLogits(y, E.sigmoid(target))));
        E.backward(loss);
      });
      for (const p of params) {
        await p.grad!.read();
        p.grad!.dispose();
        p.grad = undefined;
      }
      after.push([E.liveTensorCount(), eng.memory().liveBuffers]);
    }
    // Steps 2..4 end exactly where step 1 ended: live tensors and live GPU buffers.
    for (const counts of after) expect(counts).toEqual(after[0]);
    for (const t of [...params, rm, rv, target]) t.dispose();
  });
});
