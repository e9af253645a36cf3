/**
 * Node's side of createUpscaler: model files are read from disk. The shipped generators are
 * `file:` URLs relative to the module (the package's models/ folder, from src/srgan/ in the
 * repository or dist/lib/ in an installed package); UpscalerJS models come from their npm
 * packages through Node's module resolution. Importing this module registers the reader.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setModelReader, UpscalerError, type ModelReader } from './upscaler.js';
import { loadPretrainedNode } from './pretrained/node.js';

export const nodeModelReader: ModelReader = {
  async readBytes(url) {
    if (url.protocol !== 'file:') {
      // data: (a bundler may inline a small asset) and http(s): go through Node's fetch.
      const res = await fetch(url);
      if (!res.ok) throw new UpscalerError(`model ${url.href}: HTTP ${res.status} ${res.statusText}`);
      return new Uint8Array(await res.arrayBuffer());
    }
    const path = fileURLToPath(url);
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UpscalerError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
    }
  },
  // A scheme of two letters or more is a URL (one letter is a Windows drive); anything else is a path.
  resolve: (location) => /^[a-z][a-z0-9+.-]+:/i.test(location) ? new URL(location)
    : pathToFileURL(isAbsolute(location) ? location : resolve(location)),
  loadPretrained: (name, scale) => loadPretrainedNode(name, scale),
};

setModelReader(nodeModelReader);

export { createUpscaler, UpscalerError, type Upscaler, type UpscalerOptions, type UpscaleCallOptions } from './upscaler.js';
