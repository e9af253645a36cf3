import { expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { forEachBackend } from '../helpers/gpu.js';
import { linear } from '../../src/engine/index.js';

/** y = 3x − 1 + N(0, 0.1²): the fit should reach the noise floor (MSE ≈ 0.01). */
function noisyLine(n: number) {
  const rng = new E.Rng(7);
  const xs = Array.from({ length: n }, () => rng.uniform(-1, 1));
  const ys = xs.map((x) => 3 * x - 1 + 0.1 * rng.normal());
  return { x: E.tensor(xs, [n, 1]), y: E.tensor(ys, [n, 1]) };
}

function lineStep(a: E.Tensor, b: E.Tensor, x: E.Tensor, y: E.Tensor, opt: E.Optimizer): E.Tensor {
  return E.tidy(() => {
    opt.zeroGrad();
    const pred = E.add(E.mul(x, a), b);
    const loss = E.mean(E.square(E.sub(pred, y)));
    E.backward(loss);
    opt.step();
    return loss.detach();
  });
}

forEachBackend('training', (backend) => {
  // The XOR fit (~20 s on SwiftShader) is a model-level check of ops the op suites cover on both backends.
  const cpuOnly = backend === 'cpu' ? it : () => {};

  it('Adam fits a noisy line to the noise floor', async () => {
    const { x, y } = noisyLine(64);
    const a = E.variable(E.tensor([0]));
    const b = E.variable(E.tensor([0]));
    const opt = new E.Adam([a, b], { lr: 0.05 });
    let loss = 0;
    for (let i = 0; i < 300; i++) {
      const l = lineStep(a, b, x, y, opt);
      if (i === 299) loss = await l.item();
      l.dispose();
    }
    expect(loss).toBeLessThan(0.015);
    expect(Math.abs((await a.item()) - 3)).toBeLessThan(0.1);
    expect(Math.abs((await b.item()) + 1)).toBeLessThan(0.05);
    for (const t of [x, y, a, b]) t.dispose();
    opt.dispose();
  });

  it('SGD with momentum fits the same line', async () => {
    const { x, y } = noisyLine(64);
    const a = E.variable(E.tensor([0]));
    const b = E.variable(E.tensor([0]));
    const opt = new E.SGD([a, b], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 200; i++) lineStep(a, b, x, y, opt).dispose();
    expect(Math.abs((await a.item()) - 3)).toBeLessThan(0.1);
    for (const t of [x, y, a, b]) t.dispose();
    opt.dispose();
  });

  it('Adam matches a float64 reference step by step (with L2 and decoupled decay)', async () => {
    for (const decoupled of [false, true]) {
      const w0 = [0.5, -1.5, 2];
      const w = E.variable(E.tensor(w0));
      const opt = new E.Adam([w], { lr: 0.1, weightDecay: 0.01, decoupled });
      const ref = [...w0],
        m = [0, 0, 0],
        v = [0, 0, 0];
      for (let t = 1; t <= 5; t++) {
        E.tidy(() => {
          opt.zeroGrad();
          E.backward(E.sum(E.powScalar(E.abs(w), 3)));
          opt.step();
        });
        for (let i = 0; i < 3; i++) {
          let g = 3 * ref[i] * Math.abs(ref[i]);
          if (decoupled) ref[i] *= 1 - 0.1 * 0.01;
          else g += 0.01 * ref[i];
          m[i] = 0.9 * m[i] + 0.1 * g;
          v[i] = 0.999 * v[i] + 0.001 * g * g;
          ref[i] -= (0.1 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
        }
      }
      const got = await w.read();
      ref.forEach((r, i) => expect(Math.abs(got[i] - r)).toBeLessThan(1e-4));
      w.dispose();
      opt.dispose();
    }
  });

  it("a weight average follows Adam's weights as a float64 reference does (warm-up, reset, memory)", async () => {
    // 1000 values, so the kernel runs over several workgroups.
    const n = 1000;
    const w0 = Array.from({ length: n }, (_, i) => Math.sin(i));
    const w = E.variable(E.tensor(w0));
    const avg = E.keep(E.tensor(w0));
    const opt = new E.Adam([w], { lr: 0.05 });
    const ema = new E.WeightAverage([[avg, w]], { decay: 0.5 });
    // The reference: the same Adam steps in float64 (checked above), averaged with TF's warm-up.
    const ref = [...w0],
      m = new Array(n).fill(0),
      v = new Array(n).fill(0),
      a = [...w0];
    const decays: number[] = [];
    let before = 0;
    for (let t = 1; t <= 12; t++) {
      if (t === 2) {
        await E.engine().sync();
        before = E.engine().memory().liveBytes;
      } // after Adam's state exists
      E.tidy(() => {
        opt.zeroGrad();
        E.backward(E.sum(E.square(E.addScalar(w, -0.25))));
        opt.step();
      });
      decays.push(ema.nextDecay());
      ema.update();
      const d = Math.min(0.5, (1 + t) / (10 + t));
      for (let i = 0; i < n; i++) {
        const g = 2 * (ref[i] - 0.25);
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        ref[i] -= (0.05 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
        a[i] = d * a[i] + (1 - d) * ref[i];
      }
    }
    expect(decays.slice(0, 3).map((d) => +d.toFixed(6))).toEqual([0.181818, 0.25, 0.307692]);
    expect(decays.at(-1)).toBe(0.5); // capped at the decay once (1 + n)/(10 + n) passes it
    const got = await avg.read();
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - a[i]));
    expect(worst).toBeLessThan(1e-5);
    // The average lags the weights: it is not a copy of them.
    expect(Math.abs(got[1] - (await w.read())[1])).toBeGreaterThan(1e-3);
    await E.engine().sync();
    expect(E.engine().memory().liveBytes).toBe(before); // in place: nothing allocated per update

    ema.reset();
    expect(ema.updates).toBe(0);
    expect([...(await avg.read())]).toEqual([...(await w.read())]);
    expect(() => new E.WeightAverage([[avg, w]], { decay: 1 })).toThrow(/decay must be in \[0, 1\)/);
    const short = E.keep(E.tensor([1, 2]));
    expect(() => new E.WeightAverage([[short, w]], { decay: 0.5 })).toThrow(/cannot average/);
    for (const t of [w, avg, short]) t.dispose();
    opt.dispose();
  });

  cpuOnly('a 2-8-1 MLP learns XOR (BCE with logits below 0.05)', async () => {
    const x = E.tensor([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
    const y = E.tensor([0, 1, 1, 0], [4, 1]);
    const w1 = E.variable(E.randNormal([8, 2], 0, 1, 3)),
      b1 = E.variable(E.zeros([8]));
    const w2 = E.variable(E.randNormal([1, 8], 0, 0.5, 4)),
      b2 = E.variable(E.zeros([1]));
    const opt = new E.Adam([w1, b1, w2, b2], { lr: 0.05 });
    const logits = () => linear(E.tanh(linear(x, w1, b1)), w2, b2);
    let loss = Infinity;
    for (let i = 0; i < 300; i++) {
      const l = E.tidy(() => {
        opt.zeroGrad();
        const bce = E.bceWithLogits(logits(), y);
        E.backward(bce);
        opt.step();
        return bce.detach();
      });
      if (i === 299) loss = await l.item();
      l.dispose();
    }
    expect(loss).toBeLessThan(0.05);
    const p = await E.tidy(() => E.noGrad(() => E.sigmoid(logits()))).read();
    expect([...p].map((v) => Math.round(v))).toEqual([0, 1, 1, 0]);
    for (const t of [x, y, w1, b1, w2, b2]) t.dispose();
    opt.dispose();
  });

  it('200 training steps leave GPU memory flat', async () => {
    const { x, y } = noisyLine(32);
    const a = E.variable(E.tensor([0]));
    const b = E.variable(E.tensor([0]));
    const opt = new E.Adam([a, b], { lr: 0.01 });
    lineStep(a, b, x, y, opt).dispose(); // first step creates optimizer state
    await E.engine().sync();
    const before = { ...E.engine().memory(), tensors: E.liveTensorCount() };
    for (let i = 0; i < 200; i++) lineStep(a, b, x, y, opt).dispose();
    await E.engine().sync();
    const after = { ...E.engine().memory(), tensors: E.liveTensorCount() };
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.tensors).toBe(before.tensors);
    expect(after.allocatedBytes).toBe(before.allocatedBytes); // the pool reuses; nothing new is allocated
    for (const t of [x, y, a, b]) t.dispose();
    opt.dispose();
  });
});
