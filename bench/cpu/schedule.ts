/**
 * The pure parts of `npm run bench:cpu`: which runtime runs when, medians, ratios, the table.
 * No process, no clock: tests/unit/bench-cpu.test.ts checks them on fake samples.
 */
import { median } from '../harness.js';

/**
 * The order of round `r`: the runtimes that still have runs to do, forwards on even rounds and
 * backwards on odd ones (A B C, C B A, A B C, …), so that a slow drift of the machine's load hits
 * each runtime alike and no runtime always follows the same neighbour. A runtime with fewer runs
 * (ours on SwiftShader, tens of seconds a step) takes part in the first rounds only.
 */
export function roundOrder(runs: readonly number[], r: number): number[] {
  const order = runs.map((_, i) => i).filter((i) => r < runs[i]);
  return r % 2 ? order.reverse() : order;
}

/** Rounds needed for every runtime to do its runs. */
export function roundCount(runs: readonly number[]): number {
  return Math.max(0, ...runs);
}

/** One runtime's result on one case: its median, or why it has none. */
export interface Cell {
  ms?: number;
  samples?: number[];
  /** Max |Δ| of its output against the reference runtime's, or relative |Δ| of the first training loss. */
  maxAbsDiff?: number;
  /** What maxAbsDiff compares. */
  agreement?: 'output' | 'first loss';
  /** Why it did not run (no such op on a backend, runtime missing, not applicable). */
  skipped?: string;
}

export function cell(samples: number[]): Cell {
  return { ms: Number(median(samples).toPrecision(5)), samples: samples.map((s) => Number(s.toPrecision(5))) };
}

/** numerator / denominator of the medians, or undefined when either is missing. */
export function ratio(num?: Cell, den?: Cell): number | undefined {
  return num?.ms !== undefined && den?.ms !== undefined && den.ms > 0 ? Number((num.ms / den.ms).toPrecision(3)) : undefined;
}

/** The ratios issue 25's targets are stated in: ours on the CPU over each peer (below 1 = ours faster). */
export const RATIOS = [
  { label: 'cpu/ort', num: 'ours-cpu', den: 'onnxruntime' },
  { label: 'cpu/torch', num: 'ours-cpu', den: 'torch' },
  { label: 'webgpu/cpu', num: 'ours-webgpu', den: 'ours-cpu' },
] as const;

export type CaseRow = Record<string, Cell>;

export function ratiosOf(row: CaseRow): Record<string, number | undefined> {
  return Object.fromEntries(RATIOS.map((r) => [r.label, ratio(row[r.num], row[r.den])]));
}

/** Milliseconds with three significant digits; '-' for a runtime that did not run the case. */
function ms(c?: Cell): string {
  if (c?.ms === undefined) return '-';
  return c.ms >= 100 ? c.ms.toFixed(0) : c.ms.toPrecision(3);
}

/** Text table: one row per case, a column of medians per runtime, then the ratios. */
export function formatCpuTable(rows: Record<string, CaseRow>, runtimes: readonly string[]): string {
  const head = ['case', ...runtimes.map((r) => `${r} ms`), ...RATIOS.map((r) => `${r.label} ×`)];
  const body = Object.entries(rows).map(([key, row]) => {
    const rs = ratiosOf(row);
    return [key, ...runtimes.map((r) => ms(row[r])), ...RATIOS.map((r) => (rs[r.label] === undefined ? '-' : String(rs[r.label])))];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (c ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Notes under the table: every skipped cell with its reason, every agreement figure. */
export function formatNotes(rows: Record<string, CaseRow>): string[] {
  const out: string[] = [];
  for (const [key, row] of Object.entries(rows))
    for (const [runtime, c] of Object.entries(row)) {
      if (c.skipped) out.push(`${key} ${runtime}: ${c.skipped}`);
      else if (c.maxAbsDiff !== undefined)
        out.push(
          `${key} ${runtime}: ${c.agreement === 'first loss' ? 'relative |Δ| of the first loss' : 'max |Δ| of the output'} vs torch ${c.maxAbsDiff.toExponential(2)}`,
        );
    }
  return out;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`outputs differ in size: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
