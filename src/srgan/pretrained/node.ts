/**
 * Node's reader: the model packages are ordinary dependencies, found with Node's own module
 * resolution (so a hoisted or nested node_modules both work) and read from disk.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LayersModelFiles, LayersModelJson } from './layers-format.js';
import { pretrainedFromFiles, type PretrainedModel } from './pretrained-model.js';
import { DEFAULT_PRETRAINED_SCALE, modelJsonPathInPackage, pretrainedInfo, type PretrainedName, type PretrainedScale } from './catalogue.js';
import { ModelFileError } from '../errors.js';

const toArrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export async function readLayersModelFiles(modelJsonPath: string): Promise<LayersModelFiles> {
  const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as LayersModelJson;
  const dir = dirname(modelJsonPath);
  const shards = await Promise.all(
    (modelJson.weightsManifest ?? []).map((group) => Promise.all(group.paths.map(async (p) => toArrayBuffer(await readFile(join(dir, p)))))),
  );
  return { modelJson, shards };
}

/** The package's root folder. Its exports map hides package.json, so resolve the entry and walk up. */
export function packageRoot(pkg: string): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch (e) {
    throw new ModelFileError(`${pkg} is not installed (it is a dependency of this project: run npm install): ${(e as Error).message}`);
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === pkg) return dir;
  }
  throw new ModelFileError(`${pkg}: no package.json above ${entry}`);
}

export function pretrainedModelJsonPath(name: PretrainedName, scale: PretrainedScale): string {
  const info = pretrainedInfo(name, scale);
  return join(packageRoot(info.package), modelJsonPathInPackage(scale));
}

/** Load esrgan-slim|medium|thick at ×2|3|4|8 from node_modules onto the engine (initEngine first). */
export async function loadPretrainedNode(name: PretrainedName, scale: PretrainedScale = DEFAULT_PRETRAINED_SCALE): Promise<PretrainedModel> {
  return pretrainedFromFiles(name, scale, await readLayersModelFiles(pretrainedModelJsonPath(name, scale)));
}
