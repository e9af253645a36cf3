/**
 * The pure parts of `npm run bench:cpu` (bench/cpu/schedule.ts, options.ts): the interleaving
 * order, ratios, the table and the options. The benchmark itself takes minutes and is not run here.
 */
import { describe, expect, it } from 'vitest';
import { cell, formatCpuTable, formatNotes, maxAbsDiff, ratio, ratiosOf, roundCount, roundOrder } from '../../bench/cpu/schedule.js';
import { parseCpuArgs } from '../../bench/cpu/options.js';

describe('bench:cpu interleaving', () => {
  it('alternates A B C, C B A, and drops runtimes whose runs are done', () => {
    const runs = [3, 1, 3];
    expect(roundCount(runs)).toBe(3);
    expect([0, 1, 2].map((r) => roundOrder(runs, r))).toEqual([
      [0, 1, 2],
      [2, 0],
      [0, 2],
    ]);
    expect(roundCount([])).toBe(0);
  });

  it('each runtime is timed exactly its number of runs', () => {
    const runs = [5, 2, 0, 4];
    const counts = [0, 0, 0, 0];
    for (let r = 0; r < roundCount(runs); r++) for (const i of roundOrder(runs, r)) counts[i]++;
    expect(counts).toEqual(runs);
  });
});

describe('bench:cpu ratios and table', () => {
  const rows = {
    infer: { 'ours-cpu': cell([30, 10, 20]), onnxruntime: cell([5]), torch: { skipped: 'python3 has no torch' }, 'ours-webgpu': cell([400]) },
  };

  it('medians and ratios of medians; missing cells give no ratio', () => {
    expect(rows.infer['ours-cpu'].ms).toBe(20);
    expect(ratio(rows.infer['ours-cpu'], rows.infer.onnxruntime)).toBe(4);
    expect(ratiosOf(rows.infer)).toEqual({ 'cpu/ort': 4, 'cpu/torch': undefined, 'webgpu/cpu': 20 });
  });

  it('prints one row per case with "-" for what did not run, and notes why', () => {
    const table = formatCpuTable(rows, ['ours-cpu', 'ours-webgpu', 'onnxruntime', 'torch']).split('\n');
    expect(table[0]).toMatch(/^case\s+ours-cpu ms\s+ours-webgpu ms\s+onnxruntime ms\s+torch ms\s+cpu\/ort ×\s+cpu\/torch ×\s+webgpu\/cpu ×$/);
    expect(table[2].split(/\s+/)).toEqual(['infer', '20.0', '400', '5.00', '-', '4', '-', '20']);
    expect(formatNotes(rows)).toEqual(['infer torch: python3 has no torch']);
  });

  it('max |Δ| needs equal sizes and lets a NaN through', () => {
    expect(maxAbsDiff(Float32Array.of(1, 2), Float32Array.of(1.5, 2))).toBe(0.5);
    expect(maxAbsDiff(Float32Array.of(NaN), Float32Array.of(0))).toBeNaN();
    expect(() => maxAbsDiff(new Float32Array(2), new Float32Array(3))).toThrow(/size/);
  });
});

describe('bench:cpu options', () => {
  it('defaults, lists and errors', () => {
    const d = parseCpuArgs([]);
    expect(d).toMatchObject({ runs: 5, webgpuRuns: 1, warmup: 1, upscaleWebgpu: false });
    expect(d.cases).toContain('upscale_6mp');
    const o = parseCpuArgs(['--cases=infer_paper_128', '--runtimes', 'ours-cpu,torch', '--runs', '3', '--upscale-webgpu']);
    expect(o).toMatchObject({ cases: ['infer_paper_128'], runtimes: ['ours-cpu', 'torch'], runs: 3, upscaleWebgpu: true });
    expect(() => parseCpuArgs(['--runtimes', 'tfjs'])).toThrow(/unknown "tfjs"/);
    expect(() => parseCpuArgs(['--runs', '0'])).toThrow(/≥ 1/);
    expect(() => parseCpuArgs(['--fast'])).toThrow(/unknown option/);
  });
});
