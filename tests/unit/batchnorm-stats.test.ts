import { expect, it } from 'vitest';
import { forEachBackend } from '../helpers/gpu.js';
import { Tensor, backward, noGrad, tidy, Rng, sum, batchNorm2d } from '../../src/engine/index.js';
import { refBatchNorm2d } from '../../src/engine/testing.js';

const C = 3;
const shape = [4, C, 5, 6];

/** A batch whose channels have different means and spreads, so the statistics matter. */
function batch(rng: Rng): Float64Array {
  const [n, c, h, w] = shape;
  const out = new Float64Array(n * c * h * w);
  for (let i = 0; i < out.length; i++) {
    const ch = Math.floor(i / (h * w)) % c;
    out[i] = Math.fround((ch - 1) * 2 + (0.5 + ch) * rng.normal());
  }
  return out;
}

function maxRelErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1e-6 + Math.abs(want[i])));
  return worst;
}

forEachBackend('batch norm running statistics', () => {
  for (const momentum of [0.1, 0.3]) {
    it(`match a float64 reference after several training steps (momentum ${momentum})`, async () => {
      const rng = new Rng(42);
      const gammaData = [1.5, 0.5, -1],
        betaData = [0.1, -0.2, 0.3];
      const gamma = Tensor.fromArray(gammaData, [C]),
        beta = Tensor.fromArray(betaData, [C]);
      gamma.requiresGrad = true;
      const runningMean = Tensor.fromArray([0, 0, 0], [C]),
        runningVar = Tensor.fromArray([1, 1, 1], [C]);
      const running = { mean: new Float64Array(C), var: new Float64Array(C).fill(1) };
      for (let step = 0; step < 5; step++) {
        const data = batch(rng);
        const x = Tensor.fromArray(Float32Array.from(data), shape);
        // Alternate a step with a backward pass and one under noGrad: both must update the statistics.
        if (step % 2 === 0) {
          tidy(() => backward(sum(batchNorm2d(x, gamma, beta, runningMean, runningVar, { training: true, momentum }))));
        } else {
          noGrad(() => batchNorm2d(x, gamma, beta, runningMean, runningVar, { training: true, momentum })).dispose();
        }
        refBatchNorm2d(
          { data, shape },
          { data: Float64Array.from(gammaData), shape: [C] },
          { data: Float64Array.from(betaData), shape: [C] },
          running,
          { training: true, momentum },
        );
        x.dispose();
      }
      expect(maxRelErr(await runningMean.read(), running.mean)).toBeLessThan(1e-4);
      expect(maxRelErr(await runningVar.read(), running.var)).toBeLessThan(1e-4);
      // The statistics really moved towards the per-channel means (−2, 0, 2) and variances (0.25, 2.25, 6.25).
      expect(running.mean[2]).toBeGreaterThan(0.5);
      for (const t of [gamma, beta, runningMean, runningVar]) t.dispose();
    });
  }

  it('train() normalises with the batch, eval() with the running statistics, and eval leaves them alone', async () => {
    const rng = new Rng(7);
    const gamma = Tensor.fromArray([1, 1, 1], [C]),
      beta = Tensor.fromArray([0, 0, 0], [C]);
    const runningMean = Tensor.fromArray([0, 0, 0], [C]),
      runningVar = Tensor.fromArray([1, 1, 1], [C]);
    const running = { mean: new Float64Array(C), var: new Float64Array(C).fill(1) };
    const refGamma = { data: Float64Array.of(1, 1, 1), shape: [C] },
      refBeta = { data: Float64Array.of(0, 0, 0), shape: [C] };
    const data = batch(rng);
    const x = Tensor.fromArray(Float32Array.from(data), shape);

    const train = noGrad(() => batchNorm2d(x, gamma, beta, runningMean, runningVar, { training: true }));
    const wantTrain = refBatchNorm2d({ data, shape }, refGamma, refBeta, running, { training: true });
    const statsAfterTrain = [await runningMean.read(), await runningVar.read()];
    const evalOut = noGrad(() => batchNorm2d(x, gamma, beta, runningMean, runningVar, { training: false }));
    const wantEval = refBatchNorm2d({ data, shape }, refGamma, refBeta, running, { training: false });

    const gotTrain = await train.read(),
      gotEval = await evalOut.read();
    expect(maxRelErr(gotTrain, wantTrain.data)).toBeLessThan(1e-3);
    expect(maxRelErr(gotEval, wantEval.data)).toBeLessThan(1e-3);
    // One step of momentum 0.1 barely moves the running statistics, so the two modes must disagree clearly.
    let diff = 0;
    for (let i = 0; i < gotTrain.length; i++) diff = Math.max(diff, Math.abs(gotTrain[i] - gotEval[i]));
    expect(diff).toBeGreaterThan(0.5);
    // Training output is normalised per channel: mean ≈ 0, biased variance ≈ 1 (minus the eps share).
    const [n, , h, w] = shape;
    for (let c = 0; c < C; c++) {
      let s = 0,
        s2 = 0;
      for (let b = 0; b < n; b++)
        for (let k = 0; k < h * w; k++) {
          const v = gotTrain[(b * C + c) * h * w + k];
          s += v;
          s2 += v * v;
        }
      const m = s / (n * h * w);
      expect(Math.abs(m)).toBeLessThan(1e-5);
      expect(Math.abs(s2 / (n * h * w) - m * m - 1)).toBeLessThan(1e-3);
    }
    expect([...(await runningMean.read())]).toEqual([...statsAfterTrain[0]]);
    expect([...(await runningVar.read())]).toEqual([...statsAfterTrain[1]]);
    for (const t of [x, train, evalOut, gamma, beta, runningMean, runningVar]) t.dispose();
  });
});
