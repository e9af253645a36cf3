/**
 * The one way a model is named, found, read and decoded, for every front end: `srgan upscale/eval`
 * (`-n`, `--checkpoint`), `createUpscaler({ model })` and the app's model picker.
 *
 *   chooseModel(request)            names, texture and scale checked at once (no I/O): a bad name fails early
 *   await resolveModel(choice, …)   the files read through a ModelReader and decoded on the host, once
 *   await resolved.load()           onto the engine (initEngine first); again after a device loss, no re-read
 *
 * Where files come from is the reader's business: `fetchModelReader` here (a page: fetch and the asset
 * URLs bundlers make), the disk in Node (model-reader-node.ts, made the default by the Node entry),
 * or the app's bundled assets (src/ui/model-sources.ts).
 */
import { buildGenerator, readGeneratorFileFor, srganAtTexture, srganAtTextureName, type GeneratorFile } from '../store/checkpoint.js';
import type { SrganConfig } from '../config.js';
import { ConfigError, ModelFileError } from '../errors.js';
import { generatorInference, pretrainedInference, type InferenceModel } from './inference.js';
import { isShippedName, shippedModel, SHIPPED_NAMES, type ShippedName } from '../shipped-models.js';
import {
  DEFAULT_PRETRAINED_SCALE,
  isPretrainedName,
  pretrainedInfo,
  PRETRAINED_NAMES,
  type PretrainedName,
  type PretrainedScale,
} from '../pretrained/catalogue.js';
import { fetchLayersModelFiles } from '../pretrained/browser.js';
import type { LayersModelFiles } from '../pretrained/layers-format.js';
import { pretrainedFromFiles } from '../pretrained/pretrained-model.js';

/** Every model name: the shipped generators, then UpscalerJS's pretrained ESRGANs. */
export const MODEL_NAMES: readonly (ShippedName | PretrainedName)[] = [...SHIPPED_NAMES, ...PRETRAINED_NAMES];

/** A model: a name from MODEL_NAMES, a generator file's bytes, or its location (a URL; a path where the reader reads disks). */
export type ModelSource = ShippedName | PretrainedName | Uint8Array | ArrayBuffer | URL | string;

export interface ModelRequest {
  /** Default 'default'. */
  model?: ModelSource;
  /** With 'srgan': its blend with 'default', 0 … 1 (network interpolation). */
  texture?: number;
  /** An UpscalerJS model's scale (2, 3, 4, 8; default 4). A generator has its own, which the caller checks against this. */
  scale?: number;
  /** In a page, where an UpscalerJS model's model.json is served. */
  modelUrl?: string | URL;
  /** What to call the model in labels and messages, instead of the name derived from the source. */
  name?: string;
}

export type ModelChoice =
  | { kind: 'shipped'; name: ShippedName; texture?: number } // texture: srgan only
  | { kind: 'pretrained'; name: PretrainedName; scale: PretrainedScale }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'location'; location: string | URL };

/** How model files are read where the code runs. Every method works on the host: nothing touches the engine. */
export interface ModelReader {
  /** A shipped generator's file (models/<name>/generator.safetensors). */
  readShipped(name: ShippedName): Promise<Uint8Array>;
  /** A generator file given as a URL (file:, http(s):, blob:, data:, or a bundler's asset URL). */
  readBytes(url: URL): Promise<Uint8Array>;
  /** A model location given as a string that is not a name, as a URL (Node reads a path as a file). */
  resolve(location: string): URL;
  /** An UpscalerJS model's model.json and weight shards. */
  readPretrained(name: PretrainedName, scale: PretrainedScale, modelUrl?: string | URL): Promise<LayersModelFiles>;
}

/** Bytes from fetch, with the HTTP status in the error. */
export async function fetchBytes(url: URL | string, what = String(url)): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new ModelFileError(`model ${what}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A shipped generator's file read from its catalogue URL by `read`; a failure says the package lacks it. */
export async function readShippedWith(name: ShippedName, read: (url: URL) => Promise<Uint8Array>): Promise<Uint8Array> {
  const shipped = shippedModel(name)!;
  try {
    return await read(shipped.url());
  } catch (e) {
    throw new ModelFileError(`the "${name}" model is not in this package (${shipped.path}): ${(e as Error).message}`);
  }
}

/** The platform-neutral reader: fetch, relative to the page. */
export const fetchModelReader: ModelReader = {
  readBytes: (url) => fetchBytes(url, url.href),
  readShipped: (name) => readShippedWith(name, (url) => fetchBytes(url, url.href)),
  resolve: (location) => new URL(location, globalThis.location?.href),
  readPretrained(name, scale, modelUrl) {
    if (!modelUrl) {
      return Promise.reject(
        new ConfigError(
          `${name}: in a page, give options.modelUrl, the URL where the package's ` +
            `models/x${scale}/model.json is served (npm ${pretrainedInfo(name).package}; its shards beside it)`,
        ),
      );
    }
    return fetchLayersModelFiles(modelUrl);
  },
};

