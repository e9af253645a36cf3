/**
 * Which part of the GAN pushes the generator toward a fixed ×4 lattice (docs/models.md, "The ×4
 * lattice"). The tiny generator's only phase-dependent part is its last conv: the pixel shuffle
 * gives each of the 16 sub-pixel phases its own kernel and bias. The gradient of a bias is the sum
 * of dLoss/dSR over the pixels of its phase, so a loss whose gradient has unequal per-phase means
 * drives the phases apart, batch after batch: that is a lattice being trained in. This script
 * measures, on `default`'s output for random 64-px training crops, the per-phase means of the
 * gradient of each term of G's loss, through each discriminator variant:
 *   lock = RMS of the 16 centred phase means of the gradient / RMS of the gradient, ×100 (%),
 *   z    = that RMS over what chance gives (σ/√(pixels per phase)); ≈ 1 for a phase-blind gradient.
 * Run: [PROBE_ONLY=text] npx tsx scripts/lattice-probe.mts [DATA_DIR] [BATCHES] [D_FILE…]  (D_FILE: a run's
 * checkpoints/step-N/discriminator.safetensors, measured as its run trained it)
 */
import * as E from '../src/engine/node.js';
import { readFile } from 'node:fs/promises';
import { readImageFolder } from '../src/srgan/data/folder-node.js';
import { generatorFromSafetensors } from '../src/srgan/store/checkpoint.js';
import { Discriminator } from '../src/srgan/models/discriminator.js';
import { featureMatchingLoss, generatorAdversarialLoss } from '../src/srgan/losses.js';
import { makeLr } from '../src/srgan/data/degrade.js';
import { toRgbPlanes } from '../src/srgan/image/types.js';
import { makeConfig, type DiscriminatorConfig, type SrganConfig } from '../src/srgan/config.js';

const dataDir = process.argv[2] ?? 'data/faces';
const batches = Number(process.argv[3] ?? 6);
const [B, CROP] = [8, 64];
await E.initEngine({});
const images = (await readImageFolder(dataDir)).filter((im) => im.width >= CROP && im.height >= CROP).map((im) => ({ im, rgb: toRgbPlanes(im) }));

// Seeded crops at multiples of 4, so every crop's phases are the model's sub-pixel positions.
let seed = 7;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor((seed / 2147483648) * n));
function batch(): E.Tensor {
  const data = new Float32Array(B * 3 * CROP * CROP);
  for (let b = 0; b < B; b++) {
    const { im, rgb } = images[rand(images.length)];
    const x0 = 4 * rand((im.width - CROP) / 4 + 1),
      y0 = 4 * rand((im.height - CROP) / 4 + 1),
      n = im.width * im.height;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < CROP; y++)
        for (let x = 0; x < CROP; x++) data[((b * 3 + c) * CROP + y) * CROP + x] = rgb[c * n + (y0 + y) * im.width + x0 + x];
  }
  return E.tensor(data, [B, 3, CROP, CROP]);
}

const { generator } = generatorFromSafetensors(await readFile('models/default/generator.safetensors'), 'default');
const shippedD = await readFile('models/srgan/discriminator.safetensors');
const base = makeConfig('tiny', { discriminator: { head: 'patch' } }).discriminator;
const variants: { name: string; cfg: DiscriminatorConfig; weights?: Uint8Array; jitter?: boolean }[] = [
  { name: "srgan's trained D (strided, patch head)", cfg: base, weights: shippedD },
  { name: "srgan's trained D, each crop shifted by 0–3 px before D", cfg: base, weights: shippedD, jitter: true },
  { name: "srgan's trained D's weights, blur-pooled", cfg: { ...base, downsample: 'blur' }, weights: shippedD },
  { name: 'untrained D, strided, patch head', cfg: base },
  { name: 'untrained D, blur-pooled, patch head', cfg: { ...base, downsample: 'blur' } },
  { name: 'untrained D, strided, dense head', cfg: { ...base, head: 'dense' } },
  { name: 'untrained D, blur-pooled, dense head', cfg: { ...base, head: 'dense', downsample: 'blur' } },
];
for (const file of process.argv.slice(4)) {
  const bytes = await readFile(file);
  const cfg = (JSON.parse(E.decodeSafetensors(bytes).metadata.srgan_config) as SrganConfig).discriminator;
  variants.push({ name: `${file} (${cfg.downsample ?? 'stride'}, ${cfg.head} head)`, cfg, weights: bytes });
}

