/**
 * The main job until SRGAN lands: print the adapter, then train a small MLP on XOR with Adam on
 * the GPU and show that it learned. `npm run demo`.
 */
import * as E from '../engine/index.js';
import { linear } from '../engine/ops/linear.js';

async function main(): Promise<void> {
  const eng = await E.initEngine({ log: (m) => console.log(`note: ${m}`) });
  const a = eng.adapter;
  console.log(`adapter: ${a.vendor || '?'} ${a.architecture} ${a.description} (${a.isSoftware ? 'software' : 'hardware'}, ${a.runtime})`);
  console.log(`limits: maxStorageBufferBindingSize=${a.limits.maxStorageBufferBindingSize}, maxComputeInvocationsPerWorkgroup=${a.limits.maxComputeInvocationsPerWorkgroup}`);

  const x = E.tensor([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
  const y = E.tensor([0, 1, 1, 0], [4, 1]);
  const w1 = E.variable(E.randNormal([8, 2], 0, 1, 1));
  const b1 = E.variable(E.zeros([8]));
  const w2 = E.variable(E.randNormal([1, 8], 0, 0.5, 2));
  const b2 = E.variable(E.zeros([1]));
  const opt = new E.Adam([w1, b1, w2, b2], { lr: 0.05 });
  const forward = () => E.sigmoid(linear(E.tanh(linear(x, w1, b1)), w2, b2));

  const t0 = performance.now();
  let loss = NaN;
  for (let step = 1; step <= 300; step++) {
    const l = E.tidy(() => {
      opt.zeroGrad();
      const mse = E.mean(E.square(E.sub(forward(), y)));
      E.backward(mse);
      opt.step();
      return mse.detach();
    });
    if (step % 50 === 0) {
      loss = await l.item();
      console.log(`step ${String(step).padStart(3)}  mse ${loss.toFixed(5)}`);
    }
    l.dispose();
  }
  const ms = performance.now() - t0;
  const pred = E.noGrad(forward);
  const p = await pred.read();
  console.log(`XOR predictions: ${[...p].map((v) => v.toFixed(3)).join(' ')} (targets 0 1 1 0)`);
  console.log(`300 training steps in ${ms.toFixed(0)} ms; live GPU buffers: ${eng.memory().liveBuffers}`);
  const learned = p[0] < 0.2 && p[1] > 0.8 && p[2] > 0.8 && p[3] < 0.2;
  console.log(learned ? 'demo: XOR learned' : 'demo: XOR NOT learned');
  E.destroyEngine();
  process.exitCode = learned ? 0 : 1;
}

main().catch((e) => {
  console.error(e instanceof E.NoAdapterError ? `error: ${e.message}` : e);
  E.destroyEngine();
  process.exit(1);
});
