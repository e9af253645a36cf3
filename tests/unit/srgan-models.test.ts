import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { refConv2d, refMaxPool2d, refBatchNorm2d, refPrelu, refPixelShuffle, refResize, refLinear } from '../../src/engine/testing.js';
import type { RefArray } from '../../src/engine/testing.js';
import { makeConfig, presets, type PresetName, type SrganConfig } from '../../src/srgan/config.js';
import { generatorToSafetensors, initGeneratorFrom, interpolateGenerators } from '../../src/srgan/store/checkpoint.js';
import { Generator, generatorParamCount } from '../../src/srgan/models/generator.js';
import { blurDownsample, Discriminator, discriminatorParamCount } from '../../src/srgan/models/discriminator.js';
import { checkOp } from '../helpers/check-op.js';
import { vgg19WeightShapes, Vgg19Error, Vgg19Features } from '../../src/srgan/models/vgg19.js';
import { contentLoss, discriminatorLoss, featureMatchingLoss, generatorAdversarialLoss, perceptualLoss } from '../../src/srgan/losses.js';
import { phasePatternLoss } from '../../src/srgan/phase-loss.js';
import { flatRegionLoss } from '../../src/srgan/flat-loss.js';
import { useEngine } from '../helpers/gpu.js';
import { phasePattern } from '../../src/srgan/metrics.js';

const PRESETS: PresetName[] = ['tiny', 'medium', 'paper', 'keras'];
const rng = (seed: number) => new E.Rng(seed);
const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
/** Read a tensor and free it. */
const take = async (t: E.Tensor) => {
  const v = await t.read();
  t.dispose();
  return v;
};
const infer = (m: E.nn.Module, x: E.Tensor) => E.tidy(() => E.noGrad(() => m.forward(x)));
/** Smooth images in [0, 1] (low-frequency waves, different per channel). */
function smooth(shape: [number, number, number, number], phase = 0): E.Tensor {
  const [n, c, h, w] = shape;
  const data = new Float32Array(n * c * h * w);
  let i = 0;
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data[i++] = 0.5 + 0.35 * Math.sin(0.5 * x + 0.7 * p + phase) * Math.cos(0.4 * y - 0.3 * p);
  return E.tensor(data, shape);
}

// One engine for the whole file: on a software adapter, compiling each kernel variant costs far
// more than running these small shapes, and the pipeline cache lives with the engine.
useEngine();

/**
 * The generator in float64, written from the documented state-dict names and wiring (what a
 * PyTorch twin implements), evaluated with BN in eval mode.
 */
async function refLayers(m: E.nn.Module) {
  const sd = new Map<string, RefArray>();
  for (const [k, t] of m.stateDict()) sd.set(k, { data: Float64Array.from(await t.read()), shape: [...t.shape] });
  const p = (k: string) => sd.get(k)!;
  return {
    p,
    conv: (y: RefArray, at: string, padding: number, stride = 1) => refConv2d(y, p(`${at}.weight`), p(`${at}.bias`), { padding, stride }),
    bn: (y: RefArray, at: string) =>
      refBatchNorm2d(
        y,
        p(`${at}.weight`),
        p(`${at}.bias`),
        { mean: p(`${at}.running_mean`).data, var: p(`${at}.running_var`).data },
        { training: false },
      ),
  };
}

const maxAbsDiff = (got: Float32Array, want: RefArray) => want.data.reduce((m, v, i) => Math.max(m, Math.abs(got[i] - v)), 0);

async function refGenerator(g: Generator, x: RefArray): Promise<RefArray> {
  const { p, conv, bn } = await refLayers(g);
  const act = (y: RefArray, at: string) => refPrelu(y, p(`${at}.weight`));
  const add = (a: RefArray, b: RefArray): RefArray => ({ data: a.data.map((v, i) => v + b.data[i]), shape: a.shape });
  const { cfg } = g;
  if (cfg.arch === 'residual-bicubic') {
    let y = act(conv(x, 'head.0', 1), 'head.1');
    for (let i = 0; i < cfg.blocks; i++) y = act(conv(y, `body.${i}.0`, 1), `body.${i}.1`);
    const [, , h, w] = x.shape;
    return add(refResize(x, h * 4, w * 4), refPixelShuffle(conv(y, 'tail', 1), 4));
  }
  if (cfg.arch === 'resnet-bicubic') {
    const head = act(conv(x, 'head.0', 1), 'head.1');
    let y = head;
    for (let i = 0; i < cfg.blocks; i++) y = add(y, conv(act(conv(y, `body.${i}.conv1`, 1), `body.${i}.act`), `body.${i}.conv2`, 1));
    y = add(conv(y, 'trunk.0', 1), head);
    const [, , h, w] = x.shape;
    return add(refResize(x, h * 4, w * 4), refPixelShuffle(conv(y, 'tail', 1), 4));
  }
  const head = act(conv(x, 'head.0', 4), 'head.1');
  let y = head;
  for (let i = 0; i < cfg.blocks; i++) {
    const b = `body.${i}`;
    y = add(y, bn(conv(act(bn(conv(y, `${b}.conv1`, 1), `${b}.bn1`), `${b}.act`), `${b}.conv2`, 1), `${b}.bn2`));
  }
  y = add(bn(conv(y, 'trunk.0', 1), 'trunk.1'), head);
  for (let j = 0; j < 2; j++) y = act(refPixelShuffle(conv(y, `upsample.${j}.0`, 1), 2), `upsample.${j}.2`);
  const out = conv(y, 'tail', 4);
  return { data: out.data.map(Math.tanh), shape: out.shape };
}

