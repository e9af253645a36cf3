/**
 * `-n NAME`, `--checkpoint FILE`, `-s SCALE` and `--texture T`, checked whole on the host before the
 * GPU starts: the CLI's words for the options, then the one model resolver (src/srgan/serve/model-resolver.ts)
 * reads and decodes the file once (a corrupt file is a failure, exit 1, named), and the scale is
 * checked against the model's own. Loading onto the engine comes after (`load`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chooseModel as chooseSource, MODEL_NAMES, resolveModel, type ModelChoice } from '../srgan/serve/model-resolver.js';
import { nodeModelReader } from '../srgan/serve/model-reader-node.js';
import { srganAtTextureName } from '../srgan/store/checkpoint.js';
import type { InferenceModel } from '../srgan/serve/inference.js';
import { isPretrainedName, pretrainedInfo } from '../srgan/pretrained/catalogue.js';
import { isShippedName, shippedModel, type ShippedName } from '../srgan/shipped-models.js';
import { UsageError } from './command.js';

export interface CliModel {
  label: string;
  scale: number;
  /** Put the model on the engine (initEngine first). */
  load(): InferenceModel;
}

export async function chooseModel(
  command: string,
  opts: { model?: string; checkpoint?: string; scale?: number; texture?: number },
): Promise<CliModel> {
  const { model, checkpoint, scale, texture } = opts;
  const usage = (message: string) => new UsageError(`srgan ${command}: ${message}`);
  if (model !== undefined && checkpoint !== undefined) throw usage('give either -n/--model or --checkpoint, not both');
  if (scale !== undefined && scale < 2) throw usage(`-s/--scale must be 2 or more, got ${scale}`);
  let choice: ModelChoice, label: string | undefined;
  if (texture !== undefined) {
    if (model !== 'srgan') throw usage('--texture blends srgan with default; use it with -n srgan');
    if (!(texture >= 0 && texture <= 1)) throw usage(`--texture must be between 0 and 1, got ${texture}`);
    [choice, label] = [{ kind: 'shipped', name: 'srgan', texture }, srganAtTextureName(texture)];
  } else if (checkpoint !== undefined) {
    if (!existsSync(checkpoint)) throw usage(`checkpoint not found: ${checkpoint}`);
    [choice, label] = [{ kind: 'location', location: checkpoint }, `checkpoint ${checkpoint}`];
  } else {
    const name = model ?? 'default';
    if (isPretrainedName(name)) {
      const scales = pretrainedInfo(name).scales as readonly number[];
      if (scale !== undefined && !scales.includes(scale)) throw usage(`${name} comes at scales ${scales.join(', ')}, not ${scale}`);
    } else if (!isShippedName(name)) throw usage(`unknown model "${name}" (models: ${MODEL_NAMES.join(', ')}; or --checkpoint FILE)`);
    else label = name;
    choice = chooseSource({ model: name, scale });
  }
  const resolved = await resolveModel(choice, { name: label }, nodeModelReader);
  if (scale !== undefined && scale !== resolved.scale)
    throw usage(`${resolved.name} upscales ×${resolved.scale}; -s ${scale} needs a model with that scale (e.g. -n esrgan-slim -s ${scale})`);
  return { label: resolved.name, scale: resolved.scale, load: () => resolved.load() };
}

/** The file of a shipped generator, or a usage error naming the missing file (for commands that need its path). */
export function shippedModelPath(command: string, name: ShippedName): string {
  // Relative to the catalogue module: src/srgan/ in a clone, dist/cli/ or dist/lib/ in the package.
  const shipped = shippedModel(name)!,
    path = fileURLToPath(shipped.url());
  if (!existsSync(path)) throw new UsageError(`srgan ${command}: the model "${name}" is not shipped in this version (${shipped.path} is missing)`);
  return path;
}
