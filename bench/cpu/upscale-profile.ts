/**
 * Where the 6-MP ×4 upscale with the shipped `default` model spends its time on the CPU backend:
 * the tiles `srgan upscale` runs (default tile and overlap), with the engine's profiler on, and
 * the host-side work (reading windows, placing cores) as the rest of the wall time. No PNG encode
 * (the CLI streams strips into sharp; bench:cpu's upscale_6mp case times the whole command).
 *   npx tsx bench/cpu/upscale-profile.ts [--threads 2] [--simd auto|portable] [--tiles N] [--size 3000x2000]
 */
import { readFileSync } from 'node:fs';
import * as E from '../../src/engine/node.js';
import { generatorInferenceFromBytes } from '../../src/srgan/serve/model-resolver.js';
import { upscaleStrips, defaultTile, planTiles } from '../../src/srgan/serve/upscale.js';
import type { SimdChoice } from '../../src/engine/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const threads = Number(arg('threads', '2'));
  const simd = arg('simd', 'auto') as SimdChoice;
  const [width, height] = arg('size', '3000x2000').split('x').map(Number);
  const eng = await E.initEngine({ backend: 'cpu', threads, simd, log: () => {} });
  console.log(`${E.describeAdapter(eng.adapter)}, ${eng.adapter.architecture}`);
  const model = generatorInferenceFromBytes(new Uint8Array(readFileSync('models/default/generator.safetensors')), 'default');
  const overlap = 16,
    tile = defaultTile(overlap);
  const all = planTiles(width, height, tile, overlap, overlap).length;
  const maxTiles = Number(arg('tiles', String(all)));
  // A photo-like source: smooth gradients plus noise (the time does not depend on the content).
  const samples = new Uint8Array(width * height * 3);
  for (let i = 0; i < samples.length; i++) samples[i] = (((i / 3) % width) * 0.05 + (i % 3) * 40 + ((i * 2654435761) >>> 27)) & 255;
  const src = { width, height, channels: 3 as const, samples, max: 255 };
  // Warm-up: one tile (kernels compiled, heap grown).
  await upscaleStrips(
    (t) => model.run(t),
    { ...src, width: tile, height: tile },
    { scale: 4, tile, overlap },
    () => {},
  );
  eng.profiler.reset();
  eng.profiler.enable();
  let tiles = 0;
  const t0 = performance.now();
  const stop = new AbortController();
  try {
    await upscaleStrips(
      (t) => model.run(t),
      src,
      {
        scale: 4,
        tile,
        overlap,
        signal: stop.signal,
        onProgress: (d) => {
          tiles = d;
          if (d >= maxTiles) stop.abort();
        },
      },
      () => {},
    );
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  }
  const ms = performance.now() - t0;
  eng.profiler.enable(false);
  const rows = await eng.profiler.report();
  const kernelMs = rows.reduce((s, r) => s + r.totalMs, 0);
  console.log(
    `${width}×${height} ×4, tile ${tile} + ${overlap}: ${tiles} of ${all} tiles in ${(ms / 1e3).toFixed(1)} s ` +
      `(${((ms * all) / tiles / 1e3).toFixed(1)} s for all), ${(kernelMs / 1e3).toFixed(1)} s in kernels, the rest host-side`,
  );
  console.log(E.formatProfile(rows));
  E.destroyEngine();
}

await main();
process.exit(0);