describe('SRGAN generator', () => {
  // Hand counts (conv = in·out·k² + out, BN = 2C, PReLU = C):
  //   paper: head 15,552+64+64 = 15,680; block 2·36,928 + 256 + 64 = 74,176, ×16 = 1,186,816;
  //          trunk 36,928 + 128 = 37,056; upsamplers 2·(147,712 + 64) = 295,552; tail 15,555 → 1,550,659 (≈1.55M)
  //   keras: head 15,616; blocks 16·74,112; trunk 37,056; nearest-conv 147,712 + 590,080; tail 62,211 → 2,038,467
  //   tiny:  896 + 32; 6·(9,248 + 32); 13,872 → 70,480 (ARCHITECTURE.md: "70k parameters")
  //   medium: head 1,344 + 48; blocks 8·(2·20,784 + 48) = 332,928; trunk 20,784; tail 20,784 → 375,888
  const handCount: Record<PresetName, number> = { paper: 1_550_659, keras: 2_038_467, tiny: 70_480, medium: 375_888 };

  for (const p of PRESETS) {
    it(`${p}: parameter count = the independent count = the hand count`, () => {
      const g = new Generator(presets[p].generator, { rng: rng(1) });
      expect(generatorParamCount(presets[p].generator)).toBe(handCount[p]);
      expect(g.numParameters()).toBe(handCount[p]);
      g.dispose();
    });
  }

  it('output shapes ×4 per preset, tanh presets in [-1, 1]', async () => {
    for (const [p, lrShape] of [
      ['tiny', [2, 3, 6, 5]],
      ['medium', [1, 3, 5, 6]],
      ['paper', [1, 3, 6, 6]],
      ['keras', [1, 3, 4, 4]],
    ] as const) {
      const g = new Generator(presets[p].generator, { rng: rng(2) });
      const lr = smooth([...lrShape]);
      const sr = E.tidy(() => g.forward(lr));
      expect(sr.shape, p).toEqual([lrShape[0], 3, lrShape[2] * 4, lrShape[3] * 4]);
      const v = await take(sr);
      expect(v.every(Number.isFinite)).toBe(true);
      if (presets[p].generator.output === 'tanh')
        expect(
          v.every((x) => x >= -1 && x <= 1),
          p,
        ).toBe(true);
      g.dispose();
      lr.dispose();
    }
  });

  it('srresnet state-dict names follow the documented PyTorch scheme', () => {
    const g = new Generator(makeConfig('paper', { generator: { blocks: 2, channels: 8, upsampleChannels: 32 } }).generator, { rng: rng(3) });
    const keys = [...g.stateDict().keys()];
    expect(keys.slice(0, 9)).toEqual([
      'head.0.weight',
      'head.0.bias',
      'head.1.weight',
      'body.0.conv1.weight',
      'body.0.conv1.bias',
      'body.0.bn1.weight',
      'body.0.bn1.bias',
      'body.0.bn1.running_mean',
      'body.0.bn1.running_var',
    ]);
    for (const k of [
      'body.1.act.weight',
      'body.1.bn2.running_var',
      'trunk.0.weight',
      'trunk.1.bias',
      'upsample.0.0.weight',
      'upsample.0.2.weight',
      'upsample.1.0.bias',
      'tail.weight',
      'tail.bias',
    ])
      expect(keys).toContain(k);
    expect(g.stateDict().get('upsample.1.0.weight')!.shape).toEqual([32, 8, 3, 3]);
    expect(g.stateDict().get('upsample.1.2.weight')!.shape).toEqual([8]);
    g.dispose();
  });

  it('forward (eval) equals a float64 composition of the reference ops: srresnet, residual-bicubic and resnet-bicubic', async () => {
    const cfgs = [
      makeConfig('paper', { generator: { blocks: 2, channels: 4, upsampleChannels: 16 } }).generator,
      makeConfig('tiny', { generator: { blocks: 2, channels: 4 } }).generator,
      makeConfig('medium', { generator: { blocks: 2, channels: 4 } }).generator,
    ];
    for (const cfg of cfgs) {
      const g = new Generator(cfg, { rng: rng(7) });
      const x = smooth([2, 3, 5, 4], 2);
      infer(g, x).dispose(); // a training-mode pass gives BN running statistics worth checking
      g.eval();
      const got = await take(infer(g, x));
      const want = await refGenerator(g, { data: Float64Array.from(await x.read()), shape: [2, 3, 5, 4] });
      expect(want.shape).toEqual([2, 3, 20, 16]);
      expect(maxAbsDiff(got, want), cfg.arch).toBeLessThan(1e-5);
      g.dispose();
      x.dispose();
    }
  });

  it('tiny and medium: the untrained model is close to the bicubic upsample (but not identical)', async () => {
    for (const p of ['tiny', 'medium'] as const) {
      const g = new Generator(presets[p].generator, { rng: rng(4) });
      const lr = smooth([1, 3, 12, 12]);
      const sr = await take(infer(g, lr));
      const bic = await take(E.resize(lr, 48, 48, { method: 'bicubic' }));
      let sq = 0;
      for (let i = 0; i < sr.length; i++) sq += (sr[i] - bic[i]) ** 2;
      const rms = Math.sqrt(sq / sr.length);
      expect(rms, p).toBeLessThan(0.03);
      expect(rms, p).toBeGreaterThan(0);
      g.dispose();
      lr.dispose();
    }
  });

  it('ICNR (the default start): the untrained output has no ×4 sub-pixel lattice; independent sub-pixel kernels start with one', async () => {
    // A flat LR: every conv's output is flat away from the zero-padded edges, so whatever varies
    // with the sub-pixel phase in the interior is the lattice the pixel shuffle makes.
    const flat = E.tensor(
      Array.from({ length: 3 * 32 * 32 }, (_, i) => [0.3, 0.6, 0.45][Math.floor(i / 1024)]),
      [1, 3, 32, 32],
    );
    const lattice = async (g: Generator) => {
      const v = await take(infer(g, flat));
      g.dispose();
      // Channel 0 in grey levels; 48 px of border keep the padding's reach (≤ 11 LR px) out.
      return phasePattern({ data: Float64Array.from(v.subarray(0, 128 * 128), (x) => 255 * x), width: 128, height: 128 }, 4, 48).amplitude;
    };
    const cfgs = [
      presets.tiny.generator,
      presets.medium.generator,
      makeConfig('paper', { generator: { blocks: 2, channels: 8, upsampleChannels: 32 } }).generator,
    ];
    for (const cfg of cfgs) {
      const icnr = await lattice(new Generator(cfg, { rng: rng(8) }));
      const independent = await lattice(new Generator(cfg, { rng: rng(8), subpixelInit: 'independent' }));
      expect(icnr, cfg.arch).toBeLessThan(1e-3);
      expect(independent, cfg.arch).toBeGreaterThan(0.05);
    }
    // The tail conv's 16 sub-pixel kernels of each colour are one kernel.
    const g = new Generator(presets.tiny.generator, { rng: rng(9) });
    const w = await g.tail.weight.read(),
      k = 32 * 9;
    for (let c = 0; c < 3; c++)
      for (let s = 1; s < 16; s++) expect(w.subarray((c * 16 + s) * k, (c * 16 + s + 1) * k)).toEqual(w.subarray(c * 16 * k, (c * 16 + 1) * k));
    g.dispose();
    flat.dispose();
  });

  it('rejects a non-RGB input and an inconsistent config with clear errors', () => {
    const g = new Generator(presets.tiny.generator, { rng: rng(5) });
    const x = E.zeros([1, 1, 4, 4]);
    expect(() => g.forward(x)).toThrow(/RGB \[N, 3, H, W\]/);
    expect(() => new Generator({ ...presets.tiny.generator, upsampleChannels: 32 })).toThrow(/upsampleChannels must be 3·scale² = 48/);
    g.dispose();
    x.dispose();
  });

  for (const p of ['tiny', 'medium'] as const)
    it(`${p} overfits one batch: 40 Adam steps cut the MSE by more than 10×`, async () => {
      const g = new Generator(presets[p].generator, { rng: rng(6) });
      // HR with detail bicubic cannot restore (a fine checker plus waves), so there is a residual to learn.
      const hrData = new Float32Array(2 * 3 * 32 * 32).map((_, i) => 0.5 + 0.3 * Math.sin(i * 0.37) * ((i >> 1) % 2 ? 1 : -1));
      const hr = E.tensor(hrData, [2, 3, 32, 32]);
      const lr = E.resize(hr, 8, 8, { method: 'bicubic' });
      // medium's deeper, wider body takes a smaller step (2e-3 overshoots it on this one batch).
      const opt = new E.Adam(g.parameters(), { lr: p === 'tiny' ? 2e-3 : 1e-3 });
      const step = () =>
        E.tidy(() => {
          opt.zeroGrad();
          const loss = E.mseLoss(g.forward(lr), hr);
          E.backward(loss);
          opt.step();
          return loss.detach();
        });
      const first = await take(step());
      const live = E.liveTensorCount(); // Adam's moments exist from the first step on
      let last = first[0];
      for (let i = 0; i < 40; i++) {
        const l = step();
        if (i === 39) last = (await l.read())[0];
        l.dispose();
      }
      expect(first[0] / last).toBeGreaterThan(10);
      expect(E.liveTensorCount()).toBe(live);
      g.dispose();
      opt.dispose();
      hr.dispose();
      lr.dispose();
    });
});

