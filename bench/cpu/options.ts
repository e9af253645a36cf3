/** `npm run bench:cpu` options (pure, so the unit test can check them). */
export const RUNTIMES = ['ours-cpu', 'ours-webgpu', 'onnxruntime', 'torch'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];
export const ALL_CASES = ['infer_default_128', 'infer_paper_128', 'train_paper_bs16', 'upscale_6mp'] as const;

export interface CpuBenchOptions {
  cases: string[];
  runtimes: RuntimeName[];
  /** Timed runs per runtime and case (medians of these). */
  runs: number;
  /** Timed runs of ours on WebGPU: on SwiftShader a `paper` step takes tens of seconds. */
  webgpuRuns: number;
  /** Untimed steps before the timed ones, after the agreement check's step (which warms up too). */
  warmup: number;
  /** Also time upscale_6mp on WebGPU (about half an hour on SwiftShader). */
  upscaleWebgpu: boolean;
  /** Largest max |Δ| against PyTorch's output (and relative |Δ| of the first training loss) that still counts as agreeing. */
  tol: number;
  json?: string;
}

const list = <T extends string>(flag: string, value: string, known: readonly T[]): T[] => {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of items) if (!known.includes(s as T)) throw new Error(`${flag}: unknown "${s}" (known: ${known.join(', ')})`);
  return items as T[];
};

export function parseCpuArgs(argv: readonly string[]): CpuBenchOptions {
  const o: CpuBenchOptions = { cases: [...ALL_CASES], runtimes: [...RUNTIMES], runs: 5, webgpuRuns: 1, warmup: 1, upscaleWebgpu: false, tol: 1e-3 };
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    const take = () => {
      value ??= argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      return value;
    };
    const int = (min: number) => {
      const n = Number(take());
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, got ${value}`);
      return n;
    };
    if (flag === '--cases') o.cases = list(flag, take(), ALL_CASES);
    else if (flag === '--runtimes') o.runtimes = list(flag, take(), RUNTIMES);
    else if (flag === '--runs') o.runs = int(1);
    else if (flag === '--webgpu-runs') o.webgpuRuns = int(0);
    else if (flag === '--warmup') o.warmup = int(0);
    else if (flag === '--upscale-webgpu') o.upscaleWebgpu = true;
    else if (flag === '--tol') o.tol = Number(take());
    else if (flag === '--json') o.json = take();
    else throw new Error(`unknown option ${flag} (known: --cases, --runtimes, --runs, --webgpu-runs, --warmup, --upscale-webgpu, --tol, --json)`);
  }
  if (!(o.tol > 0)) throw new Error(`--tol must be > 0`);
  return o;
}
