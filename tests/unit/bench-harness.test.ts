/**
 * The benchmark harness without the browser: the statistics, the interleaving and the output format
 * on fake sides, then tiny versions of the real cases on our engine and TF.js's WebGPU backend in
 * this process (the full `npm run bench` is too slow for CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/gpu.js';
import {
  formatTable,
  gflops,
  median,
  parseArgs,
  selected,
  summarise,
  timeInterleaved,
  type BenchResult,
  type Runner,
  type Side,
} from '../../bench/harness.js';
import { runBench } from '../../bench/run-cases.js';
import { disposeTfjs, loadTfjsWebGPU } from '../../bench/node-tfjs.js';
import { families, type Tf } from '../../bench/cases/index.js';
import { matmulCase } from '../../bench/cases/matmul.js';
import { convCases } from '../../bench/cases/conv3x3.js';
import { liveTensorCount, Tensor, Adam, tidy } from '../../src/engine/index.js';
import { generatorParamCount } from '../../src/srgan/models/generator.js';
import {
  oursGenerator,
  oursTrainStep,
  paperSpec,
  specConfig,
  srresnetCases,
  srresnetInputs,
  tfjsGenerator,
  toNhwc,
  type SrresnetSpec,
} from '../../bench/cases/srresnet.js';

describe('bench statistics and options', () => {
  it('median of odd and even counts, unsorted input left alone', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it('GFLOPS = flops / ms / 1e6', () => {
    expect(gflops(2 * 512 ** 3, 100)).toBeCloseTo(2.68435456, 8);
    expect(summarise([30, 10, 20], 2e9)).toEqual({ ms: 20, gflops: 100 });
  });

  it('parses --cases, --runs, --warmup, --json and rejects the rest', () => {
    const o = parseArgs(['--cases', 'matmul,conv3x3_bwd', '--runs=3', '--warmup', '0', '--json', 'x.json']);
    expect(o).toEqual({ cases: ['matmul', 'conv3x3_bwd'], runs: 3, warmup: 0, json: 'x.json' });
    expect(parseArgs([]).runs).toBeGreaterThan(1);
    expect(() => parseArgs(['--runs', '0'])).toThrow(/--runs/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
  });

  it('filters by family name or key prefix', () => {
    expect(selected('matmul', 'matmul_512', [])).toBe(true);
    expect(selected('matmul', 'matmul_512', ['matmul'])).toBe(true);
    expect(selected('conv3x3', 'conv3x3_bwd_32x32x64', ['conv3x3_fwd'])).toBe(false);
    expect(selected('conv3x3', 'conv3x3_fwd_32x32x64', ['matmul', 'conv3x3_fwd'])).toBe(true);
  });

  it('registry holds the agreed keys with their flop counts', () => {
    const flops = Object.fromEntries(families.filter((f) => !f.optIn).flatMap((f) => f.cases.map((c) => [c.key, c.flops])));
    const conv = (h: number, w: number, c: number) => 2 * h * w * c * c * 9;
    expect(flops).toEqual({
      matmul_256: 2 * 256 ** 3,
      matmul_512: 2 * 512 ** 3,
      conv3x3_fwd_32x32x64: conv(32, 32, 64),
      conv3x3_bwd_32x32x64: 2 * conv(32, 32, 64),
      conv3x3_fwd_64x64x64: conv(64, 64, 64),
      conv3x3_bwd_64x64x64: 2 * conv(64, 64, 64),
      // reductions: one flop per element read (two tensors for the MSE, four passes for BN), the conv's three products.
      reduce_sum_bias_16x32x24x24: 16 * 32 * 24 * 24,
      mse_loss_fwdbwd_16x3x96x96: 2 * 16 * 3 * 96 * 96,
      bn_fwdbwd_16x64x24x24: 4 * 16 * 64 * 24 * 24,
      conv3x3_bias_fwdbwd_16x32x24x24: 3 * 16 * conv(24, 24, 32),
      esrgan_slim_x4_64px: expect.any(Number),
    });
  });

  it('gpu-large runs only when named', () => {
    const large = families.find((f) => f.name === 'gpu-large')!;
    expect(large.optIn).toBe(true);
    expect(large.cases.map((c) => c.key)).toContain('matmul_2048');
    expect(selected('gpu-large', 'matmul_2048', [], true)).toBe(false);
    expect(selected('gpu-large', 'matmul_2048', ['matmul'], true)).toBe(false);
    expect(selected('gpu-large', 'matmul_2048', ['gpu-large'], true)).toBe(true);
    expect(selected('gpu-large', 'matmul_2048', ['matmul_2048'], true)).toBe(true);
    expect(selected('gpu-large', 'matmul_2048', ['matmul_20'], true)).toBe(false);
  });

  it('srgan is opt-in: the paper SRResNet at 24 px, infer and an Adam step at batch 4, with conv flop counts', () => {
    const srgan = families.find((f) => f.name === 'srgan')!;
    expect(srgan.optIn).toBe(true);
    expect(selected('srgan', 'srresnet_b16c64_infer_24px', [], true)).toBe(false);
    // 9×9 3→64, 33 × 3×3 64→64 (16 blocks × 2 + trunk) at 24², 3×3 64→256 at 24² and 48², 9×9 64→3 at 96².
    const head = 2 * 24 * 24 * 3 * 64 * 81;
    const fwd = head + 33 * 2 * 24 * 24 * 64 * 64 * 9 + 2 * (24 * 24 + 48 * 48) * 64 * 256 * 9 + 2 * 96 * 96 * 64 * 3 * 81;
    expect(Object.fromEntries(srgan.cases.map((c) => [c.key, c.flops]))).toEqual({
      srresnet_b16c64_infer_24px: fwd,
      srresnet_b16c64_trainstep_bs4_24px: 4 * (3 * fwd - head),
    });
    expect(paperSpec).toMatchObject({ blocks: 16, channels: 64, upsampleChannels: 256, size: 24, batch: 4 });
  });

  it('formats a table with the speed-up as peer ms / our ms', () => {
    const r: BenchResult = {
      adapter: {},
      cases: { matmul_512: { ms: 50, gflops: 5.4 } },
      peer: { 'tfjs-webgpu': { cases: { matmul_512: { ms: 150, gflops: 1.8 } } } },
    };
    const lines = formatTable(r).split('\n');
    expect(lines[0]).toMatch(/^case\s+ours ms\s+ours GFLOPS\s+TF\.js ms\s+TF\.js GFLOPS\s+speed-up ×$/);
    expect(lines[2].split(/\s+/)).toEqual(['matmul_512', '50.000', '5.400', '150.000', '1.800', '3.00']);
  });

  it('adds peak-memory columns when a case measured its memory', () => {
    const r: BenchResult = {
      adapter: {},
      cases: { a: { ms: 10, gflops: 1 }, b: { ms: 20, gflops: 2, peakMiB: 202.4 } },
      peer: { 'tfjs-webgpu': { cases: { a: { ms: 30, gflops: 0.3 }, b: { ms: 400, gflops: 0.1, peakMiB: 484.4 } } } },
    };
    const lines = formatTable(r).split('\n');
    expect(lines[0]).toMatch(/speed-up ×\s+ours MiB\s+TF\.js MiB$/);
    expect(lines[2].split(/\s+/).slice(-2)).toEqual(['-', '-']);
    expect(lines[3].split(/\s+/).slice(-3)).toEqual(['20.00', '202.4', '484.4']);
    expect(summarise([5, 1, 3], 2e9, 3 * 2 ** 20)).toEqual({ ms: 3, gflops: 666.67, peakMiB: 3 });
    expect(summarise([5, 1, 3], 2e9)).not.toHaveProperty('peakMiB');
  });
});

describe('interleaved timing on fake sides', () => {
  it('warms up, alternates the order, and keeps prepare/after out of the clock', async () => {
    const events: string[] = [];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const make = (name: string, stepMs: number): { side: Side; runner: Runner } => {
      let pending = 0;
      return {
        side: {
          name,
          settle: async () => {
            await sleep(pending);
            pending = 0;
          },
        },
        runner: {
          prepare: () => {
            events.push(`${name}.prepare`);
            pending = 100;
          }, // untimed: settled before the clock starts
          step: () => {
            events.push(`${name}.step`);
            pending = stepMs;
          },
          after: () => events.push(`${name}.after`),
          dispose: () => {},
        },
      };
    };
    const samples = await timeInterleaved([make('A', 5), make('B', 30)], { warmup: 1, runs: 3 });
    const steps = events.filter((e) => e.endsWith('.step'));
    expect(steps).toEqual(['A.step', 'B.step', 'A.step', 'B.step', 'B.step', 'A.step', 'A.step', 'B.step']);
    expect(events.filter((e) => e.endsWith('.after')).length).toBe(8);
    expect(samples.map((s) => s.length)).toEqual([3, 3]);
    // Timer slack only ever adds time; the 100 ms prepare must not show up.
    for (const ms of samples[0]) {
      expect(ms).toBeGreaterThanOrEqual(4);
      expect(ms).toBeLessThan(60);
    }
    expect(median(samples[1])).toBeGreaterThan(median(samples[0]));
  });
});

type TfScalar = import('@tensorflow/tfjs-core').Scalar;

describe('tiny real cases: our engine and TF.js WebGPU in one process', () => {
  useEngine();
  let tf: Tf | undefined;
  beforeAll(async () => {
    tf = await loadTfjsWebGPU();
  });
  afterAll(() => {
    if (tf) disposeTfjs(tf);
  });

  it('runs matmul and conv (fwd + bwd) end to end, result JSON has the agreed shape, no tensor leaks', async () => {
    const family = { name: 'tiny', cases: [matmulCase(16), ...convCases({ h: 5, w: 4, c: 3 })] };
    const live = liveTensorCount();
    const tfLive = tf!.memory().numTensors;
    const r = await runBench(tf!, [family], { cases: [], runs: 2, warmup: 1 });
    expect(liveTensorCount()).toBe(live);
    expect(tf!.memory().numTensors).toBe(tfLive);

    const keys = ['matmul_16', 'conv3x3_fwd_5x4x3', 'conv3x3_bwd_5x4x3'];
    const parsed = JSON.parse(JSON.stringify(r)) as BenchResult;
    expect(Object.keys(parsed)).toEqual(['adapter', 'cases', 'peer']);
    expect(Object.keys(parsed.cases)).toEqual(keys);
    expect(Object.keys(parsed.peer['tfjs-webgpu'].cases)).toEqual(keys);
    for (const t of [...Object.values(parsed.cases), ...Object.values(parsed.peer['tfjs-webgpu'].cases)]) {
      expect(t.ms).toBeGreaterThan(0);
      expect(t.gflops).toBeGreaterThan(0);
    }
    expect(parsed.adapter).toMatchObject({ runtime: 'node' });
    expect(typeof parsed.adapter.isSoftware).toBe('boolean');
    expect(formatTable(parsed).split('\n')).toHaveLength(2 + keys.length);
  });

  // Two blocks, 8 channels, 5×5 LR: every layer of the paper network, in a second on a CPU adapter.
  const tinySr: SrresnetSpec = { blocks: 2, channels: 8, upsampleChannels: 32, size: 5, batch: 2, lr: 1e-2 };

  it('srresnet: our Generator and the TF.js twin compute the same forward and the same Adam steps', async () => {
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const g = oursGenerator(tinySr);
    const twin = tfjsGenerator(tf!, tinySr);
    const { lr, hr } = srresnetInputs(tinySr, tinySr.batch);
    const lrShape = [tinySr.batch, 3, 5, 5],
      hrShape = [tinySr.batch, 3, 20, 20];
    const x = Tensor.fromArray(lr, lrShape),
      y = Tensor.fromArray(hr, hrShape);
    const tx = tf!.tensor4d(toNhwc(lr, lrShape), [tinySr.batch, 5, 5, 3]),
      ty = tf!.tensor4d(toNhwc(hr, hrShape), [tinySr.batch, 20, 20, 3]);
    try {
      // Eval mode: running statistics, and the pixel shuffles' channel orders reconciled.
      g.eval();
      const ours = tidy(() => g.forward(x));
      const theirs = twin.forward(tx, false);
      const diff = maxDiff(toNhwc(await ours.read(), ours.shape), (await theirs.data()) as Float32Array);
      ours.dispose();
      theirs.dispose();
      expect(diff).toBeLessThan(1e-5);

      // Two training steps each: the second loss sees the first step's Adam update of every weight.
      g.train();
      const opt = new Adam(g.parameters(), { lr: tinySr.lr, betas: [0.9, 0.999] });
      const tfOpt = tf!.train.adam(tinySr.lr!, 0.9, 0.999, 1e-8);
      const oursLoss: number[] = [],
        tfLoss: number[] = [];
      for (let i = 0; i < 2; i++) {
        const l = oursTrainStep(g, opt, x, y);
        oursLoss.push(await l.item());
        l.dispose();
        const c = tfOpt.minimize(() => tf!.mean(tf!.squaredDifference(twin.forward(tx, true), ty)) as TfScalar, true, twin.trainable)!;
        tfLoss.push((await c.data())[0]);
        c.dispose();
      }
      opt.zeroGrad();
      opt.dispose();
      tfOpt.dispose();
      const gap = Math.max(...oursLoss.map((v, i) => Math.abs(v - tfLoss[i])));
      expect(gap).toBeLessThan(1e-5 * oursLoss[0]);
      expect(Math.abs(oursLoss[1] - oursLoss[0])).toBeGreaterThan(100 * gap); // the step changed the loss measurably
    } finally {
      for (const t of [x, y]) t.dispose();
      tx.dispose();
      ty.dispose();
      g.dispose();
      twin.dispose();
    }
  });

  it("srresnet cases run end to end at tiny size, record the training step's peak memory, and leak nothing", async () => {
    const live = liveTensorCount();
    const tfLive = tf!.memory().numTensors;
    const r = await runBench(tf!, [{ name: 'tiny-srgan', cases: srresnetCases(tinySr) }], { cases: [], runs: 1, warmup: 0 });
    expect(Object.keys(r.cases)).toEqual(['srresnet_b2c8_infer_5px', 'srresnet_b2c8_trainstep_bs2_5px']);
    for (const t of [...Object.values(r.cases), ...Object.values(r.peer['tfjs-webgpu'].cases)]) expect(t.ms).toBeGreaterThan(0);
    const key = 'srresnet_b2c8_trainstep_bs2_5px';
    // At least the weights, their gradients and the two Adam moments (4 × 4 bytes per parameter).
    expect(r.cases[key].peakMiB! * 2 ** 20).toBeGreaterThan(0.99 * 16 * generatorParamCount(specConfig(tinySr)));
    expect(r.peer['tfjs-webgpu'].cases[key].peakMiB).toBeGreaterThan(0);
    expect(r.cases.srresnet_b2c8_infer_5px).not.toHaveProperty('peakMiB');
    expect(liveTensorCount()).toBe(live);
    expect(tf!.memory().numTensors).toBe(tfLive);
  });

  it('an unknown filter is an error that names the families', async () => {
    await expect(runBench(tf!, families, { cases: ['nope'], runs: 1, warmup: 0 })).rejects.toThrow(/families: matmul, conv3x3/);
  });
});
