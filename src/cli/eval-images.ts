/** Evaluate an SR model on HR images with the paper's protocol (see src/srgan/metrics.ts). */
import type { Generator } from '../srgan/models/generator.js';
import type { SrganConfig } from '../srgan/config.js';
import { evaluate, type EvalReport } from '../srgan/metrics.js';
import { upscaleImage } from '../srgan/upscale.js';
import type { HostImage } from '../srgan/image/types.js';
import type { SrModel } from './models.js';

/** Each HR image is downscaled ×scale by the training bicubic, upscaled by the model through tiles, and compared on Y. */
export function evaluateModel(images: readonly HostImage[], model: SrModel, onImage?: (done: number) => void, selfEnsemble = false): Promise<EvalReport> {
  return evaluate(images, (lr) => upscaleImage((t) => model.run(t), lr, { scale: model.scale, selfEnsemble }), {
    scale: model.scale, onImage: (_, i) => onImage?.(i + 1),
  });
}

/** The same for a generator being trained (`enhance` runs it in eval mode and restores training mode). */
export function evaluateOnImages(images: readonly HostImage[], generator: Generator, config: SrganConfig): Promise<EvalReport> {
  return evaluateModel(images, { name: 'training', scale: config.generator.scale, dispose: () => {}, run: (lr) => generator.enhance(lr) });
}
