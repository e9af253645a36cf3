/**
 * The TF.js layers-model loader against an independent float64 interpreter that runs the same
 * model.json the way TF does (NHWC activations, HWIO kernels, TF's 'same' padding, depth_to_space),
 * on a hand-built model covering every supported class and on the real UpscalerJS weights.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { useEngine } from '../helpers/gpu.js';
import { Tensor, liveTensorCount, Rng, ShapeError } from '../../src/engine/index.js';
import { setConv2dKernel } from '../../src/engine/testing.js';
import {
  compileLayersModel,
  parseTopology,
  readWeights,
  LayersModelFormatError,
  UnsupportedLayerError,
  PRETRAINED_MODELS,
  pretrainedInfo,
  type LayersModelFiles,
  type LayersModelJson,
} from '../../src/srgan/pretrained/index.js';
import { depthToSpaceOrder, hwioToOihw } from '../../src/srgan/pretrained/layer-ops.js';
import { loadPretrainedNode, pretrainedModelJsonPath, readLayersModelFiles } from '../../src/srgan/pretrained/node.js';

// ---- a float64 NHWC interpreter of model.json (TF's semantics, no layout conversion) ----
interface Nhwc {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}
const at = (t: Nhwc, y: number, x: number, c: number) => t.d[(y * t.w + x) * t.c + c];

function convNhwc(x: Nhwc, k: { shape: number[]; values: Float32Array }, bias: Float32Array | undefined, stride: number, pad: string): Nhwc {
  const [kh, kw, ci, co] = k.shape;
  // TF 'same': out = ceil(in / s), total padding max((out−1)s + k − in, 0), the odd pixel at the bottom/right.
  const oh = pad === 'same' ? Math.ceil(x.h / stride) : Math.floor((x.h - kh) / stride) + 1;
  const ow = pad === 'same' ? Math.ceil(x.w / stride) : Math.floor((x.w - kw) / stride) + 1;
  const pt = pad === 'same' ? Math.floor(Math.max((oh - 1) * stride + kh - x.h, 0) / 2) : 0;
  const pl = pad === 'same' ? Math.floor(Math.max((ow - 1) * stride + kw - x.w, 0) / 2) : 0;
  const d = new Float64Array(oh * ow * co);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let o = 0; o < co; o++) {
        let s = bias ? bias[o] : 0;
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) {
            const iy = oy * stride + a - pt,
              ix = ox * stride + b - pl;
            if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
            for (let c = 0; c < ci; c++) s += at(x, iy, ix, c) * k.values[((a * kw + b) * ci + c) * co + o];
          }
        d[(oy * ow + ox) * co + o] = s;
      }
  return { h: oh, w: ow, c: co, d };
}

const mapNhwc = (x: Nhwc, f: (v: number) => number): Nhwc => ({ ...x, d: x.d.map(f) });
const acts: Record<string, (v: number) => number> = { linear: (v) => v, relu: (v) => Math.max(v, 0), sigmoid: (v) => 1 / (1 + Math.exp(-v)) };

function resample(x: Nhwc, r: number, c: number, src: (y: number, xx: number, ch: number) => number): Nhwc {
  const h = x.h * r,
    w = x.w * r,
    d = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) d[(y * w + xx) * c + ch] = src(y, xx, ch);
  return { h, w, c, d };
}

function refModel(files: LayersModelFiles, input: Nhwc): Nhwc {
  const g = parseTopology(files.modelJson);
  const weights = readWeights(files.modelJson.weightsManifest, files.shards);
  const vals = new Map<string, Nhwc>([[g.input.name, input]]);
  for (const l of g.layers) {
    const xs = l.inputs.map((n) => vals.get(n)!);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Keras layer config is untyped JSON; each branch reads its own fields
    const cfg = l.config as Record<string, any>;
    let y: Nhwc;
    const ps = /^PixelShuffle(\d+)x$/.exec(l.className);
    if (l.className === 'Conv2D') {
      y = convNhwc(xs[0], weights.get(`${l.name}/kernel`)!, weights.get(`${l.name}/bias`)?.values, cfg.strides[0], cfg.padding);
      y = mapNhwc(y, acts[cfg.activation]);
    } else if (l.className === 'Activation') y = mapNhwc(xs[0], acts[cfg.activation]);
    else if (l.className === 'MultiplyBeta') y = mapNhwc(xs[0], (v) => v * 0.2);
    else if (l.className === 'Add') y = { ...xs[0], d: xs[0].d.map((v, i) => xs.reduce((s, t, j) => (j ? s + t.d[i] : s), v)) };
    else if (l.className === 'Concatenate') {
      const c = xs.reduce((s, t) => s + t.c, 0),
        d = new Float64Array(xs[0].h * xs[0].w * c);
      for (let p = 0; p < xs[0].h * xs[0].w; p++) {
        let o = 0;
        for (const t of xs) for (let k = 0; k < t.c; k++) d[p * c + o++] = t.d[p * t.c + k];
      }
      y = { h: xs[0].h, w: xs[0].w, c, d };
    } else if (l.className === 'UpSampling2D') {
      const r = cfg.size[0];
      y = resample(xs[0], r, xs[0].c, (yy, xx, ch) => at(xs[0], Math.floor(yy / r), Math.floor(xx / r), ch));
    } else if (ps) {
      // tf.depthToSpace NHWC: out[y·r + i, x·r + j, c] = in[y, x, (i·r + j)·C + c].
      const r = Number(ps[1]),
        C = xs[0].c / (r * r);
      y = resample(xs[0], r, C, (yy, xx, c) => at(xs[0], Math.floor(yy / r), Math.floor(xx / r), ((yy % r) * r + (xx % r)) * C + c));
    } else throw new Error(`reference: no ${l.className}`);
    vals.set(l.name, y);
  }
  return vals.get(g.output)!;
}

// ---- helpers ----
const toNchw = (t: Nhwc) => {
  const o = new Float64Array(t.d.length);
  for (let y = 0; y < t.h; y++) for (let x = 0; x < t.w; x++) for (let c = 0; c < t.c; c++) o[(c * t.h + y) * t.w + x] = at(t, y, x, c);
  return o;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

type L = { class_name: string; name: string; config: Record<string, unknown>; inbound_nodes: unknown[] };
const layer = (cls: string, name: string, inputs: string[], config: Record<string, unknown> = {}): L => ({
  class_name: cls,
  name,
  config: { name, ...config },
  inbound_nodes: inputs.length ? [inputs.map((n) => [n, 0, 0, {}])] : [],
});
const conv = (name: string, input: string, k: number, filters: number, padding: string, activation = 'linear') =>
  layer('Conv2D', name, [input], {
    filters,
    kernel_size: [k, k],
    strides: [1, 1],
    padding,
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    groups: 1,
    activation,
    use_bias: true,
  });

/** A model.json using every supported class; weights seeded, split over two shards at an odd byte. */
function tinyModel(extra: L[] = []): LayersModelFiles {
  const layers: L[] = [
    layer('InputLayer', 'LR', [], { batch_input_shape: [null, null, null, 3] }),
    // Listed out of order on purpose: the loader must sort by the inbound nodes.
    layer('Concatenate', 'cat', ['LR', 'a1'], { axis: 3 }),
    conv('c1', 'LR', 3, 4, 'same'),
    layer('Activation', 'a1', ['c1'], { activation: 'relu' }),
    conv('c2', 'cat', 2, 5, 'same'), // even kernel: TF puts the odd padding pixel at the bottom/right
    layer('Activation', 'lin', ['c2'], { activation: 'linear' }),
    conv('c3', 'lin', 1, 12, 'valid'),
    layer('PixelShuffle2x', 'ps', ['c3'], { scale: 2 }), // folded into c3's channel order
    layer('Concatenate', 'cat2', ['LR', 'a1', 'c2'], { axis: -1 }),
    layer('PixelShuffle2x', 'ps2', ['cat2'], { scale: 2 }), // reordered at run time (a concat feeds it)
    layer('UpSampling2D', 'up', ['LR'], { size: [2, 2], interpolation: 'nearest', data_format: 'channels_last' }),
    layer('Add', 'sum', ['ps', 'up', 'ps2']),
    layer('MultiplyBeta', 'mb', ['sum'], { beta: 0.2 }),
    layer('Activation', 'sg', ['mb'], { activation: 'sigmoid' }),
    conv('SR', 'sg', 3, 3, 'same', 'relu'),
    conv('unused', 'LR', 1, 2, 'valid'), // not on the output's path: dropped, and so are its weights
    ...extra,
  ];
  const convs = layers.filter((l) => l.class_name === 'Conv2D' && l.name !== 'unused');
  const chans: Record<string, number> = { LR: 3, cat: 7, a1: 4, c1: 4, c2: 5, lin: 5, sg: 3 };
  const rng = new Rng(7);
  const weights = convs
    .flatMap((l) => {
      const k = (l.config.kernel_size as number[])[0],
        o = l.config.filters as number;
      const i = chans[(l.inbound_nodes[0] as string[][])[0][0]];
      return [
        { name: `${l.name}/bias`, shape: [o] },
        { name: `${l.name}/kernel`, shape: [k, k, i, o] },
      ];
    })
    .reverse();
  const all = Float32Array.from({ length: weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b), 0) }, () => rng.uniform(-1, 1));
  const bytes = all.buffer;
  const modelJson: LayersModelJson = {
    format: 'layers-model',
    modelTopology: {
      model_config: { class_name: 'Functional', config: { name: 'tiny', layers, input_layers: [['LR', 0, 0]], output_layers: [['SR', 0, 0]] } },
    },
    weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: weights.map((w) => ({ ...w, dtype: 'float32' })) }],
  };
  return { modelJson, shards: [[bytes.slice(0, 1001), bytes.slice(1001)]] };
}

