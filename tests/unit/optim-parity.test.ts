/**
 * The optimizers' CPU updates against their WGSL kernels: the same steps on both backends, from
 * the same weights and gradients (set by hand, so only the update is compared), agree to float32
 * rounding (the GPU may fuse multiply-adds). The float64 references are in training.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import type { Backend } from '../helpers/gpu.js';

const SIZE = 37,
  STEPS = 6;

function values(seed: number): Float32Array {
  const rng = new E.Rng(seed);
  return Float32Array.from({ length: SIZE }, () => rng.normal());
}

/** Run `steps` on a fresh engine of `backend` and return the weights (and the average, if any). */
async function trajectory(backend: Backend, make: (w: E.Tensor) => { step(): void; average?: E.Tensor; dispose(): void }) {
  await E.initEngine({ backend, log: () => {} });
  try {
    const w = E.variable(E.Tensor.fromArray(values(1), [SIZE]));
    const opt = make(w);
    for (let t = 0; t < STEPS; t++) {
      w.grad = E.Tensor.fromArray(values(100 + t), [SIZE]);
      opt.step();
      w.grad.dispose();
      w.grad = undefined;
    }
    const out = [await w.read(), opt.average ? await opt.average.read() : new Float32Array(0)];
    opt.dispose();
    w.dispose();
    return out;
  } finally {
    E.destroyEngine();
  }
}

const configs: [string, (w: E.Tensor) => { step(): void; average?: E.Tensor; dispose(): void }][] = [
  ['Adam with L2 decay', (w) => new E.Adam([w], { lr: 0.03, weightDecay: 0.1 })],
  ['AdamW, odd betas and eps', (w) => new E.Adam([w], { lr: 0.03, betas: [0.8, 0.95], eps: 1e-3, weightDecay: 0.2, decoupled: true })],
  ['SGD, Nesterov momentum, dampening, decay', (w) => new E.SGD([w], { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: true })],
  ['SGD without momentum', (w) => new E.SGD([w], { lr: 0.05 })],
  [
    'Adam followed by a weight average',
    (w) => {
      const opt = new E.Adam([w], { lr: 0.05 });
      const average = E.Tensor.fromArray(values(7), [SIZE]);
      const ema = new E.WeightAverage([[average, w]], { decay: 0.7 });
      return {
        average,
        step: () => {
          opt.step();
          ema.update();
        },
        dispose: () => {
          opt.dispose();
          average.dispose();
        },
      };
    },
  ],
];

describe("optimizer updates: the CPU backend takes the WebGPU kernels' steps", () => {
  for (const [name, make] of configs) {
    it(name, async () => {
      const [gpuW, gpuAvg] = await trajectory('webgpu', make);
      const [cpuW, cpuAvg] = await trajectory('cpu', make);
      const worst = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / (1 + Math.abs(b[i]))), 0);
      expect(worst(cpuW, gpuW)).toBeLessThan(1e-6);
      expect(worst(cpuAvg, gpuAvg)).toBeLessThan(1e-6);
      expect(cpuW).not.toEqual(values(1)); // the steps moved the weights
    });
  }
});
