/**
 * Evaluate an SR model on HR images with the paper's protocol (see ./metrics.ts). Platform-neutral:
 * the CLI's `eval`, training's held-out evaluation and the app share it.
 */
import { runGenerator } from './serve/inference.js';
import type { Tensor } from '../engine/index.js';
import type { Generator } from './models/generator.js';
import type { SrganConfig } from './config.js';
import { evaluate, type EvalReport, type LowResMaker } from './metrics.js';
import { upscaleImage } from './serve/upscale.js';
import type { HostImage } from './image/types.js';

/** What evaluation needs of a model: its scale and one forward pass on an LR tensor. */
export interface SrRunner {
  scale: number;
  run(lr: Tensor): Tensor;
}

/** Each HR image is downscaled ×scale by the training bicubic, upscaled by the model through tiles, and compared on Y. */
export function evaluateModel(
  images: readonly HostImage[],
  model: SrRunner,
  onImage?: (done: number) => void,
  selfEnsemble = false,
  lowRes?: LowResMaker,
): Promise<EvalReport> {
  return evaluate(images, (lr) => upscaleImage((t) => model.run(t), lr, { scale: model.scale, selfEnsemble }), {
    scale: model.scale,
    onImage: (_, i) => onImage?.(i + 1),
    lowRes,
  });
}

/** The same for a generator being trained (`runGenerator` runs it in eval mode and restores training mode). */
export function evaluateOnImages(images: readonly HostImage[], generator: Generator, config: SrganConfig): Promise<EvalReport> {
  return evaluateModel(images, { scale: config.generator.scale, run: (lr) => runGenerator(generator, lr) });
}