let defaultReader: ModelReader = fetchModelReader;

/** The reader used when none is given: fetch, or the disk once the Node entry has loaded. */
export const defaultModelReader = (): ModelReader => defaultReader;

/** Make `r` the default reader (the Node entry does this once). */
export function setDefaultModelReader(r: ModelReader): void {
  defaultReader = r;
}

/**
 * The request checked without reading anything: a known name, a texture in [0, 1] with srgan only,
 * a scale that an UpscalerJS model has. Throws ConfigError.
 */
export function chooseModel(req: ModelRequest): ModelChoice {
  const m = req.model ?? 'default';
  if (req.texture !== undefined) {
    if (m !== 'srgan') throw new ConfigError("options.texture blends srgan with default; use it with model: 'srgan'");
    if (!(req.texture >= 0 && req.texture <= 1)) throw new ConfigError(`options.texture must be between 0 and 1, got ${req.texture}`);
    return { kind: 'shipped', name: m, texture: req.texture };
  }
  if (m instanceof Uint8Array) return { kind: 'bytes', bytes: m };
  if (m instanceof ArrayBuffer) return { kind: 'bytes', bytes: new Uint8Array(m) };
  if (m instanceof URL) return { kind: 'location', location: m };
  if (typeof m !== 'string') throw new ConfigError(`options.model must be a name, bytes or a URL, got ${typeof m}`);
  if (isPretrainedName(m)) {
    const scale = req.scale ?? DEFAULT_PRETRAINED_SCALE;
    try {
      pretrainedInfo(m, scale);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    return { kind: 'pretrained', name: m, scale: scale as PretrainedScale };
  }
  if (isShippedName(m)) return { kind: 'shipped', name: m };
  // A location has a path separator, a scheme or an extension; anything else was meant as a name.
  if (/[/\\:.]/.test(m)) return { kind: 'location', location: m };
  throw new ConfigError(`unknown model "${m}" (names: ${MODEL_NAMES.join(', ')}; or a generator file's bytes or URL)`);
}

/** A model read and decoded on the host: its name and scale are known, and `load` puts it on the engine. */
export interface ResolvedModel {
  readonly name: string;
  readonly scale: number;
  /** A generator's config (undefined for UpscalerJS models). */
  readonly config?: SrganConfig;
  /** A new InferenceModel on the current engine (initEngine first); the caller disposes it. */
  load(): InferenceModel;
}

const generatorResolved = (file: GeneratorFile, name: string): ResolvedModel => ({
  name,
  scale: file.config.generator.scale,
  config: file.config,
  load: () => generatorInference(buildGenerator(file, name).generator, name),
});

/**
 * Read and decode the chosen model once, on the host (a corrupt or missing file fails here, before
 * any engine work, with a ModelFileError naming it).
 */
export async function resolveModel(
  choice: ModelChoice,
  req: Pick<ModelRequest, 'modelUrl' | 'name'> = {},
  reader: ModelReader = defaultReader,
): Promise<ResolvedModel> {
  switch (choice.kind) {
    case 'pretrained': {
      const { name, scale } = choice,
        info = pretrainedInfo(name, scale);
      const files = await reader.readPretrained(name, scale, req.modelUrl);
      const label = req.name ?? `${name} ×${scale} (UpscalerJS, ${info.license})`;
      return { name: label, scale, load: () => pretrainedInference(pretrainedFromFiles(name, scale, files), label) };
    }
    case 'shipped': {
      const { name, texture } = choice;
      if (texture !== undefined)
        return generatorResolved(await srganAtTexture((n) => reader.readShipped(n), texture), req.name ?? srganAtTextureName(texture));
      const label = req.name ?? `${name} (${shippedModel(name)!.path})`;
      return generatorResolved(readGeneratorFileFor(await reader.readShipped(name), `${label}: `), label);
    }
    case 'bytes': {
      const label = req.name ?? 'model bytes';
      return generatorResolved(readGeneratorFileFor(choice.bytes, `${label}: `), label);
    }
    case 'location': {
      const url = typeof choice.location === 'string' ? reader.resolve(choice.location) : choice.location;
      const label = req.name ?? url.href;
      return generatorResolved(readGeneratorFileFor(await reader.readBytes(url), `${label}: `), label);
    }
  }
}

/** A generator file's bytes (as `srgan train` and the app write them) as an inference model on the engine. */
export function generatorInferenceFromBytes(bytes: Uint8Array, source: string): InferenceModel & { config: SrganConfig } {
  const file = readGeneratorFileFor(bytes, `${source}: `);
  return { ...generatorResolved(file, source).load(), config: file.config };
}
