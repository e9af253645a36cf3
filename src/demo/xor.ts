/**
 * The engine demo shared by `npm run demo` (Node) and the browser page: a 2-8-1 MLP learns XOR
 * with Adam on the GPU. Until SRGAN lands this is the project's main job.
 */
import * as E from '../engine/index.js';

export interface XorResult {
  predictions: number[];
  finalMse: number;
  ms: number;
  learned: boolean;
}

export async function trainXor(opts: { steps?: number; onProgress?: (step: number, mse: number) => void } = {}): Promise<XorResult> {
  const steps = opts.steps ?? 300;
  const x = E.tensor([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
  const y = E.tensor([0, 1, 1, 0], [4, 1]);
  const w1 = E.variable(E.randNormal([8, 2], 0, 1, 1));
  const b1 = E.variable(E.zeros([8]));
  const w2 = E.variable(E.randNormal([1, 8], 0, 0.5, 2));
  const b2 = E.variable(E.zeros([1]));
  const opt = new E.Adam([w1, b1, w2, b2], { lr: 0.05 });
  const forward = () => E.sigmoid(E.linear(E.tanh(E.linear(x, w1, b1)), w2, b2));

  const t0 = performance.now();
  let finalMse = NaN;
  for (let step = 1; step <= steps; step++) {
    const l = E.tidy(() => {
      opt.zeroGrad();
      const mse = E.mean(E.square(E.sub(forward(), y)));
      E.backward(mse);
      opt.step();
      return mse.detach();
    });
    // Read the loss back only when it is shown: every read is a GPU round trip.
    if (step % 50 === 0 || step === steps) {
      finalMse = await l.item();
      opts.onProgress?.(step, finalMse);
    }
    l.dispose();
  }
  const ms = performance.now() - t0;
  const pred = E.tidy(() => E.noGrad(forward));
  const predictions = [...(await pred.read())];
  for (const t of [pred, x, y, w1, b1, w2, b2]) t.dispose();
  opt.dispose();
  const [p00, p01, p10, p11] = predictions;
  return { predictions, finalMse, ms, learned: p00 < 0.2 && p01 > 0.8 && p10 > 0.8 && p11 < 0.2 };
}