/** The discriminator in float64 from its documented names: PyTorch padding 1, BN in eval mode. */
/** Blur-pooling from its definition: [1,2,1]²/16 over zero padding of 1, every other pixel, per channel. */
function refBlurDownsample(x: RefArray): RefArray {
  const [n, c, h, w] = x.shape,
    oh = Math.ceil(h / 2),
    ow = Math.ceil(w / 2),
    tap = [1, 2, 1];
  const out = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let acc = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = 2 * oy + dy,
              xx = 2 * ox + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) acc += ((tap[dy + 1] * tap[dx + 1]) / 16) * x.data[(p * h + yy) * w + xx];
          }
        out[(p * oh + oy) * ow + ox] = acc;
      }
  return { data: out, shape: [n, c, oh, ow] };
}

async function refDiscriminator(d: Discriminator, x: RefArray): Promise<RefArray> {
  const { p, conv, bn } = await refLayers(d);
  const leaky = (y: RefArray): RefArray => ({ data: y.data.map((v) => (v > 0 ? v : 0.2 * v)), shape: y.shape });
  let y = x;
  const blur = d.cfg.downsample === 'blur';
  d.cfg.strides.forEach((s, i) => {
    const stride = blur ? 1 : s;
    y = leaky(i === 0 ? conv(y, 'features.0.conv', 1, stride) : bn(conv(y, `features.${i}.conv`, 1, stride), `features.${i}.bn`));
    if (blur && s === 2) y = refBlurDownsample(y);
  });
  if (d.cfg.head === 'patch') return conv(leaky(conv(y, 'head.fc1', 0)), 'head.fc2', 0);
  const flat = { data: y.data, shape: [y.shape[0], y.data.length / y.shape[0]] };
  return refLinear(leaky(refLinear(flat, p('head.fc1.weight'), p('head.fc1.bias'))), p('head.fc2.weight'), p('head.fc2.bias'));
}

