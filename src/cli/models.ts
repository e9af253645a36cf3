/**
 * The models the CLI can run, behind one shape: an LR tile [1, 3, h, w] in [0, 1] in, the SR tile
 * [1, 3, s·h, s·w] in [0, 1] out. Our generators come from a checkpoint file (the shipped default
 * when none is given); UpscalerJS's ESRGAN models come from their npm packages.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as E from '../engine/index.js';
import { generatorFromSafetensors, DEFAULT_GENERATOR_PATH } from '../srgan/checkpoint.js';
import { toUnit } from '../srgan/train/trainer.js';
import { UsageError } from './command.js';

export interface SrModel {
  name: string;
  scale: number;
  run(lr: E.Tensor): E.Tensor;
  dispose(): void;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function loadGeneratorModel(file?: string): Promise<SrModel> {
  const path = file ?? repoRoot + DEFAULT_GENERATOR_PATH;
  if (!(await stat(path).then((s) => s.isFile(), () => false)))
    throw new UsageError(file ? `checkpoint not found: ${file}` : `the shipped generator is missing (${DEFAULT_GENERATOR_PATH}); pass --checkpoint FILE`);
  const { generator, config } = generatorFromSafetensors(await readFile(path), path);
  return {
    name: file ? `checkpoint ${file}` : `default (${DEFAULT_GENERATOR_PATH})`,
    scale: config.generator.scale,
    run: (lr) => E.noGrad(() => E.tidy(() => toUnit(generator.forward(lr), config))),
    dispose: () => generator.dispose(),
  };
}

export const PRETRAINED_NAMES = ['esrgan-slim', 'esrgan-medium', 'esrgan-thick'] as const;
export type PretrainedName = (typeof PRETRAINED_NAMES)[number];

export async function loadPretrainedModel(name: string, scale = 4): Promise<SrModel> {
  if (!(PRETRAINED_NAMES as readonly string[]).includes(name))
    throw new UsageError(`--model must be one of ${PRETRAINED_NAMES.join(', ')}, got "${name}"`);
  if (![2, 3, 4, 8].includes(scale)) throw new UsageError(`--scale must be 2, 3, 4 or 8, got ${scale}`);
  const { loadPretrainedNode } = await import('../srgan/pretrained/node.js');
  const m = await loadPretrainedNode(name as PretrainedName, scale as 2 | 3 | 4 | 8);
  return { name: `${name} ×${scale} (UpscalerJS, MIT)`, scale, run: (x) => E.noGrad(() => m.run(x)), dispose: () => m.dispose() };
}

/** --model NAME [--scale S] or --checkpoint FILE (or the default generator). */
export async function loadModel(opts: { checkpoint?: string; model?: string; scale?: number }): Promise<SrModel> {
  if (opts.model && opts.checkpoint) throw new UsageError('give either --model or --checkpoint, not both');
  if (opts.model) return loadPretrainedModel(opts.model, opts.scale ?? 4);
  const m = await loadGeneratorModel(opts.checkpoint);
  if (opts.scale !== undefined && opts.scale !== m.scale)
    throw new UsageError(`this generator upscales ×${m.scale}; --scale ${opts.scale} is only for --model`);
  return m;
}
