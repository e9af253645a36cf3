/**
 * Where a CPU-backend step spends its time: the `paper` SRResNet's inference at 128² and its MSE
 * training step at batch 16 (bench:cpu's cases), one warm-up then one step with the profiler on,
 * printed per kernel (calls, total ms, GFLOPS).
 *   npx tsx bench/cpu/profile.ts [--threads 2] [--simd auto|relaxed|portable] [--cases infer,train]
 */
import * as E from '../../src/engine/node.js';
import { oursGenerator, oursTrainStep, paperSpec, srresnetInputs } from '../cases/srresnet.js';
import type { SimdChoice } from '../../src/engine/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function profiled(label: string, step: () => Promise<void>): Promise<void> {
  const eng = E.engine();
  await step(); // warm-up: kernels compiled, heap grown
  eng.profiler.reset();
  eng.profiler.enable();
  const t0 = performance.now();
  await step();
  const ms = performance.now() - t0;
  eng.profiler.enable(false);
  const rows = await eng.profiler.report();
  const kernelMs = rows.reduce((s, r) => s + r.totalMs, 0);
  console.log(`\n${label}: ${ms.toFixed(0)} ms wall, ${kernelMs.toFixed(0)} ms in kernels`);
  console.log(E.formatProfile(rows));
}

async function main(): Promise<void> {
  const threads = Number(arg('threads', '2'));
  const simd = arg('simd', 'auto') as SimdChoice;
  const cases = arg('cases', 'infer,train').split(',');
  const eng = await E.initEngine({ backend: 'cpu', threads, simd });
  console.log(`${E.describeAdapter(eng.adapter)}, ${eng.adapter.architecture}`);
  if (cases.includes('infer')) {
    const g = oursGenerator({ ...paperSpec, size: 128 }).eval();
    const x = E.Tensor.fromArray(srresnetInputs({ ...paperSpec, size: 128 }, 1).lr, [1, 3, 128, 128]);
    await profiled('paper inference, 1×3×128×128', async () => {
      const y = E.tidy(() => E.noGrad(() => g.forward(x)));
      await y.read();
      y.dispose();
    });
    x.dispose();
    g.dispose();
  }
  if (cases.includes('train')) {
    const s = { ...paperSpec, batch: 16 };
    const g = oursGenerator(s).train();
    const opt = new E.Adam(g.parameters(), { lr: 1e-4, betas: [0.9, 0.999] });
    const { lr, hr } = srresnetInputs(s, s.batch);
    const lrT = E.Tensor.fromArray(lr, [16, 3, 24, 24]),
      hrT = E.Tensor.fromArray(hr, [16, 3, 96, 96]);
    await profiled('paper MSE training step, batch 16, 96-px HR', async () => {
      oursTrainStep(g, opt, lrT, hrT).dispose();
      await E.engine().sync();
    });
  }
  E.destroyEngine();
}

await main();