describe('SRGAN discriminator', () => {
  it('256×256×3 follows the original table layer by layer (keras preset, patch head)', () => {
    const d = new Discriminator(presets.keras.discriminator, 256, { rng: rng(1) });
    const rows = d.layerShapes([1, 3, 256, 256]).map((r) => `${r.name} ${r.shape.slice(1).join('×')}`);
    expect(rows).toEqual([
      'input 3×256×256',
      'features.0 64×256×256',
      'features.1 64×128×128',
      'features.2 128×128×128',
      'features.3 128×64×64',
      'features.4 256×64×64',
      'features.5 256×32×32',
      'features.6 512×32×32',
      'features.7 512×16×16',
      'head.fc1 1024×16×16',
      'head.fc2 1×16×16',
    ]);
    expect(d.numParameters()).toBe(discriminatorParamCount(presets.keras.discriminator, 256));
    d.dispose();
  });

  it('paper dense head at 256: flatten 512·16·16, then 1024, then one logit (shapes only)', () => {
    const cfg = presets.paper.discriminator;
    const d = new Discriminator({ ...cfg, channels: [2, 2, 2, 2, 2, 2, 2, 512], dense: 4 }, 256, { rng: rng(1) });
    expect(
      d
        .layerShapes()
        .slice(-3)
        .map((r) => r.shape),
    ).toEqual([
      [1, 512 * 16 * 16],
      [1, 4],
      [1, 1],
    ]);
    d.dispose();
  });

  it('parameter counts per preset at its HR crop = the independent count', () => {
    for (const p of PRESETS) {
      const { discriminator, hrCrop } = presets[p];
      const d = new Discriminator(discriminator, hrCrop, { rng: rng(2) });
      expect(d.numParameters(), p).toBe(discriminatorParamCount(discriminator, hrCrop));
      d.dispose();
    }
    // Hand count for the paper D at 96: convs 1,792 + 37,056 + 74,112 + 147,840 + 295,680 + 590,592
    // + 1,181,184 + 2,360,832 = 4,689,088; dense 18,432·1,024 + 1,024 = 18,875,392; 1,025 → 23,565,505.
    expect(discriminatorParamCount(presets.paper.discriminator, 96)).toBe(23_565_505);
  });

  it('forward (eval): shapes as layerShapes predicts, values as a float64 composition of the reference ops, both heads, both downsamplings', async () => {
    for (const [head, downsample] of [
      ['dense', 'stride'],
      ['patch', 'stride'],
      ['patch', 'blur'],
    ] as const) {
      const d = new Discriminator({ ...presets.tiny.discriminator, channels: [4, 4, 8, 8, 8, 8, 8, 8], dense: 8, head, downsample }, 32, {
        rng: rng(8),
      });
      const x = smooth([2, 3, 32, 32], 3);
      infer(d, x).dispose(); // training-mode pass: BN running statistics worth checking
      d.eval();
      const rows = d.layerShapes(x.shape);
      const feat = infer(d.features, x);
      expect(feat.shape, head).toEqual(rows.find((r) => r.name === 'features.7')!.shape);
      feat.dispose();
      const y = infer(d, x);
      expect(y.shape, head).toEqual(rows.at(-1)!.shape);
      const got = await take(y);
      const want = await refDiscriminator(d, { data: Float64Array.from(await x.read()), shape: [2, 3, 32, 32] });
      expect(want.shape).toEqual(head === 'dense' ? [2, 1] : [2, 1, 2, 2]);
      expect(maxAbsDiff(got, want), head).toBeLessThan(1e-5);
      d.dispose();
      x.dispose();
    }
  });

  it('blur downsampling: forward vs float64 and gradient vs finite differences, odd and even sizes', async () => {
    for (const shape of [
      [2, 3, 8, 8],
      [1, 2, 7, 5],
    ]) {
      const res = await checkOp({
        name: `blurDownsample ${shape.join('×')}`,
        inputs: [{ shape }],
        gpu: (x) => blurDownsample(x),
        ref: (x) => refBlurDownsample(x),
      });
      expect(res.message).toBe('ok');
    }
  });

  it("forwardWithFeatures: the same logits as forward, and each block's output in order", async () => {
    const d = new Discriminator({ ...presets.tiny.discriminator, channels: [4, 4, 8, 8, 8, 8, 8, 8], dense: 8, head: 'patch' }, 32, {
      rng: rng(9),
    }).eval();
    const x = smooth([2, 3, 32, 32], 2);
    const { logits, features } = E.noGrad(() => d.forwardWithFeatures(x));
    expect(features.map((f) => f.shape)).toEqual(
      d
        .layerShapes(x.shape)
        .filter((r) => r.name.startsWith('features.'))
        .map((r) => r.shape),
    );
    const direct = infer(d, x);
    expect(Array.from(await take(logits))).toEqual(Array.from(await take(direct)));
    const first = infer(d.features.at(0), x);
    expect(Array.from(await take(features[0]))).toEqual(Array.from(await take(first)));
    for (const f of features) f.dispose();
    d.dispose();
    x.dispose();
  });

  it('the dense head refuses an input of another size, naming it', () => {
    const d = new Discriminator(presets.tiny.discriminator, 32, { rng: rng(4) });
    const x = E.zeros([1, 3, 48, 48]);
    expect(() => d.forward(x)).toThrow(/built for 32×32 inputs, got \[1, 3, 48, 48\]/);
    d.dispose();
    x.dispose();
  });
});