describe('layers-model format (pure)', () => {
  it('sorts the graph by its inbound nodes and drops what the output does not need', () => {
    const g = parseTopology(tinyModel().modelJson);
    const order = g.layers.map((l) => l.name);
    expect(order).not.toContain('unused');
    for (const l of g.layers) for (const n of l.inputs) if (n !== 'LR') expect(order.indexOf(n)).toBeLessThan(order.indexOf(l.name));
  });

  it('reads weights across shards cut at an odd byte and rejects a size mismatch', () => {
    const files = tinyModel();
    const w = readWeights(files.modelJson.weightsManifest, files.shards);
    expect(w.get('c2/kernel')!.shape).toEqual([2, 2, 7, 5]);
    const short = [[files.shards[0][0], files.shards[0][1].slice(4)]];
    expect(() => readWeights(files.modelJson.weightsManifest, short)).toThrow(LayersModelFormatError);
  });

  it('reports a missing layer and a cycle', () => {
    const bad = tinyModel([layer('Add', 'loop1', ['loop2', 'LR']), layer('Add', 'loop2', ['loop1', 'LR'])]);
    const cfg = (bad.modelJson.modelTopology.model_config as { config: { output_layers: unknown } }).config;
    cfg.output_layers = [['loop1', 0, 0]];
    expect(() => parseTopology(bad.modelJson)).toThrow(/cycle through loop1/);
    cfg.output_layers = [['nowhere', 0, 0]];
    expect(() => parseTopology(bad.modelJson)).toThrow(/nowhere, which does not exist/);
  });

  it('HWIO → OIHW and the depth-to-space channel order (hand-checked)', () => {
    // kernel [1, 2, 2, 3]: value = tap·100 + in·10 + out
    const v = Float32Array.from({ length: 12 }, (_, i) => {
      const o = i % 3,
        c = Math.floor(i / 3) % 2,
        b = Math.floor(i / 6);
      return b * 100 + c * 10 + o;
    });
    expect([...hwioToOihw(v, [1, 2, 2, 3])]).toEqual([0, 100, 10, 110, 1, 101, 11, 111, 2, 102, 12, 112]);
    // r = 2, C = 2: PyTorch channel c·4 + k must read TF channel k·2 + c.
    expect(depthToSpaceOrder(2, 8)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });

  it('the catalogue matches the installed packages (pixel range, architecture, files)', () => {
    const require = createRequire(import.meta.url);
    for (const m of PRETRAINED_MODELS)
      for (const s of m.scales) {
        const mod = require(`${m.package}/${s}x`);
        const def = mod.default ?? mod;
        expect(def.inputRange, `${m.name} ×${s}`).toEqual([0, m.pixelMax]);
        expect(def.outputRange).toEqual([0, m.pixelMax]);
        expect(def.meta.architecture).toBe(m.architecture);
        expect(existsSync(pretrainedModelJsonPath(m.name, s))).toBe(true);
      }
    expect(() => pretrainedInfo('esrgan-huge')).toThrow(/available: esrgan-slim, esrgan-medium, esrgan-thick/);
    expect(() => pretrainedInfo('esrgan-slim', 5)).toThrow(/no ×5 model/);
  });
});

/** A 3-channel crop of a real photo (coffee.png, CC0), NHWC in [0, 1] and as an NCHW tensor's data. */
async function photoCrop(size: number): Promise<Nhwc> {
  const { data } = await sharp('data/photos/heldout/coffee.png')
    .extract({ left: 300, top: 150, width: size, height: size })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { h: size, w: size, c: 3, d: Float64Array.from(data, (v) => v / 255) };
}

describe('layers-model on the engine vs the float64 TF-semantics interpreter', () => {
  useEngine('webgpu'); // its cases force each WGSL conv variant

  // Both conv kernel variants: SwiftShader picks 'registers', a hardware GPU 'workgroup'.
  for (const variant of ['registers', 'workgroup'] as const)
    it(`hand-built model with every supported class, 5×7 input (${variant} convs)`, async () => {
      setConv2dKernel({ variant });
      const files = tinyModel();
      const rng = new Rng(3);
      const x: Nhwc = { h: 5, w: 7, c: 3, d: Float64Array.from({ length: 105 }, () => rng.uniform(-1, 1)) };
      const want = toNchw(refModel(files, x));
      const model = compileLayersModel(files);
      const xt = Tensor.fromArray(toNchw(x), [1, 3, 5, 7]);
      const live = liveTensorCount();
      for (let i = 0; i < 2; i++) {
        // twice: memory stays flat
        const y = model.run(xt);
        expect(y.shape).toEqual([1, 3, 10, 14]);
        expect(maxAbsDiff(await y.read(), want)).toBeLessThan(1e-5);
        y.dispose();
        expect(liveTensorCount()).toBe(live);
      }
      expect(() => model.run(Tensor.fromArray(new Float32Array(4 * 25), [1, 4, 5, 5]))).toThrow(ShapeError);
      xt.dispose();
      model.dispose();
    });
  afterEach(() => setConv2dKernel(undefined));

  it('an unknown layer class is an error naming the class and the layer (and frees what was loaded)', () => {
    const files = tinyModel([layer('Dense', 'head', ['SR'], { units: 3 })]);
    (files.modelJson.modelTopology.model_config as { config: { output_layers: unknown } }).config.output_layers = [['head', 0, 0]];
    const live = liveTensorCount();
    expect(() => compileLayersModel(files)).toThrow(UnsupportedLayerError);
    expect(() => compileLayersModel(files)).toThrow(/layer head: unknown layer class Dense/);
    expect(liveTensorCount()).toBe(live);
  });

  it('a missing weight and an unsupported config are errors naming the layer', () => {
    const files = tinyModel();
    files.modelJson.weightsManifest[0].weights = files.modelJson.weightsManifest[0].weights.map((w) =>
      w.name === 'c1/kernel' ? { ...w, name: 'zz/kernel' } : w,
    );
    expect(() => compileLayersModel(files)).toThrow(/layer c1 \(Conv2D\): no weight named kernel/);
    const dilated = tinyModel();
    const c1 = (dilated.modelJson.modelTopology.model_config as { config: { layers: L[] } }).config.layers.find((l) => l.name === 'c1')!;
    c1.config.dilation_rate = [2, 2];
    expect(() => compileLayersModel(dilated)).toThrow(/layer c1 \(Conv2D\): dilated/);
  });

  // Real UpscalerJS weights on a real photo crop: slim ×2, medium ×3 (5×5 convs, UpSampling2D),
  // thick ×8 (MultiplyBeta, PixelShuffle8x folded into a 192-channel conv).
  for (const [name, scale, size] of [
    ['esrgan-slim', 2, 8],
    ['esrgan-medium', 3, 6],
    ['esrgan-thick', 8, 4],
  ] as const) {
    it(`${name} ×${scale} on a ${size}×${size} photo crop matches the interpreter`, async () => {
      const crop = await photoCrop(size);
      const files = await readLayersModelFiles(pretrainedModelJsonPath(name, scale));
      const max = pretrainedInfo(name).pixelMax;
      const ref = refModel(
        files,
        mapNhwc(crop, (v) => v * max),
      );
      const want = toNchw(mapNhwc(ref, (v) => Math.min(Math.max(v, 0), max) / max));
      const model = await loadPretrainedNode(name, scale);
      const x = Tensor.fromArray(toNchw(crop), [1, 3, size, size]);
      const y = model.run(x);
      expect(y.shape).toEqual([1, 3, size * scale, size * scale]);
      const got = await y.read();
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
      // The output is a picture of the input, not noise: it is close to the crop's nearest upsample.
      const near = toNchw(resample(crop, scale, 3, (yy, xx, c) => at(crop, Math.floor(yy / scale), Math.floor(xx / scale), c)));
      expect(got.reduce((a, v, i) => a + Math.abs(v - near[i]), 0) / got.length).toBeLessThan(0.05);
      for (const t of [x, y]) t.dispose();
      model.dispose();
    });
  }
});
