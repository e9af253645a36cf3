/**
 * The kernel cases of bench/cpu/kernels.ts (Node) and kernels-page.ts (Chromium): the CPU
 * backend's conv kernels at the `paper` SRResNet's shapes, timed per kernel with the profiler.
 */
import * as E from '../../src/engine/index.js';
import type { SimdChoice } from '../../src/engine/index.js';

export interface KernelCase {
  name: string;
  x: number[];
  w: number[];
  opts: E.Conv2dOptions;
  backward: boolean;
}

export const CASES: KernelCase[] = [
  // Inference at 128²: the 16 residual blocks' convs, the first 9×9 conv, the ×2 upsampler's conv, the last 9×9 conv to RGB.
  { name: 'conv3x3 64→64 @128² fwd', x: [1, 64, 128, 128], w: [64, 64, 3, 3], opts: { padding: 'same' }, backward: false },
  { name: 'conv9x9 3→64 @128² fwd', x: [1, 3, 128, 128], w: [64, 3, 9, 9], opts: { padding: 'same' }, backward: false },
  { name: 'conv3x3 64→256 @256² fwd', x: [1, 64, 256, 256], w: [256, 64, 3, 3], opts: { padding: 'same' }, backward: false },
  { name: 'conv9x9 64→3 @512² fwd (direct)', x: [1, 64, 512, 512], w: [3, 64, 9, 9], opts: { padding: 'same' }, backward: false },
  // The training step at batch 16, LR 24²: a residual conv with both gradients, and the last conv's.
  { name: 'conv3x3 64→64 16×24² fwd+bwd', x: [16, 64, 24, 24], w: [64, 64, 3, 3], opts: { padding: 'same' }, backward: true },
  { name: 'conv9x9 64→3 16×96² fwd+bwd (direct)', x: [16, 64, 96, 96], w: [3, 64, 9, 9], opts: { padding: 'same' }, backward: true },
];

export const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** One run of a case: per-kernel ms and GFLOPS from the profiler. */
export async function runCase(c: KernelCase, seed: number): Promise<Map<string, { ms: number; flops: number }>> {
  const eng = E.engine();
  const x = E.variable(E.randUniform(c.x, -1, 1, seed));
  const w = E.variable(E.randUniform(c.w, -0.1, 0.1, seed + 1));
  eng.profiler.reset();
  eng.profiler.enable();
  const y = E.conv2d(x, w, null, c.opts);
  if (c.backward) E.backward(E.sum(y));
  eng.profiler.enable(false);
  const out = new Map<string, { ms: number; flops: number }>();
  for (const r of await eng.profiler.report())
    if (r.kernel.startsWith('conv2d')) out.set(r.kernel, { ms: r.totalMs, flops: (r.gflops ?? 0) * r.totalMs * 1e6 });
  for (const t of [x, w, y, x.grad, w.grad]) t?.dispose();
  return out;
}

/**
 * Every case on each build, the builds taking turns in alternating order (A B, B A, …) after one
 * warm-up round; returns the table's lines (tab-separated). `init` opens the engine (Node or page).
 */
export async function benchBuilds(
  runs: number,
  threads: number,
  builds: SimdChoice[],
  init: (simd: SimdChoice) => Promise<E.Engine> = (simd) => E.initEngine({ backend: 'cpu', threads, simd }),
): Promise<string[]> {
  const times = new Map<string, number[]>();
  const flopsOf = new Map<string, number>();
  let got = threads;
  for (let r = 0; r < runs + 1; r++) {
    for (const simd of r % 2 ? [...builds].reverse() : builds) {
      const eng = await init(simd);
      if (eng.kind !== 'cpu') throw new Error('expected the CPU backend');
      got = eng.threadCount;
      for (const c of CASES) {
        const res = await runCase(c, r);
        if (r === 0) continue; // warm-up
        for (const [k, v] of res) {
          const key = `${simd}\t${c.name}\t${k}`;
          times.set(key, [...(times.get(key) ?? []), v.ms]);
          flopsOf.set(key, v.flops);
        }
      }
      E.destroyEngine();
    }
  }
  const lines = [
    `CPU kernels, ${got} thread(s), medians of ${runs}`,
    ['case', 'kernel', ...builds.flatMap((b) => [`${b} ms`, `${b} GFLOPS`])].join('\t'),
  ];
  for (const c of CASES) {
    const kernels = [...new Set([...times.keys()].filter((k) => k.split('\t')[1] === c.name).map((k) => k.split('\t')[2]))];
    for (const k of kernels) {
      const cells = builds.flatMap((b) => {
        const key = `${b}\t${c.name}\t${k}`;
        const ms = median(times.get(key) ?? [NaN]);
        return [ms.toFixed(1), (flopsOf.get(key)! / ms / 1e6).toFixed(1)];
      });
      lines.push([c.name, k, ...cells].join('\t'));
    }
  }
  return lines;
}
