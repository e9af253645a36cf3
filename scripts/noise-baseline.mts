/**
 * The noise baseline of docs/models.md: the shipped default model plus white luma noise of a few
 * strengths, measured like a model (srgan eval's protocol). It shows what the sharpness ratio alone
 * would reward: noise reaches any sharpness cheaply in PSNR, and only the flat-region sharpness
 * gives it away. Run: npx tsx scripts/noise-baseline.mts
 */
import * as E from '../src/engine/node.js';
import { readImageFolder } from '../src/srgan/data/folder-node.js';
import { chooseModel } from '../src/cli/model-choice.js';
import { evaluate } from '../src/srgan/metrics.js';
import { upscaleImage } from '../src/srgan/serve/upscale.js';
await E.initEngine({});
const model = (await chooseModel('noise-baseline', {})).load();
// A seeded normal generator (Box–Muller over a small LCG), so the figures repeat.
let s = 12345;
const uni = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
const gauss = () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
for (const dir of ['data/faces/heldout', 'data/photos/heldout']) {
  const images = await readImageFolder(dir);
  for (const sigma of [0, 2, 4]) {
    const r = await evaluate(
      images,
      async (lr) => {
        const sr = await upscaleImage((t) => model.run(t), lr, { scale: 4 });
        const n = sr.width * sr.height,
          ch = sr.channels;
        for (let i = 0; i < n; i++) {
          const z = (gauss() * sigma) / 255;
          for (let c = 0; c < ch; c++) sr.data[i * ch + c] += z;
        }
        return sr;
      },
      { scale: 4 },
    );
    console.log(
      `${dir} default + luma noise sigma ${sigma}/255: PSNR-Y ${r.model.psnr_y.toFixed(2)} sharpness ${r.model.sharpness.toFixed(3)} flat ${r.flatSharpness.model.toFixed(3)} (bicubic flat ${r.flatSharpness.bicubic.toFixed(3)})`,
    );
  }
}
process.exit(0);