/** Phase means of a gradient over [B, 3, H, W], pooled over batch and channels; lock (%) and z. */
function lockOf(g: Float32Array): { lock: number; z: number } {
  const sums = new Float64Array(16),
    counts = new Float64Array(16);
  let s2 = 0;
  for (let i = 0; i < g.length; i++) {
    const x = i % CROP,
      y = Math.floor(i / CROP) % CROP,
      p = (y % 4) * 4 + (x % 4);
    sums[p] += g[i];
    counts[p]++;
    s2 += g[i] * g[i];
  }
  const means = sums.map((s, p) => s / counts[p]),
    centre = means.reduce((a, v) => a + v, 0) / 16;
  const phaseRms = Math.sqrt(means.reduce((a, v) => a + (v - centre) ** 2, 0) / 16),
    rms = Math.sqrt(s2 / g.length);
  return { lock: (100 * phaseRms) / rms, z: phaseRms / (rms / Math.sqrt(g.length / 16)) };
}

const inputs = Array.from({ length: batches }, () => {
  const hr = batch();
  const sr = E.tidy(() => E.noGrad(() => generator.forward(makeLr(hr, 4))));
  return { hr, sr };
});
/**
 * Each crop and its HR moved by the same random 0–3 px (a 60-px window of the 64): D then meets
 * the generator's sub-pixel phases at random places of its own stride grid, so no phase of G's
 * output is rewarded more than another on average.
 */
let jitterSeed = 11;
const shifted = (x: E.Tensor, shifts: number[][]) =>
  E.concat(
    shifts.map(([dy, dx], b) => E.slice(x, [b, 0, dy, dx], [1, 3, CROP - 4, CROP - 4])),
    0,
  );
/** −(the Laplacian energy of each channel): the plainest "be sharper" objective, with no D at all. */
const laplacianEnergy = (x: E.Tensor) => {
  const [n, c, h, w] = x.shape;
  const lap = E.conv2d(E.reshape(x, [n * c, 1, h, w]), E.tensor([0, 1, 0, 1, -4, 1, 0, 1, 0], [1, 1, 3, 3]), null, { padding: 0 });
  return E.neg(E.mean(E.square(lap)));
};
const grads = (d: Discriminator | undefined, term: 'ragan' | 'fm' | 'mse' | 'sharpen', jitter = false) => {
  const acc = new Float32Array(batches * B * 3 * CROP * CROP);
  return (async () => {
    for (const [k, { hr, sr }] of inputs.entries()) {
      const x = E.variable(E.tidy(() => E.mulScalar(sr, 1)));
      const shifts = Array.from({ length: B }, () =>
        [0, 0].map(() => ((jitterSeed = (jitterSeed * 1103515245 + 12345) % 2147483648), (jitterSeed >> 16) & 3)),
      );
      const loss = E.tidy(() => {
        if (term === 'mse') return E.mseLoss(x, hr);
        if (term === 'sharpen') return laplacianEnergy(x);
        const [xs, hs] = jitter ? [shifted(x, shifts), shifted(hr, shifts)] : [x, hr];
        const fake = d!.forwardWithFeatures(xs),
          real = E.noGrad(() => d!.forwardWithFeatures(hs));
        return term === 'fm' ? featureMatchingLoss(fake.features, real.features) : generatorAdversarialLoss(fake.logits, 'ragan', real.logits);
      });
      E.backward(loss);
      acc.set(await x.grad!.read(), k * B * 3 * CROP * CROP);
      loss.dispose();
      x.dispose();
    }
    return lockOf(acc);
  })();
};

const fmt = (r: { lock: number; z: number }) => `${r.lock.toFixed(2)} % (z ${r.z.toFixed(1)})`;
console.log(`${batches} batches of ${B} × ${CROP}-px crops of ${dataDir}, through default's output\n`);
console.log(`| D | adversarial (RaGAN) gradient | feature-matching gradient |\n| --- | ---: | ---: |`);
console.log(`| (no D: pixel MSE) | ${fmt(await grads(undefined, 'mse'))} | |`);
console.log(`| (no D: more Laplacian energy, "be sharper") | ${fmt(await grads(undefined, 'sharpen'))} | |`);
// PROBE_ONLY=text measures only the variants whose name contains it (the MSE row always).
for (const v of variants.filter((x) => x.name.includes(process.env.PROBE_ONLY ?? ''))) {
  E.nn.manualSeed(1);
  const d = new Discriminator(v.cfg, CROP);
  if (v.weights) d.loadStateDict(E.decodeSafetensors(v.weights).tensors);
  for (const p of d.parameters()) p.requiresGrad = false; // as in G's step: only the path to the input
  console.log(`| ${v.name} | ${fmt(await grads(d, 'ragan', v.jitter))} | ${fmt(await grads(d, 'fm', v.jitter))} |`);
  d.dispose();
}
E.destroyEngine();
process.exit(0);
