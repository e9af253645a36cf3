/**
 * The experiment behind docs/models.md's "a loss on the phase pattern": the previous srgan's recipe
 * (the GAN phase from `default` with srgan's discriminator, written out below) plus WEIGHT ×
 * phasePatternLoss (src/srgan/phase-loss.ts: SR's per-sub-pixel-phase high-pass means matched to
 * HR's, per batch and colour), which removes G's fixed ×4 pattern and leaves phase-free detail alone.
 * The trainer has no option for this term yet, so this script replaces the trainer's G step with
 * the same step plus the term (the content, adversarial and feature-matching parts are the
 * trainer's own perceptualLoss). Crops come from DATA (default scratch/lattice/data).
 *   npx tsx scripts/lattice-phase-loss.mts WEIGHT STEPS OUT.safetensors [DATA]
 * then: npx srgan eval --checkpoint OUT.safetensors --images data/faces/heldout
 */
import * as E from '../src/engine/node.js';
import { readFile, writeFile } from 'node:fs/promises';
import { readImageFolder } from '../src/srgan/data/folder-node.js';
import { initGeneratorFrom, generatorToSafetensors } from '../src/srgan/store/checkpoint.js';
import { perceptualLoss } from '../src/srgan/losses.js';
import { phasePatternLoss } from '../src/srgan/phase-loss.js';
import { Trainer } from '../src/srgan/train/trainer.js';
import { toRgbPlanes } from '../src/srgan/image/types.js';
import { makeConfig } from '../src/srgan/config.js';
const [weight, steps, out, dataDir = 'scratch/lattice/data'] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4], process.argv[5]];
await E.initEngine({ backend: 'cpu' });
// The previous srgan's recipe, as these runs used it (the shipped models/srgan/recipe.json has since changed).
const config = makeConfig('tiny', {
  generator: { blocks: 8 },
  discriminator: { head: 'patch' },
  phase1Steps: 0,
  phase2Steps: steps,
  batch: 8,
  hrCrop: 64,
  lr: 1e-4,
  ganLoss: 'ragan',
  advWeight: 1e-2,
  dLrScale: 4,
  featureMatchWeight: 0.03,
});
const trainer = new Trainer(config);
initGeneratorFrom(trainer.generator, await readFile('models/default/generator.safetensors'), 'default');
E.loadCheckpoint(trainer.discriminator, await readFile('models/srgan/discriminator.safetensors'));
// The trainer's G step (trainer.ts, generatorStep) with the extra term; everything else is the trainer's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replaces a private method of Trainer for this experiment
(Trainer.prototype as any).generatorStep = function (this: any, lowRes: E.Tensor, target: E.Tensor, _phase: number, o: Record<string, E.Tensor>) {
  this.optG.zeroGrad();
  const dParams = this.discriminator.parameters();
  for (const p of dParams) p.requiresGrad = false;
  try {
    const sr = this.generator.forward(lowRes);
    const fake = this.discriminator.forwardWithFeatures(sr),
      real = this.discriminator.forwardWithFeatures(target);
    const loss = perceptualLoss(
      sr,
      target,
      { fakeLogits: fake.logits, realLogits: real.logits, fakeFeatures: fake.features, realFeatures: real.features },
      this.config,
    );
    const phase = phasePatternLoss(sr, target);
    E.backward(weight > 0 ? E.add(loss.total, E.mulScalar(phase, weight)) : loss.total);
    o.g_content = loss.content;
    o.g_adv = loss.adversarial;
    o.g_fm = phase.detach();
  } finally {
    for (const p of dParams) p.requiresGrad = true;
  }
  this.optG.step();
};
const images = (await readImageFolder(dataDir)).filter((im) => im.width >= 64 && im.height >= 64).map((im) => ({ im, rgb: toRgbPlanes(im) }));
let seed = 3;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor((seed / 2147483648) * n));
for (let s = 0; s < steps; s++) {
  const data = new Float32Array(8 * 3 * 64 * 64);
  for (let b = 0; b < 8; b++) {
    const { im, rgb } = images[rand(images.length)],
      n = im.width * im.height;
    const x0 = rand(im.width - 63),
      y0 = rand(im.height - 63);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) data[((b * 3 + c) * 64 + y) * 64 + x] = rgb[c * n + (y0 + y) * im.width + x0 + x];
  }
  const log = await trainer.trainStep({ data, shape: [8, 3, 64, 64] });
  if (s % 10 === 9)
    console.log(
      `step ${log.step}: content ${log.g_content.toExponential(2)} adv ${log.g_adv.toFixed(3)} phase ${log.g_fm.toExponential(2)} d ${log.d_real.toFixed(3)}/${log.d_fake.toFixed(3)}`,
    );
}
await writeFile(out, await generatorToSafetensors(trainer.generator, config));
process.exit(0);
