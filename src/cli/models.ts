/**
 * The models the CLI can run, all behind the inference contract (src/srgan/inference.ts): an LR tile
 * [1, 3, h, w] in [0, 1] in, the SR tile [1, 3, s·h, s·w] in [0, 1] out, no graph. Our generators
 * come from a checkpoint file or the shipped catalogue (`--model default|srgan`, the default when
 * nothing is given); UpscalerJS's ESRGAN models come from their npm packages.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generatorInferenceFromBytes, pretrainedInference, type InferenceModel } from '../srgan/inference.js';
import { isShippedName, shippedModel, SHIPPED_NAMES } from '../srgan/shipped-models.js';
import { UsageError } from './command.js';
import {
  DEFAULT_PRETRAINED_SCALE, isPretrainedName, pretrainedInfo, PRETRAINED_NAMES, type PretrainedScale,
} from '../srgan/pretrained/catalogue.js';

export type SrModel = InferenceModel;

const MODEL_NAMES = [...SHIPPED_NAMES, ...PRETRAINED_NAMES];

/** A generator file, or a shipped one by name (read from the package's models/ folder). */
export async function loadGeneratorModel(file?: string, shippedName = 'default'): Promise<SrModel> {
  const shipped = isShippedName(shippedName) ? shippedModel(shippedName) : undefined;
  if (!file && !shipped) throw new UsageError(`--model must be one of ${MODEL_NAMES.join(', ')}, got "${shippedName}"`);
  const path = file ?? fileURLToPath(shipped!.url());
  if (!(await stat(path).then((s) => s.isFile(), () => false)))
    throw new UsageError(file ? `checkpoint not found: ${file}` : `the shipped "${shippedName}" model is missing (${shipped!.path}); pass --checkpoint FILE`);
  const name = file ? `checkpoint ${file}` : `${shippedName} (${shipped!.path})`;
  return generatorInferenceFromBytes(await readFile(path), name);
}

export async function loadPretrainedModel(name: string, scale = DEFAULT_PRETRAINED_SCALE as number): Promise<SrModel> {
  if (!isPretrainedName(name)) throw new UsageError(`--model must be one of ${MODEL_NAMES.join(', ')}, got "${name}"`);
  try {
    pretrainedInfo(name, scale);
  } catch (e) {
    throw new UsageError(`--scale: ${(e as Error).message}`);
  }
  const { loadPretrainedNode } = await import('../srgan/pretrained/node.js');
  return pretrainedInference(await loadPretrainedNode(name, scale as PretrainedScale));
}

