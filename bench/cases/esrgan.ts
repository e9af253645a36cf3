/**
 * esrgan_slim_x4_64px: UpscalerJS's esrgan-slim ×4 (its real model.json topology: RDN, 12 convs up
 * to 5×5, nearest ×4 upsampling) on a 64×64 RGB input, batch 1, forward only, with UpscalerJS's
 * pixel handling (×255 in, clip to [0, 255] out) on both sides.
 * Ours: the TF.js-layers loader (src/srgan/pretrained). TF.js: the same layers built with
 * tfjs-layers' own classes, run by model.predict on the WebGPU backend.
 * Weights: bench cases are synchronous and the bench page serves no files, so both sides get the
 * same seeded weights of the real shapes, drawn from the model's own initializer (uniform ±0.05).
 * Timing does not depend on the values; numerical parity with the real weights is what
 * tests/browser/pretrained.test.ts checks.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { BenchCase, BenchFamily, Tf } from './types.js';
import { randomData } from './types.js';
import type { Runner } from '../harness.js';
import { Tensor } from '../../src/engine/index.js';
import { parseTopology, type LayersModelFiles, type LayersModelJson, type ParsedGraph } from '../../src/srgan/pretrained/layers-format.js';
import { pretrainedFromFiles } from '../../src/srgan/pretrained/pretrained-model.js';
// The package's exports map hides its model files, so the JSON is imported by path (bundled by esbuild and tsx).
import slimX4Json from '../../node_modules/@upscalerjs/esrgan-slim/models/x4/model.json';

const SIZE = 64;
const modelJson = slimX4Json as unknown as LayersModelJson;
const graph: ParsedGraph = parseTopology(modelJson);

/** One weight array per manifest entry, in manifest order: kernels uniform ±0.05, biases 0. */
function syntheticWeights(): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  modelJson.weightsManifest
    .flatMap((g) => g.weights)
    .forEach((w, i) => {
      const n = w.shape.reduce((a, b) => a * b, 1);
      out.set(w.name, { shape: w.shape, values: w.name.endsWith('/bias') ? new Float32Array(n) : randomData(n, 100 + i, 0.05) });
    });
  return out;
}

function syntheticFiles(): LayersModelFiles {
  const weights = syntheticWeights();
  const shards = modelJson.weightsManifest.map((g) => {
    const parts = g.weights.map((w) => weights.get(w.name)!.values);
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return [all.buffer]; // one shard per group: the split into files does not matter
  });
  return { modelJson, shards };
}

/** Input pixels in [0, 1], NHWC order (transposed for ours). */
function pixels(): Float32Array {
  return randomData(SIZE * SIZE * 3, 31).map((v) => (v + 1) / 2);
}

function toNchw(nhwc: Float32Array): Float32Array {
  const out = new Float32Array(nhwc.length);
  for (let p = 0; p < SIZE * SIZE; p++) for (let c = 0; c < 3; c++) out[c * SIZE * SIZE + p] = nhwc[p * 3 + c];
  return out;
}

function oursRunner(): Runner {
  const model = pretrainedFromFiles('esrgan-slim', 4, syntheticFiles());
  const x = Tensor.fromArray(toNchw(pixels()), [1, 3, SIZE, SIZE]);
  let y: Tensor | undefined;
  return {
    step: () => {
      y = model.run(x);
    },
    after: () => y?.dispose(),
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
}

type Cfg = Record<string, unknown>;

/** The slim graph with tfjs-layers' classes (what loadLayersModel would build from the same JSON). */
function tfjsModel(tf: Tf): tfl.LayersModel {
  const weights = syntheticWeights();
  const syms = new Map<string, tfl.SymbolicTensor>([[graph.input.name, tfl.input({ shape: [SIZE, SIZE, 3] })]]);
  const withWeights: [tfl.layers.Layer, string][] = [];
  for (const l of graph.layers) {
    const c = l.config as Cfg;
    let layer: tfl.layers.Layer;
    if (l.className === 'Conv2D') {
      layer = tfl.layers.conv2d({
        name: l.name,
        filters: c.filters as number,
        kernelSize: c.kernel_size as number[],
        strides: c.strides as number[],
        padding: c.padding as 'same' | 'valid',
        activation: 'linear',
        useBias: true,
      });
      withWeights.push([layer, l.name]);
    } else if (l.className === 'Activation') layer = tfl.layers.activation({ name: l.name, activation: c.activation as 'relu' });
    else if (l.className === 'Concatenate') layer = tfl.layers.concatenate({ name: l.name, axis: c.axis as number });
    else if (l.className === 'Add') layer = tfl.layers.add({ name: l.name });
    else if (l.className === 'UpSampling2D') layer = tfl.layers.upSampling2d({ name: l.name, size: c.size as number[], interpolation: 'nearest' });
    else throw new Error(`esrgan bench: no TF.js mapping for ${l.className}`);
    const ins = l.inputs.map((n) => syms.get(n)!);
    syms.set(l.name, layer.apply(ins.length === 1 ? ins[0] : ins) as tfl.SymbolicTensor);
  }
  const model = tfl.model({ inputs: syms.get(graph.input.name)!, outputs: syms.get(graph.output)! });
  for (const [layer, name] of withWeights) {
    const k = weights.get(`${name}/kernel`)!,
      b = weights.get(`${name}/bias`)!;
    const ts = [tf.tensor(k.values, k.shape), tf.tensor(b.values, b.shape)];
    layer.setWeights(ts);
    for (const t of ts) t.dispose();
  }
  return model;
}

function tfjsRunner(tf: Tf): Runner {
  const model = tfjsModel(tf);
  const x = tf.tensor4d(pixels(), [1, SIZE, SIZE, 3]);
  let y: TfCore.Tensor | undefined;
  return {
    step: () => {
      y = tf.tidy(() => tf.div(tf.clipByValue(model.predict(tf.mul(x, 255)) as TfCore.Tensor, 0, 255), 255));
    },
    after: () => y?.dispose(),
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
}

/** 2·MACs of every conv (the rest is memory traffic), walking channels and sizes through the graph. */
function convFlops(): number {
  const shape = new Map<string, [number, number, number]>([[graph.input.name, [SIZE, SIZE, 3]]]);
  let flops = 0;
  for (const l of graph.layers) {
    const ins = l.inputs.map((n) => shape.get(n)!);
    const [h, w, c] = ins[0];
    const cfg = l.config as Cfg;
    if (l.className === 'Conv2D') {
      const [kh, kw] = cfg.kernel_size as number[];
      const f = cfg.filters as number;
      flops += 2 * h * w * c * f * kh * kw; // stride 1 'same' (or 1×1 'valid'): output h × w
      shape.set(l.name, [h, w, f]);
    } else if (l.className === 'Concatenate') shape.set(l.name, [h, w, ins.reduce((s, t) => s + t[2], 0)]);
    else if (l.className === 'UpSampling2D') {
      const s = (cfg.size as number[])[0];
      shape.set(l.name, [h * s, w * s, c]);
    } else shape.set(l.name, ins[0]);
  }
  return flops;
}

export const esrganSlimX4Case: BenchCase = {
  key: 'esrgan_slim_x4_64px',
  flops: convFlops(),
  ours: oursRunner,
  tfjs: tfjsRunner,
};

export const esrganFamily: BenchFamily = { name: 'esrgan', cases: [esrganSlimX4Case] };
