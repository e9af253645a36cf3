/**
 * The models the CLI can run, behind one shape: an LR tile [1, 3, h, w] in [0, 1] in, the SR tile
 * [1, 3, s·h, s·w] in [0, 1] out. Our generators come from a checkpoint file (the shipped default
 * when none is given); UpscalerJS's ESRGAN models come from their npm packages.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as E from '../engine/node.js';
import { generatorFromSafetensors, DEFAULT_GENERATOR_PATH } from '../srgan/checkpoint.js';
import { UsageError } from './command.js';
import {
  DEFAULT_PRETRAINED_SCALE, isPretrainedName, pretrainedInfo, PRETRAINED_NAMES, type PretrainedInfo, type PretrainedScale,
} from '../srgan/pretrained/catalogue.js';

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
    run: (lr) => generator.enhance(lr),
    dispose: () => generator.dispose(),
  };
}

export async function loadPretrainedModel(name: string, scale = DEFAULT_PRETRAINED_SCALE as number): Promise<SrModel> {
  if (!isPretrainedName(name)) throw new UsageError(`--model must be one of ${PRETRAINED_NAMES.join(', ')}, got "${name}"`);
  let info: PretrainedInfo;
  try {
    info = pretrainedInfo(name, scale);
  } catch (e) {
    throw new UsageError(`--scale: ${(e as Error).message}`);
  }
  const { loadPretrainedNode } = await import('../srgan/pretrained/node.js');
  const m = await loadPretrainedNode(name, scale as PretrainedScale);
  return { name: `${name} ×${scale} (UpscalerJS, ${info.license})`, scale, run: (x) => m.run(x), dispose: () => m.dispose() };
}

/** --model NAME [--scale S] or --checkpoint FILE (or the default generator). */
export async function loadModel(opts: { checkpoint?: string; model?: string; scale?: number }): Promise<SrModel> {
  if (opts.model && opts.checkpoint) throw new UsageError('give either --model or --checkpoint, not both');
  if (opts.model) return loadPretrainedModel(opts.model, opts.scale);
  const m = await loadGeneratorModel(opts.checkpoint);
  if (opts.scale !== undefined && opts.scale !== m.scale)
    throw new UsageError(`this generator upscales ×${m.scale}; --scale ${opts.scale} is only for --model`);
  return m;
}
