/**
 * The texture oracle of docs/models.md: how much sharpness invented texture can buy within a PSNR
 * budget, if the texture were ideal. It adds to `default`'s output a scaled copy (α) of its own
 * missing detail (the original minus `default`'s output), shifted by d pixels. At d = 0 that is
 * the true detail, what a perfect model restores. At d ≥ 1 it is texture with exactly the
 * original's spectrum, strength and placement, off by d pixels: the best a generator can do when
 * it invents detail that the LR image does not determine. Measured like a model (srgan eval's
 * protocol); for each shift, α is bisected to the point 1 dB below `default` and to sharpness 0.5.
 * Last, a better model: a fraction of the true detail restored (a PSNR gain), then the 8-px texture
 * added down to 1 dB below `default`: how much better than `default` a model must be to meet the
 * target with texture. Run: npx tsx scripts/texture-oracle.mts
 */
import * as E from '../src/engine/node.js';
import { readImageFolder } from '../src/srgan/data/folder-node.js';
import { chooseModel } from '../src/cli/model-choice.js';
import { evaluate, modCrop, type EvalReport } from '../src/srgan/metrics.js';
import { upscaleImage } from '../src/srgan/serve/upscale.js';
import type { HostImage } from '../src/srgan/image/types.js';
await E.initEngine({});
const model = (await chooseModel('texture-oracle', {})).load();

/** Interleaved pixels moved by (d, d), the edge rows and columns repeated. */
function shifted(data: Float32Array, w: number, h: number, ch: number, d: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sy = Math.min(h - 1, Math.max(0, y - d)),
        sx = Math.min(w - 1, Math.max(0, x - d));
      for (let c = 0; c < ch; c++) out[(y * w + x) * ch + c] = data[(sy * w + sx) * ch + c];
    }
  return out;
}

/** α at which f(α) crosses `target` (f increasing in α on [lo, hi]), by bisection. */
async function bisect(f: (alpha: number) => Promise<number>, target: number, lo = 0, hi = 2, steps = 9): Promise<number> {
  for (let k = 0; k < steps; k++) {
    const mid = (lo + hi) / 2;
    if ((await f(mid)) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const fmt = (r: EvalReport, base: EvalReport) =>
  `${(r.model.psnr_y - base.model.psnr_y).toFixed(2)} dB, sharpness ${r.model.sharpness.toFixed(3)}, flat ${r.flatSharpness.model.toFixed(2)}`;

for (const dir of ['data/faces/heldout', 'data/photos/heldout']) {
  const images = await readImageFolder(dir);
  const outputs: HostImage[] = [];
  const base = await evaluate(images, async (lr) => {
    const sr = await upscaleImage((t) => model.run(t), lr, { scale: 4 });
    outputs.push(sr);
    return sr;
  });
  console.log(`${dir}: default PSNR-Y ${base.model.psnr_y.toFixed(2)}, sharpness ${base.model.sharpness.toFixed(3)}`);
  // The detail `default` misses: the original minus its output.
  const details = outputs.map((sr, i) => {
    const hr = modCrop(images[i], 4);
    if (hr.channels !== sr.channels) throw new Error(`${hr.name}: ${hr.channels} channels against the model's ${sr.channels}`);
    return sr.data.map((v, k) => hr.data[k] - v);
  });
  for (const d of [1, 2, 4, 8]) {
    const textures = outputs.map((sr, i) => shifted(details[i], sr.width, sr.height, sr.channels, d));
    const withTexture = (alpha: number) => {
      let i = 0;
      return evaluate(images, async () => {
        const sr = outputs[i],
          t = textures[i++];
        return { ...sr, data: sr.data.map((v, k) => v + alpha * t[k]) };
      });
    };
    const aDb = await bisect(async (a) => -((await withTexture(a)).model.psnr_y - base.model.psnr_y), 1, d === 1 ? 0.3 : 0);
    const aSharp = await bisect(async (a) => (await withTexture(a)).model.sharpness, 0.5);
    console.log(
      `  shift ${d} px: at -1 dB (alpha ${aDb.toFixed(3)}): ${fmt(await withTexture(aDb), base)} | at sharpness 0.5 (alpha ${aSharp.toFixed(3)}): ${fmt(await withTexture(aSharp), base)}`,
    );
  }
  // A better model: a fraction β of the true detail restored (a PSNR gain over `default`), then the
  // 8-px texture added until the output is 1 dB below `default`. How large must the gain be?
  const textures = outputs.map((sr, i) => shifted(details[i], sr.width, sr.height, sr.channels, 8));
  const better = (beta: number, alpha: number) => {
    let i = 0;
    return evaluate(images, async () => {
      const sr = outputs[i],
        c = details[i],
        t = textures[i++];
      return { ...sr, data: sr.data.map((v, k) => v + beta * c[k] + alpha * t[k]) };
    });
  };
  for (const beta of [0.1, 0.2, 0.3]) {
    const restored = await better(beta, 0);
    const alpha = await bisect(async (a) => -((await better(beta, a)).model.psnr_y - base.model.psnr_y), 1);
    console.log(
      `  ${beta} of the detail restored (${fmt(restored, base)}), then 8-px texture to -1 dB (alpha ${alpha.toFixed(3)}): ${fmt(await better(beta, alpha), base)}`,
    );
  }
}
process.exit(0);