describe('state-dict round trips', () => {
  it('G (srresnet with BN, tiny) and D: save, load into a differently seeded model, bitwise-equal outputs', async () => {
    const small = makeConfig('paper', { generator: { blocks: 2, channels: 8, upsampleChannels: 16 } });
    const pairs: [() => E.nn.Module, number[]][] = [
      [() => new Generator(small.generator, { rng: rng(Math.random() * 1e9) }), [2, 3, 5, 6]],
      [() => new Generator(presets.tiny.generator, { rng: rng(Math.random() * 1e9) }), [1, 3, 5, 6]],
      [() => new Discriminator(presets.tiny.discriminator, 32, { rng: rng(Math.random() * 1e9) }), [2, 3, 32, 32]],
    ];
    for (const [make, shape] of pairs) {
      const a = make(),
        b = make();
      const x = smooth(shape as [number, number, number, number], 1);
      infer(a, x).dispose(); // one training-mode pass moves the BN running statistics away from their init
      const bytes = await E.saveCheckpoint(a);
      E.loadCheckpoint(b, bytes);
      a.eval();
      b.eval();
      expect(bits(await take(infer(b, x)))).toEqual(bits(await take(infer(a, x))));
      a.dispose();
      b.dispose();
      x.dispose();
    }
  });
});

describe('growing a generator (--init-from)', () => {
  it("a deeper generator started from a shallower one's file computes the same output; other changes are refused", async () => {
    const srresnet = makeConfig('paper', { generator: { blocks: 2, channels: 8, upsampleChannels: 16 } });
    const cases: [SrganConfig, number[]][] = [
      [presets.tiny, [1, 3, 6, 5]],
      [makeConfig('tiny', { generator: { activation: 'relu' } }), [1, 3, 6, 5]],
      [srresnet, [2, 3, 5, 6]],
    ];
    for (const [cfg, shape] of cases) {
      const small = new Generator(cfg.generator, { rng: rng(11) });
      const x = smooth(shape as [number, number, number, number], 2);
      infer(small, x).dispose(); // training mode: the BN running statistics move away from their init
      small.eval();
      const bytes = await generatorToSafetensors(small, cfg);
      const deep = new Generator({ ...cfg.generator, blocks: cfg.generator.blocks + 2 }, { rng: rng(12) }).eval();
      expect(initGeneratorFrom(deep, bytes, 'small.safetensors').generator.blocks).toBe(cfg.generator.blocks);
      const want = await take(infer(small, x)),
        got = await take(infer(deep, x));
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(worst, cfg.generator.arch).toBeLessThan(1e-5);
      // Not a copy of nothing: the new blocks have trainable weights that reach the output.
      expect(deep.numParameters()).toBeGreaterThan(small.numParameters());
      small.dispose();
      deep.dispose();
      x.dispose();
    }
    const tiny = new Generator(presets.tiny.generator);
    const tinyBytes = await generatorToSafetensors(tiny, presets.tiny);
    tiny.dispose();
    const wider = new Generator({ ...presets.tiny.generator, channels: 48 });
    const shallower = new Generator({ ...presets.tiny.generator, blocks: 4 });
    expect(() => initGeneratorFrom(wider, tinyBytes, 'g.safetensors')).toThrow(
      /g\.safetensors: its generator \(residual-bicubic, 6 blocks × 32 channels, prelu\) cannot start this one \(residual-bicubic, 6 blocks × 48 channels, prelu\): only the number of blocks may grow/,
    );
    expect(() => initGeneratorFrom(shallower, tinyBytes)).toThrow(/only the number of blocks may grow/);
    expect(() => initGeneratorFrom(shallower, new Uint8Array([1, 2, 3]), 'x')).toThrow(/x: not a generator checkpoint/);
    wider.dispose();
    shallower.dispose();
  });
});

/** float64 VGG up to relu2_1 from the extractor's own weights: normalise, conv, conv, pool, conv. */
async function refRelu21(vgg: Vgg19Features, x: RefArray): Promise<RefArray> {
  const sd = vgg.stateDict();
  const w = async (k: string) => ({ data: Float64Array.from(await sd.get(k)!.read()), shape: [...sd.get(k)!.shape] });
  const mean = [0.485, 0.456, 0.406],
    std = [0.229, 0.224, 0.225];
  const plane = x.shape[2] * x.shape[3];
  let y: RefArray = { data: x.data.map((v, i) => (v - mean[Math.floor(i / plane) % 3]) / std[Math.floor(i / plane) % 3]), shape: x.shape };
  const conv = async (i: number) => {
    y = refConv2d(y, await w(`features.${i}.weight`), await w(`features.${i}.bias`), { padding: 1, activation: 'relu' });
  };
  await conv(0);
  await conv(2);
  y = refMaxPool2d(y, 2);
  await conv(5);
  return y;
}

