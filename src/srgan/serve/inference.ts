/**
 * The one inference contract: every model that upscales pictures (our generators, UpscalerJS's
 * pretrained ESRGANs) is an `InferenceModel`. `run` takes an LR tile [1, 3, h, w] in [0, 1] and
 * gives the SR tile [1, 3, s·h, s·w] in [0, 1], clamped, computed in eval mode with no autograd
 * graph (so a tile's intermediates are freed as soon as it is done, not when its output is).
 * The CLI (`srgan upscale`, `srgan eval`), the app's Upscale view, the training evaluation and
 * `createUpscaler` all go through it.
 */
import * as E from '../../engine/index.js';
import type { PixelRange } from '../config.js';
import type { Generator } from '../models/generator.js';
import type { PretrainedModel } from '../pretrained/pretrained-model.js';

export interface InferenceModel {
  /** What to call it in messages and labels. */
  readonly name: string;
  /** Output side / input side. */
  readonly scale: number;
  /** [1, 3, h, w] in [0, 1] → [1, 3, scale·h, scale·w] in [0, 1]; no graph; the caller owns the result. */
  run(lr: E.Tensor): E.Tensor;
  dispose(): void;
}

/**
 * The only place a generator's output range becomes [0, 1] pixels for viewing: an affine map
 * (for tanh generators) and a clamp, since a picture has no values outside [0, 1].
 */
export function toUnitPixels(sr: E.Tensor, range: PixelRange): E.Tensor {
  return E.tidy(() => E.clamp(range === '[-1,1]' ? E.addScalar(E.mulScalar(sr, 0.5), 0.5) : sr, 0, 1));
}

/**
 * Run a generator for inference: eval mode (running batch-norm statistics) for this call only, so
 * a generator that is being trained goes back to training mode; no graph; output in [0, 1].
 */
export function runGenerator(generator: Generator, lr: E.Tensor): E.Tensor {
  const wasTraining = generator.training;
  generator.eval();
  try {
    return E.noGrad(() => E.tidy(() => toUnitPixels(generator.forward(lr), generator.cfg.outputRange)));
  } finally {
    generator.train(wasTraining);
  }
}

/** Wrap a generator (owned by the model from now on: `dispose` frees its weights). */
export function generatorInference(generator: Generator, name: string): InferenceModel {
  return { name, scale: generator.cfg.scale, run: (lr) => runGenerator(generator, lr), dispose: () => generator.dispose() };
}

/** An UpscalerJS model (already [0, 1] in and out, see pretrained-model.ts) behind the same contract. */
export function pretrainedInference(model: PretrainedModel, name = `${model.name} ×${model.scale} (UpscalerJS, ${model.license})`): InferenceModel {
  return { name, scale: model.scale, run: (lr) => E.noGrad(() => model.run(lr)), dispose: () => model.dispose() };
}
