/** `npm run demo`: print the adapter, then train the XOR MLP on the GPU and show that it learned. */
import * as E from '../engine/node.js';
import { trainXor } from '../demo/xor.js';

async function main(): Promise<void> {
  const eng = await E.initEngine({ log: (m) => console.log(`note: ${m}`) });
  const a = eng.adapter;
  console.log(`adapter: ${E.describeAdapter(a)} in ${a.runtime}`);
  console.log(
    `limits: maxStorageBufferBindingSize=${a.limits.maxStorageBufferBindingSize}, maxComputeInvocationsPerWorkgroup=${a.limits.maxComputeInvocationsPerWorkgroup}`,
  );
  const r = await trainXor({ onProgress: (step, mse) => console.log(`step ${String(step).padStart(3)}  mse ${mse.toFixed(5)}`) });
  console.log(`XOR predictions: ${r.predictions.map((v) => v.toFixed(3)).join(' ')} (targets 0 1 1 0)`);
  console.log(`300 training steps in ${r.ms.toFixed(0)} ms; live GPU buffers after clean-up: ${eng.memory().liveBuffers}`);
  console.log(r.learned ? 'demo: XOR learned' : 'demo: XOR NOT learned');
  E.destroyEngine();
  process.exitCode = r.learned ? 0 : 1;
}

main().catch((e) => {
  console.error(e instanceof E.NoAdapterError ? `error: ${e.message}` : e);
  E.destroyEngine();
  process.exit(1);
});