describe('network interpolation (ESRGAN)', () => {
  it("blends every weight as (1 − alpha)·a + alpha·b, keeps b's config, and refuses different networks", async () => {
    const cfg = makeConfig('tiny', { generator: { blocks: 1, channels: 4 } });
    const [ga, gb] = [new Generator(cfg.generator, { rng: rng(11) }), new Generator(cfg.generator, { rng: rng(12) })];
    const [a, b] = [await generatorToSafetensors(ga, cfg), await generatorToSafetensors(gb, cfg)];
    const values = (bytes: Uint8Array) => E.decodeSafetensors(bytes).tensors.map((t) => Array.from(t.data));
    expect(values(interpolateGenerators(a, b, 0))).toEqual(values(a));
    expect(values(interpolateGenerators(a, b, 1))).toEqual(values(b));
    const half = E.decodeSafetensors(interpolateGenerators(a, b, 0.25, { a: 'default', b: 'gan' }));
    const [va, vb] = [values(a), values(b)];
    half.tensors.forEach((t, i) => t.data.forEach((v, j) => expect(v).toBeCloseTo(0.75 * va[i][j] + 0.25 * vb[i][j], 6)));
    expect(JSON.parse(half.metadata.interpolation)).toEqual({ from: 'default', to: 'gan', alpha: 0.25 });
    expect(JSON.parse(half.metadata.srgan_config).generator).toEqual(cfg.generator);
    const wide = makeConfig('tiny', { generator: { blocks: 1, channels: 8 } });
    const gw = new Generator(wide.generator, { rng: rng(13) });
    const w = await generatorToSafetensors(gw, wide);
    expect(() => interpolateGenerators(a, w, 0.5)).toThrow(/are different networks/);
    expect(() => interpolateGenerators(a, b, 1.5)).toThrow(/alpha must be in \[0, 1\]/);
    for (const g of [ga, gb, gw]) g.dispose();
  });
});

describe('VGG19 features (seeded weights)', () => {
  it('torchvision keys and per-layer shapes; relu5_4 and relu3_3 outputs', async () => {
    const vgg = new Vgg19Features('relu5_4', { rng: rng(1) });
    const keys = [...vgg.stateDict().keys()];
    expect(keys.length).toBe(32);
    expect(keys.slice(0, 4)).toEqual(['features.0.weight', 'features.0.bias', 'features.2.weight', 'features.2.bias']);
    expect(keys.at(-2)).toBe('features.34.weight');
    expect(vgg.stateDict().get('features.10.weight')!.shape).toEqual([256, 128, 3, 3]);
    expect(vgg.numParameters()).toBe(0); // frozen: buffers, not parameters
    const rows = Object.fromEntries(vgg.layerShapes([1, 3, 16, 16]).map((r) => [r.name, r.shape.slice(1).join('×')]));
    expect(rows).toMatchObject({
      relu1_1: '64×16×16',
      relu1_2: '64×16×16',
      relu2_1: '128×8×8',
      relu3_3: '256×4×4',
      relu4_4: '512×2×2',
      relu5_4: '512×1×1',
    });
    const x = smooth([1, 3, 16, 16]);
    expect(infer(vgg, x).shape).toEqual([1, 512, 1, 1]);
    const v33 = new Vgg19Features('relu3_3', { rng: rng(1) });
    expect([...v33.stateDict().keys()].at(-1)).toBe('features.14.bias');
    const y = infer(v33, x);
    expect(y.shape).toEqual([1, 256, 4, 4]);
    y.dispose();
    v33.dispose();
    x.dispose();
    vgg.dispose();
  });

  it('relu2_1 matches a float64 reference (normalisation, layer order, pool)', async () => {
    const vgg = new Vgg19Features('relu2_1', { rng: rng(2) });
    const x = smooth([1, 3, 6, 7], 0.5);
    const got = await take(infer(vgg, x));
    const want = await refRelu21(vgg, { data: Float64Array.from(await x.read()), shape: [1, 3, 6, 7] });
    expect(want.shape).toEqual([1, 128, 3, 3]);
    let worst = 0;
    want.data.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(got[i] - v) / (1e-3 + Math.abs(v)));
    });
    expect(worst).toBeLessThan(1e-3);
    vgg.dispose();
    x.dispose();
  });

  it('gradients reach the input; none are computed for the frozen weights', async () => {
    const vgg = new Vgg19Features('relu2_2', { rng: rng(3) });
    const x = smooth([1, 3, 8, 8]);
    x.requiresGrad = true;
    E.tidy(() => E.backward(E.mean(vgg.forward(x))));
    const g = await x.grad!.read();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => v !== 0)).toBe(true);
    for (const [, t] of vgg.stateDict()) expect(t.grad).toBeUndefined();
    vgg.dispose();
    x.dispose();
  });

  it('loadWeights: a torchvision-layout file loads (classifier.* ignored); bad files name the key', async () => {
    // A whole VGG19 features file, made on the CPU: every value distinct, so a misplaced tensor shows.
    const host = [...vgg19WeightShapes()].map(([name, shape], k) => ({
      name,
      shape,
      data: new Float32Array(shape.reduce((a, b) => a * b)).map((_, i) => Math.sin(k * 1000 + i)),
    }));
    expect(host.length).toBe(32);
    const classifier = { name: 'classifier.6.bias', shape: [2], data: new Float32Array(2) };
    const dst = new Vgg19Features('relu3_3', { rng: rng(5) });
    dst.loadWeights(E.encodeSafetensors([...host, classifier]));
    for (const [k, t] of dst.stateDict()) {
      const want = host.find((h) => h.name === k)!.data;
      expect(Buffer.from((await t.read()).buffer).equals(Buffer.from(want.buffer)), k).toBe(true);
    }

    const load = (tensors: typeof host) => () => dst.loadWeights({ tensors: tensors.map((t) => ({ ...t, dtype: 'F32' as const })), metadata: {} });
    expect(load(host.filter((t) => t.name !== 'features.34.weight'))).toThrow(/missing features\.34\.weight/);
    expect(load(host.map((t) => (t.name === 'features.0.weight' ? { ...t, shape: [64, 3, 9, 1] } : t)))).toThrow(
      /features\.0\.weight has shape \[64,3,9,1\], VGG19 needs \[64,3,3,3\]/,
    );
    const extra = load([...host, { name: 'features.99.weight', shape: [1], data: new Float32Array(1) }]);
    expect(extra).toThrow(Vgg19Error);
    expect(extra).toThrow(/unexpected features\.99\.weight/);
    expect(() => new Vgg19Features('relu6_1')).toThrow(/unknown layer "relu6_1"/);
    dst.dispose();
  });
});

