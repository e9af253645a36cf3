/**
 * Runs in headless Chromium: each pretrained model through our engine and through TF.js 4.22
 * (tfjs-layers' loadLayersModel on the WebGPU backend) on the same adapter, from the same files
 * served by the test, with UpscalerJS's pixel handling on both sides.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine, engine, Tensor } from '../../src/engine/index.js';
import { loadPretrainedFromUrl, pretrainedInfo, type PretrainedName, type PretrainedScale } from '../../src/srgan/pretrained/index.js';

const first = (x: tf.Tensor | tf.Tensor[]) => (Array.isArray(x) ? x[0] : x);

/** UpscalerJS's custom RRDN layers, written from their documented behaviour: x·0.2 and depth_to_space. */
class MultiplyBeta extends tfl.layers.Layer {
  static className = 'MultiplyBeta';
  override call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.mul(first(inputs), 0.2);
  }
}

function pixelShuffleClass(r: number) {
  return class PixelShuffle extends tfl.layers.Layer {
    static className = `PixelShuffle${r}x`;
    override computeOutputShape(s: tfl.Shape | tfl.Shape[]) {
      const [n, h, w, c] = s as (number | null)[];
      return [n, h === null ? null : h * r, w === null ? null : w * r, c === null ? null : c / (r * r)];
    }
    override call(inputs: tf.Tensor | tf.Tensor[]) {
      return tf.depthToSpace(first(inputs) as tf.Tensor4D, r, 'NHWC');
    }
  };
}

for (const cls of [MultiplyBeta, ...[2, 3, 4, 8].map(pixelShuffleClass)]) tf.serialization.registerClass(cls);

export interface ParityRequest {
  name: PretrainedName;
  scale: PretrainedScale;
  url: string;
}
export interface ParityResult {
  name: string;
  scale: number;
  shape: number[];
  tfShape: number[];
  maxAbs: number;
  oursMs: number;
  tfjsMs: number;
}
export type ParityOutcome = { adapter?: { description: string; runtime: string }; results: ParityResult[]; error?: string };

/** `pixels`: an RGB crop, NHWC, in [0, 1]. */
async function runParity(pixels: number[], size: number, models: ParityRequest[]): Promise<ParityOutcome> {
  try {
    await initEngine({ log: (m) => console.warn(m) });
    if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js could not initialise its 'webgpu' backend");
    await tf.ready();
    const nhwc = Float32Array.from(pixels);
    const nchw = new Float32Array(nhwc.length);
    for (let p = 0; p < size * size; p++) for (let c = 0; c < 3; c++) nchw[c * size * size + p] = nhwc[p * 3 + c];
    const results: ParityResult[] = [];
    for (const m of models) {
      const crop = m.name === 'esrgan-thick' ? 16 : size; // thick costs ~10× slim per pixel
      const ours = await loadPretrainedFromUrl(m.name, m.scale, m.url);
      const x = Tensor.fromArray(cropNchw(nchw, size, crop), [1, 3, crop, crop]);
      let t0 = performance.now();
      const y = ours.run(x);
      const got = await y.read();
      const oursMs = performance.now() - t0;
      const shape = [...y.shape];
      for (const t of [x, y]) t.dispose();
      ours.dispose();

      const theirs = await tfl.loadLayersModel(m.url);
      const max = pretrainedInfo(m.name).pixelMax;
      t0 = performance.now();
      // UpscalerJS: pixels (0–255) scaled to the model's input range, output clipped to its range.
      const out = tf.tidy(() => {
        const input = tf.tensor4d(cropNhwc(nhwc, size, crop), [1, crop, crop, 3]);
        const pred = theirs.predict(tf.mul(input, max)) as tf.Tensor4D;
        return tf.div(tf.clipByValue(pred, 0, max), max) as tf.Tensor4D;
      });
      const want = await out.data();
      const tfjsMs = performance.now() - t0;
      const tfShape = [...out.shape];
      out.dispose();
      theirs.dispose();

      const [, , H, W] = shape;
      let maxAbs = want.length === got.length ? 0 : Infinity;
      for (let p = 0; p < H * W; p++) for (let c = 0; c < 3; c++) maxAbs = Math.max(maxAbs, Math.abs(got[c * H * W + p] - want[p * 3 + c]));
      results.push({ name: m.name, scale: m.scale, shape, tfShape, maxAbs, oursMs, tfjsMs });
      console.warn(`${m.name} ×${m.scale}: max |Δ| ${maxAbs}, ours ${oursMs.toFixed(0)} ms, TF.js ${tfjsMs.toFixed(0)} ms (first runs)`);
    }
    return { adapter: engine().adapter, results };
  } catch (e) {
    return { results: [], error: (e as Error).stack ?? String(e) };
  }
}

/** Top-left crop×crop of a size×size NCHW / NHWC RGB image. */
function cropNchw(src: Float32Array, size: number, crop: number): Float32Array {
  const out = new Float32Array(3 * crop * crop);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < crop; y++) for (let x = 0; x < crop; x++) out[(c * crop + y) * crop + x] = src[(c * size + y) * size + x];
  return out;
}
function cropNhwc(src: Float32Array, size: number, crop: number): Float32Array {
  const out = new Float32Array(3 * crop * crop);
  for (let y = 0; y < crop; y++) out.set(src.subarray(y * size * 3, (y * size + crop) * 3), y * crop * 3);
  return out;
}

(globalThis as unknown as { runParity: typeof runParity }).runParity = runParity;
