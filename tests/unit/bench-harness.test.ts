/**
 * The benchmark harness without the browser: the statistics, the interleaving and the output format
 * on fake sides, then tiny versions of the real cases on our engine and TF.js's WebGPU backend in
 * this process (the full `npm run bench` is too slow for CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/gpu.js';
import { formatTable, gflops, median, parseArgs, selected, summarise, timeInterleaved, type BenchResult, type Runner, type Side } from '../../bench/harness.js';
import { runBench } from '../../bench/run-cases.js';
import { disposeTfjs, loadTfjsWebGPU } from '../../bench/node-tfjs.js';
import { families, type Tf } from '../../bench/cases/index.js';
import { matmulCase } from '../../bench/cases/matmul.js';
import { convCases } from '../../bench/cases/conv3x3.js';
import { liveTensorCount } from '../../src/engine/tensor.js';

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
      matmul_256: 2 * 256 ** 3, matmul_512: 2 * 512 ** 3,
      conv3x3_fwd_32x32x64: conv(32, 32, 64), conv3x3_bwd_32x32x64: 2 * conv(32, 32, 64),
      conv3x3_fwd_64x64x64: conv(64, 64, 64), conv3x3_bwd_64x64x64: 2 * conv(64, 64, 64),
    });
  });

  it('gpu-large runs only when named', () => {
    const large = families.find((f) => f.name === 'gpu-large')!;
    expect(large.optIn).toBe(true);
    expect(large.cases.map((c) => c.key)).toContain('matmul_2048');
    expect(selected('gpu-large', 'matmul_2048', [], true)).toBe(false);
    expect(selected('gpu-large', 'matmul_2048', ['matmul'], true)).toBe(false);
    expect(selected('gpu-large', 'matmul_2048', ['gpu-large'], true)).toBe(true);
  });

  it('formats a table with the speed-up as peer ms / our ms', () => {
    const r: BenchResult = {
      adapter: {}, cases: { matmul_512: { ms: 50, gflops: 5.4 } },
      peer: { 'tfjs-webgpu': { cases: { matmul_512: { ms: 150, gflops: 1.8 } } } },
    };
    const lines = formatTable(r).split('\n');
    expect(lines[0]).toMatch(/^case\s+ours ms\s+ours GFLOPS\s+TF\.js ms\s+TF\.js GFLOPS\s+speed-up ×$/);
    expect(lines[2].split(/\s+/)).toEqual(['matmul_512', '50.000', '5.400', '150.000', '1.800', '3.00']);
  });
});

describe('interleaved timing on fake sides', () => {
  it('warms up, alternates the order, and keeps prepare/after out of the clock', async () => {
    const events: string[] = [];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const make = (name: string, stepMs: number): { side: Side; runner: Runner } => {
      let pending = 0;
      return {
        side: { name, settle: async () => { await sleep(pending); pending = 0; } },
        runner: {
          prepare: () => { events.push(`${name}.prepare`); pending = 100; }, // untimed: settled before the clock starts
          step: () => { events.push(`${name}.step`); pending = stepMs; },
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

describe('tiny real cases: our engine and TF.js WebGPU in one process', () => {
  useEngine();
  let tf: Tf | undefined;
  beforeAll(async () => { tf = await loadTfjsWebGPU(); });
  afterAll(() => { if (tf) disposeTfjs(tf); });

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

  it('an unknown filter is an error that names the families', async () => {
    await expect(runBench(tf!, families, { cases: ['nope'], runs: 1, warmup: 0 })).rejects.toThrow(/families: matmul, conv3x3/);
  });
});