describe('SRGAN losses', () => {
  const cfg = { ...presets.paper, content: 'mse' as const };

  it('adversarial and discriminator BCE on known logits', async () => {
    const fake = E.tensor([0, Math.log(3)], [2, 1]);
    const real = E.tensor([2, -1], [2, 1]);
    // −log σ(0) = ln 2, −log σ(ln 3) = ln(4/3)
    expect((await take(generatorAdversarialLoss(fake)))[0]).toBeCloseTo((Math.LN2 + Math.log(4 / 3)) / 2, 6);
    const d = discriminatorLoss(real, fake);
    const sp = (v: number) => Math.log1p(Math.exp(v)); // softplus: −log σ(x) = sp(−x), −log(1 − σ(x)) = sp(x)
    const [r, f, t] = [await take(d.real), await take(d.fake), await take(d.total)];
    expect(r[0]).toBeCloseTo((sp(-2) + sp(1)) / 2, 6);
    expect(f[0]).toBeCloseTo((sp(0) + sp(Math.log(3))) / 2, 6);
    expect(t[0]).toBeCloseTo(r[0] + f[0], 6);
    fake.dispose();
    real.dispose();
  });

  it('relativistic average and hinge games match their formulas, and ragan needs the real logits', async () => {
    const fake = E.tensor([0, Math.log(3)], [2, 1]);
    const real = E.tensor([2, -1], [2, 1]);
    const sp = (v: number) => Math.log1p(Math.exp(v));
    const mf = Math.log(3) / 2,
      mr = 0.5; // means of the fake and real logits
    // D: ½·mean sp(−(real − mean fake)) + ½·mean sp(fake − mean real)
    const d = discriminatorLoss(real, fake, 'ragan');
    expect((await take(d.real))[0]).toBeCloseTo((0.5 * (sp(-(2 - mf)) + sp(-(-1 - mf)))) / 2, 6);
    expect((await take(d.fake))[0]).toBeCloseTo((0.5 * (sp(0 - mr) + sp(Math.log(3) - mr))) / 2, 6);
    d.total.dispose();
    // G: the labels swap.
    const g = (sp(2 - mf) + sp(-1 - mf)) / 2 + (sp(-(0 - mr)) + sp(-(Math.log(3) - mr))) / 2;
    expect((await take(generatorAdversarialLoss(fake, 'ragan', real)))[0]).toBeCloseTo(g / 2, 6);
    expect(() => generatorAdversarialLoss(fake, 'ragan')).toThrow(/needs the discriminator's logits/);
    const h = discriminatorLoss(real, fake, 'hinge');
    expect((await take(h.real))[0]).toBeCloseTo((0 + 2) / 2, 6);
    expect((await take(h.fake))[0]).toBeCloseTo((1 + 1 + Math.log(3)) / 2, 6);
    h.total.dispose();
    expect((await take(generatorAdversarialLoss(fake, 'hinge')))[0]).toBeCloseTo(-Math.log(3) / 2, 6);
    fake.dispose();
    real.dispose();
  });

  it('perceptual = 1·MSE + 1e-3·adversarial, with the parts for logging', async () => {
    const sr = E.tensor([0.5, -0.5, 0, 1], [1, 1, 2, 2]);
    const hr = E.tensor([0, 0, 0, 0], [1, 1, 2, 2]);
    const logits = E.tensor([0, 0, 0, 0], [1, 1, 2, 2]); // a patch map
    const p = perceptualLoss(sr, hr, { fakeLogits: logits }, cfg);
    const mse = (0.25 + 0.25 + 0 + 1) / 4;
    expect((await take(p.content))[0]).toBeCloseTo(mse, 6);
    expect((await take(p.adversarial))[0]).toBeCloseTo(Math.LN2, 6);
    expect((await take(p.total))[0]).toBeCloseTo(mse + 1e-3 * Math.LN2, 6);
    expect(p.featureMatch).toBeUndefined();
    for (const t of [sr, hr, logits]) t.dispose();
  });

  it('feature matching: the mean over blocks of L1(SR features, HR features), added with its weight; HR gets no gradient', async () => {
    const fake = [E.tensor([1, 2, 3, 4], [1, 1, 2, 2]), E.tensor([0, 0], [1, 2, 1, 1])];
    const real = [E.tensor([1, 1, 1, 1], [1, 1, 2, 2]), E.tensor([1, -1], [1, 2, 1, 1])];
    const want = ((0 + 1 + 2 + 3) / 4 + (1 + 1) / 2) / 2;
    expect((await take(featureMatchingLoss(fake, real)))[0]).toBeCloseTo(want, 6);
    expect(() => featureMatchingLoss(fake, real.slice(1))).toThrow(/must be equal/);

    const sr = E.tensor([0.5, -0.5, 0, 1], [1, 1, 2, 2]);
    const hr = E.tensor([0, 0, 0, 0], [1, 1, 2, 2]);
    const logits = E.tensor([0, 0, 0, 0], [1, 1, 2, 2]);
    const p = perceptualLoss(sr, hr, { fakeLogits: logits, fakeFeatures: fake, realFeatures: real }, { ...cfg, featureMatchWeight: 0.5 });
    const mse = (0.25 + 0.25 + 0 + 1) / 4;
    expect((await take(p.featureMatch!))[0]).toBeCloseTo(want, 6);
    expect((await take(p.total))[0]).toBeCloseTo(mse + 1e-3 * Math.LN2 + 0.5 * want, 6);
    expect(() => perceptualLoss(sr, hr, { fakeLogits: logits }, { ...cfg, featureMatchWeight: 0.5 })).toThrow(/block outputs/);

    // One block: d loss / d fake = sign(fake − real) / 4 elements; the HR features are targets.
    const f0 = E.variable(E.tensor([1, 2, 3, 0], [1, 1, 2, 2]));
    const r0 = E.variable(E.tensor([1, 1, 1, 1], [1, 1, 2, 2]));
    const loss = featureMatchingLoss([f0], [r0]);
    E.backward(loss);
    expect(Array.from(await f0.grad!.read())).toEqual([0, 0.25, 0.25, -0.25]);
    expect(r0.grad).toBeFalsy();
    for (const t of [...fake, ...real, sr, hr, logits, loss, f0, r0]) t.dispose();
  });

  it('texture terms (phase pattern, flat region): added with their weights, logged unweighted', async () => {
    const pix = (i: number) => 0.5 + 0.2 * Math.sin(1.7 * i) * (i % 4 === 1 ? 1 : 0.3);
    const sr = E.tensor(
      Float32Array.from({ length: 3 * 144 }, (_, i) => pix(i)),
      [1, 3, 12, 12],
    );
    const hr = E.tensor(
      Float32Array.from({ length: 3 * 144 }, (_, i) => 0.5 + 0.1 * Math.cos(0.3 * i)),
      [1, 3, 12, 12],
    );
    const logits = E.zeros([1, 1, 2, 2]);
    const base = perceptualLoss(sr, hr, { fakeLogits: logits }, cfg);
    const withTerms = perceptualLoss(sr, hr, { fakeLogits: logits }, { ...cfg, phasePatternWeight: 50, flatRegionWeight: 3 });
    const phase = (await take(phasePatternLoss(sr, hr)))[0],
      flat = (await take(flatRegionLoss(sr, hr)))[0];
    expect(phase).toBeGreaterThan(1e-5);
    expect(flat).toBeGreaterThan(1e-5);
    expect(base.phasePattern).toBeUndefined();
    expect(base.flatRegion).toBeUndefined();
    expect((await take(withTerms.phasePattern!))[0]).toBeCloseTo(phase, 9);
    expect((await take(withTerms.flatRegion!))[0]).toBeCloseTo(flat, 9);
    expect((await take(withTerms.total))[0]).toBeCloseTo((await take(base.total))[0] + 50 * phase + 3 * flat, 6);
    for (const t of [sr, hr, logits]) t.dispose();
  });

  it('VGG content: features of both images mapped to [0, 1], MSE / vggScale²; same value from either range', async () => {
    const vgg = new Vgg19Features('relu1_2', { rng: rng(6) });
    const u = smooth([1, 3, 6, 6], 0),
      v = smooth([1, 3, 6, 6], 1);
    const vggCfg = (outputRange: '[0,1]' | '[-1,1]') => ({ content: 'vgg' as const, vggScale: 12.75, generator: { outputRange } });
    const unitLoss = (await take(contentLoss(u, v, vggCfg('[0,1]'), vgg)))[0];
    const fu = await take(infer(vgg, u)),
      fv = await take(infer(vgg, v));
    let sq = 0;
    fu.forEach((a, i) => {
      sq += (a - fv[i]) ** 2;
    });
    expect(unitLoss).toBeCloseTo(sq / fu.length / 12.75 ** 2, 5);
    const [su, sv] = [u, v].map((t) => E.addScalar(E.mulScalar(t, 2), -1));
    const tanhLoss = (await take(contentLoss(su, sv, vggCfg('[-1,1]'), vgg)))[0];
    expect(Math.abs(tanhLoss - unitLoss)).toBeLessThan(1e-5 * unitLoss + 1e-9);
    const live = E.liveTensorCount();
    E.tidy(() => {
      contentLoss(su, sv, vggCfg('[-1,1]'), vgg);
    });
    expect(E.liveTensorCount()).toBe(live);
    for (const t of [u, v, su, sv]) t.dispose();
    vgg.dispose();
  });

  it('clear errors: VGG content without weights, mismatched shapes', () => {
    const a = E.zeros([1, 3, 4, 4]),
      b = E.zeros([1, 3, 4, 5]);
    expect(() => contentLoss(a, a, { ...cfg, content: 'vgg' })).toThrow(/needs VGG19 weights/);
    expect(() => contentLoss(a, b, cfg)).toThrow(E.ShapeError);
    expect(() => discriminatorLoss(a, b)).toThrow(/differ in shape/);
    a.dispose();
    b.dispose();
  });
});
