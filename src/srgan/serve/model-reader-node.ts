/**
 * Node's ModelReader: model files from disk. The shipped generators are `file:` URLs relative to
 * shipped-models.ts (the package's models/ folder, from src/srgan/ in the repository or dist/lib/
 * and dist/cli/ in an installed package); UpscalerJS models come from their npm packages through
 * Node's module resolution. Importing this module makes it the default reader (the Node entry does).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ModelFileError } from '../errors.js';
import { fetchBytes, readShippedWith, setDefaultModelReader, type ModelReader } from './model-resolver.js';
import { pretrainedInfo } from '../pretrained/catalogue.js';
import { packageRoot, pretrainedModelJsonPath, readLayersModelFiles } from '../pretrained/node.js';

/** A file's bytes, or a ModelFileError that names it. */
async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
  }
}

export const nodeModelReader: ModelReader = {
  async readBytes(url) {
    // data: (a bundler may inline a small asset) and http(s): go through Node's fetch.
    return url.protocol === 'file:' ? readModelFile(fileURLToPath(url)) : fetchBytes(url, url.href);
  },
  readShipped: (name) => readShippedWith(name, (url) => readModelFile(fileURLToPath(url))),
  // A scheme of two letters or more is a URL (one letter is a Windows drive); anything else is a path.
  resolve: (location) =>
    /^[a-z][a-z0-9+.-]+:/i.test(location) ? new URL(location) : pathToFileURL(isAbsolute(location) ? location : resolve(location)),
  async readPretrained(name, scale) {
    const pkg = pretrainedInfo(name, scale).package;
    try {
      packageRoot(pkg);
    } catch {
      // Optional: 5–115 MB of weights each, so the package does not install them for everyone.
      throw new ModelFileError(
        `${name} needs the npm package ${pkg}: npm install ${pkg} --legacy-peer-deps ` + '(its TF.js peer dependency is not needed)',
      );
    }
    return readLayersModelFiles(pretrainedModelJsonPath(name, scale));
  },
};

setDefaultModelReader(nodeModelReader);
