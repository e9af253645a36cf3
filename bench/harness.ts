/**
 * The benchmark's pure parts: statistics, the interleaved timing loop, argument parsing, the table
 * and the JSON line. Nothing here touches a GPU, so the Node runner, the browser page and the unit
 * test share it unchanged.
 */

/** One case set up on one engine, holding its own inputs and outputs between calls. */
export interface Runner {
  /** Untimed work that must precede every timed step (e.g. the forward pass before a backward). */
  prepare?(): void;
  /** The timed work: enqueue it (the Side's `settle` then waits for the device to finish it). */
  step(): void;
  /** Untimed clean-up after each timed step (dispose outputs, clear gradients). */
  after?(): void;
  /** Peak GPU bytes the case held (read after the timed steps; cases that measure it). */
  peakBytes?(): number | undefined;
  dispose(): void;
}

/** An engine under test: how to wait until every piece of submitted work has finished. */
export interface Side {
  name: string;
  /** Submit anything still batched and resolve when the device has finished it. */
  settle(): Promise<void>;
}

export interface TimingOptions {
  warmup: number;
  runs: number;
}

export interface CaseTiming {
  ms: number;
  gflops: number;
  /** Peak GPU memory in MiB, where the case measures it (see Runner.peakBytes). */
  peakMiB?: number;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** GFLOPS from a flop count and milliseconds: flops / (ms · 1e-3) / 1e9. */
export function gflops(flops: number, ms: number): number {
  return ms > 0 ? flops / ms / 1e6 : 0;
}

const now = () => performance.now();

/** Time one step to completion: the clock covers op dispatch in JavaScript and the GPU work. */
async function timeOnce(side: Side, r: Runner): Promise<number> {
  r.prepare?.();
  await side.settle(); // untimed work must not leak into the measurement
  const t0 = now();
  r.step();
  await side.settle();
  const ms = now() - t0;
  r.after?.();
  return ms;
}

/**
 * Warm up every side, then alternate them run by run (A B, B A, A B, …) so that load from other
 * processes and clock changes hit both alike; the ratio of medians is what means something on a
 * noisy machine. Returns the samples per side, in the order given.
 */
export async function timeInterleaved(pairs: { side: Side; runner: Runner }[], opts: TimingOptions): Promise<number[][]> {
  const samples = pairs.map(() => [] as number[]);
  for (const { side, runner } of pairs) for (let i = 0; i < opts.warmup; i++) await timeOnce(side, runner);
  for (let run = 0; run < opts.runs; run++) {
    const order = pairs.map((_, i) => i);
    if (run % 2) order.reverse();
    for (const i of order) samples[i].push(await timeOnce(pairs[i].side, pairs[i].runner));
  }
  return samples;
}

export function summarise(samples: readonly number[], flops: number, peakBytes?: number): CaseTiming {
  const ms = median(samples);
  const timing: CaseTiming = { ms: significant(ms), gflops: significant(gflops(flops, ms)) };
  if (peakBytes) timing.peakMiB = significant(peakBytes / 2 ** 20);
  return timing;
}

/** Five significant digits: more than the run-to-run noise, and tiny cases do not round to 0. */
function significant(x: number): number {
  return Number(x.toPrecision(5));
}

export interface BenchOptions {
  /** Case filters: a family name ("matmul") or a case-key prefix ("conv3x3_bwd"). Empty = all. */
  cases: string[];
  runs: number;
  warmup: number;
  /** Also record one profiled step of each of our cases, as a Chrome trace. */
  trace?: boolean;
}

/** `--cases matmul,conv3x3_fwd --runs 9 --warmup 2` (also `--cases=…`). Unknown flags are errors. */
export function parseArgs(
  argv: readonly string[],
  defaults: BenchOptions = { cases: [], runs: 7, warmup: 2 },
): BenchOptions & { json?: string; traceFile?: string } {
  const out: BenchOptions & { json?: string; traceFile?: string } = { ...defaults, cases: [...defaults.cases] };
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    const take = () => {
      if (value === undefined) value = argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      return value;
    };
    const count = (min: number) => {
      const n = Number(take());
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, got ${value}`);
      return n;
    };
    if (flag === '--cases')
      out.cases.push(
        ...take()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (flag === '--runs') out.runs = count(1);
    else if (flag === '--warmup') out.warmup = count(0);
    else if (flag === '--json') out.json = take();
    else if (flag === '--trace') {
      out.traceFile = take();
      out.trace = true;
    } else throw new Error(`unknown option ${flag} (known: --cases LIST, --runs N, --warmup N, --json FILE, --trace FILE)`);
  }
  return out;
}

/** Does a case key pass the filters? A filter matches its family or any key it prefixes. */
export function selected(family: string, key: string, filters: readonly string[], optIn = false): boolean {
  if (!filters.length) return !optIn;
  // An opt-in family (long cases) runs when named, or case by case by exact name, never by a prefix.
  return filters.some((f) => f === family || f === key || (!optIn && key.startsWith(f)));
}

export interface BenchResult {
  adapter: Record<string, unknown>;
  cases: Record<string, CaseTiming>;
  peer: Record<string, { cases: Record<string, CaseTiming> }>;
  /** Chrome trace JSON of one profiled step per case (with --trace); written to its file, not printed. */
  trace?: string;
}

/**
 * Human-readable table: one row per case, ours beside the peer, speed-up = peer ms / our ms; the
 * peak-memory columns appear when some case measured it.
 */
export function formatTable(result: BenchResult, peerName = 'tfjs-webgpu'): string {
  const peer = result.peer[peerName]?.cases ?? {};
  const memory = Object.entries(result.cases).some(([key, o]) => o.peakMiB || peer[key]?.peakMiB);
  const mib = (t?: CaseTiming) => (t?.peakMiB ? fixed(t.peakMiB, 1) : '-');
  const head = ['case', 'ours ms', 'ours GFLOPS', 'TF.js ms', 'TF.js GFLOPS', 'speed-up ×', ...(memory ? ['ours MiB', 'TF.js MiB'] : [])];
  const rows = Object.entries(result.cases).map(([key, o]) => {
    const p = peer[key];
    return [
      key,
      fixed(o.ms, 3),
      fixed(o.gflops, 3),
      p ? fixed(p.ms, 3) : '-',
      p ? fixed(p.gflops, 3) : '-',
      p && o.ms > 0 ? fixed(p.ms / o.ms, 2) : '-',
      ...(memory ? [mib(o), mib(p)] : []),
    ];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (c ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function fixed(x: number, digits: number): string {
  return x.toFixed(digits);
}
