/**
 * The streaming machinery of `srgan upscale` on a photo of any size, with a stand-in model: the
 * training bicubic ×4 in place of the network. Everything else is the CLI's own path (plan, decode,
 * tiles on the GPU, strips, the row-by-row PNG encoder), so its peak memory is the CLI's minus the
 * network's activations, which depend on the tile, not the image (measured by the real runs in
 * bench-upscale-memory.sh). It makes a 12-megapixel run measurable on a CPU in minutes, not an hour.
 * Run: npx tsx scripts/upscale-memory.mts IN OUT (under /usr/bin/time -v for the peak RSS).
 */
import * as E from '../src/engine/node.js';
import { bicubicUpscale } from '../src/srgan/data/degrade.js';
import { defaultTile } from '../src/srgan/serve/upscale.js';
import { planUpscale } from '../src/cli/upscale-plan.js';
import { upscaleOne } from '../src/cli/srgan-upscale.js';
import type { InferenceModel as SrModel } from '../src/srgan/serve/inference.js';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: upscale-memory.mts IN OUT');
const plan = await planUpscale({ input, output, scale: 4 });
await E.initEngine({});
const model = { scale: 4, run: (x: E.Tensor) => bicubicUpscale(x, 4), dispose() {} } as unknown as SrModel;
console.log(await upscaleOne(model, plan.jobs[0], { tile: defaultTile(16), overlap: 16, selfEnsemble: false, signal: new AbortController().signal }));
E.destroyEngine();
