/**
 * One call to upscale, in the spirit of UpscalerJS's `upscaler.upscale(img, { progress, signal })`
 * and TF.js's `tf.tidy` (the caller never sees a tensor, and nothing is left on the GPU):
 *
 *   const upscaler = createUpscaler();                  // or { model: 'srgan', texture: 0.5 }, { model: 'esrgan-slim', device }
 *   const big = await upscaler.upscale(imageData, { onProgress, signal });
 *   upscaler.dispose();
 *
 * Platform-neutral. Where model files come from differs: a page fetches them (`fetch` understands
 * the asset URLs bundlers make); Node reads them from disk, which `upscaler-node.ts` registers with
 * `setModelReader` (the package's Node entry imports it).
 */
import * as E from '../engine/index.js';
import { upscaleImage } from './upscale.js';
import { srganAtTexture, srganAtTextureName } from './checkpoint.js';
import { generatorInferenceFromBytes, pretrainedInference, type InferenceModel } from './inference.js';
import { isShippedName, shippedModel, SHIPPED_NAMES, type ShippedName } from './shipped-models.js';
import {
  DEFAULT_PRETRAINED_SCALE, isPretrainedName, pretrainedInfo, PRETRAINED_NAMES, type PretrainedName, type PretrainedScale,
} from './pretrained/catalogue.js';
import { loadPretrainedFromUrl } from './pretrained/browser.js';
import type { PretrainedModel } from './pretrained/pretrained-model.js';
import { hostImageFromRgba, readInput, rgbaFromHostImage, type ImageDataLike, type UpscalerInput } from './upscaler-image.js';

export type { ImageDataLike, UpscalerInput } from './upscaler-image.js';

/** Bad options, a missing model file, or an upscaler used after dispose(). */
export class UpscalerError extends Error {
  override name = 'UpscalerError';
}

export interface UpscalerOptions {
  /**
   * 'default' (the shipped PSNR model), 'srgan' (the shipped GAN model), an UpscalerJS name
   * ('esrgan-slim', 'esrgan-medium', 'esrgan-thick'), a generator file's bytes, or its URL
   * (in Node also a file path). Default 'default'.
   */
  model?: ShippedName | PretrainedName | Uint8Array | ArrayBuffer | URL | string;
  /**
   * With model 'srgan': how much of its GAN texture, from 0 (the 'default' model: faithful) to 1
   * (srgan itself, the default). The two shipped networks' weights are blended (network interpolation).
   */
  texture?: number;
  /** For UpscalerJS models: 2, 3, 4 or 8 (default 4). A generator file has its own scale; a different one is an error. */
  scale?: number;
  /** In a page, where an UpscalerJS model's model.json is served (its shards beside it). Node finds it in node_modules. */
  modelUrl?: string | URL;
  /** Run on the page's own GPUDevice. Without one, the engine acquires a device (Dawn in Node). */
  device?: GPUDevice;
  /**
   * Which engine backend runs it when the engine is not started yet: 'auto' (the default: a hardware
   * GPU through WebGPU, else the CPU backend), 'webgpu' or 'cpu'. An engine already running keeps its own.
   */
  backend?: E.BackendName | 'auto';
  /** Tiling and quality knobs of upscaleImage (see upscale.ts). */
  tile?: number;
  overlap?: number;
  selfEnsemble?: boolean;
}

export interface UpscaleCallOptions {
  /** Called after each tile with the tiles done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops before the next tile; the promise rejects with the signal's reason, and the call leaves nothing on the GPU. */
  signal?: AbortSignal;
}

export interface Upscaler {
  /** The image ×scale, as ImageData (RGBA bytes). Calls on one upscaler run one after another. */
  upscale(image: UpscalerInput, options?: UpscaleCallOptions): Promise<ImageDataLike & { data: Uint8ClampedArray }>;
  /** The loaded model's name and scale (loads it if needed): useful to fail early or size a canvas. */
  info(): Promise<{ name: string; scale: number }>;
  /** Free the model's weights (after any running call), and the engine too if an upscaler started it. */
  dispose(): Promise<void>;
}

/** How model files are read: `fetch` by default; Node's reader (upscaler-node.ts) reads files from disk. */
export interface ModelReader {
  /** A generator file given as a URL (file:, http(s):, blob:, data:, or a bundler's asset URL). */
  readBytes(url: URL): Promise<Uint8Array>;
  /** A model location given as a string that is not a catalogue name, as a URL. */
  resolve(location: string): URL;
  /** An UpscalerJS model's files, onto the engine. */
  loadPretrained(name: PretrainedName, scale: PretrainedScale, modelUrl?: string | URL): Promise<PretrainedModel>;
}

const fetchReader: ModelReader = {
  async readBytes(url) {
    const res = await fetch(url);
    if (!res.ok) throw new UpscalerError(`model ${url.href}: HTTP ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  },
  resolve: (location) => new URL(location, globalThis.location?.href),
  async loadPretrained(name, scale, modelUrl) {
    if (!modelUrl) {
      throw new UpscalerError(`${name}: in a page, give options.modelUrl, the URL where the package's ` +
        `models/x${scale}/model.json is served (npm ${pretrainedInfo(name).package}; its shards beside it)`);
    }
    return loadPretrainedFromUrl(name, scale, modelUrl);
  },
};

let reader: ModelReader = fetchReader;

/** Replace how model files are read (Node's entry does this once). */
export function setModelReader(r: ModelReader): void {
  reader = r;
}

type ModelChoice =
  | { kind: 'shipped'; name: ShippedName; texture?: number } // texture: srgan only
  | { kind: 'pretrained'; name: PretrainedName; scale: PretrainedScale }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'url'; url: URL };

/** Check the options before anything starts: a bad name fails at createUpscaler, not at the first upscale. */
function chooseModel(opts: UpscalerOptions): ModelChoice {
  const m = opts.model ?? 'default';
  if (opts.texture !== undefined) {
    if (m !== 'srgan') throw new UpscalerError('options.texture blends srgan with default; use it with model: \'srgan\'');
    if (!(opts.texture >= 0 && opts.texture <= 1)) throw new UpscalerError(`options.texture must be between 0 and 1, got ${opts.texture}`);
    return { kind: 'shipped', name: m, texture: opts.texture };
  }
  if (m instanceof Uint8Array) return { kind: 'bytes', bytes: m };
  if (m instanceof ArrayBuffer) return { kind: 'bytes', bytes: new Uint8Array(m) };
  if (m instanceof URL) return { kind: 'url', url: m };
  if (typeof m !== 'string') throw new UpscalerError(`options.model must be a name, bytes or a URL, got ${typeof m}`);
  if (isPretrainedName(m)) {
    const scale = opts.scale ?? DEFAULT_PRETRAINED_SCALE;
    try {
      pretrainedInfo(m, scale);
    } catch (e) {
      throw new UpscalerError((e as Error).message);
    }
    return { kind: 'pretrained', name: m, scale: scale as PretrainedScale };
  }
  if (isShippedName(m)) return { kind: 'shipped', name: m };
  // A location has a path separator, a scheme or an extension; anything else was meant as a name.
  if (/[/\\:.]/.test(m)) return { kind: 'url', url: reader.resolve(m) };
  throw new UpscalerError(`unknown model "${m}" (names: ${[...SHIPPED_NAMES, ...PRETRAINED_NAMES].join(', ')}; ` +
    'or a generator file\'s bytes or URL)');
}

async function readShipped(name: ShippedName): Promise<Uint8Array> {
  const shipped = shippedModel(name)!; // chooseModel checked the name
  try {
    return await reader.readBytes(shipped.url());
  } catch (e) {
    throw new UpscalerError(`the "${name}" model is not in this package (${shipped.path}): ${(e as Error).message}`);
  }
}

async function loadModel(choice: ModelChoice, opts: UpscalerOptions): Promise<InferenceModel> {
  if (choice.kind === 'pretrained') return pretrainedInference(await reader.loadPretrained(choice.name, choice.scale, opts.modelUrl));
  let bytes: Uint8Array, source: string;
  if (choice.kind === 'bytes') [bytes, source] = [choice.bytes, 'model bytes'];
  else if (choice.kind === 'url') bytes = await reader.readBytes(choice.url), source = choice.url.href;
  else if (choice.texture === undefined) [bytes, source] = [await readShipped(choice.name), `${choice.name} (${shippedModel(choice.name)!.path})`];
  else {
    [bytes, source] = [await srganAtTexture(readShipped, choice.texture), srganAtTextureName(choice.texture)];
  }
  const model = generatorInferenceFromBytes(bytes, source);
  if (opts.scale !== undefined && opts.scale !== model.scale) {
    model.dispose();
    throw new UpscalerError(`${source} upscales ×${model.scale}; options.scale ${opts.scale} does not match`);
  }
  return model;
}

/**
 * An engine that upscalers started themselves (none existed, no device was given) is theirs to
 * close when the last of them is disposed: in Node a live device keeps the process from exiting.
 */
let started: { engine: E.Engine; users: number } | undefined;

function currentEngine(): E.Engine | undefined {
  try {
    return E.engine();
  } catch {
    return undefined;
  }
}

async function startEngine(device: GPUDevice | undefined, backend?: E.BackendName | 'auto'): Promise<{ engine: E.Engine; owned: boolean }> {
  if (device) {
    const engine = await E.initEngine({ device });
    if (engine.kind !== 'webgpu' || engine.device !== device) throw new UpscalerError('options.device: the engine already runs on another GPUDevice of this page');
    return { engine, owned: false };
  }
  const existed = currentEngine();
  const engine = await E.initEngine({ backend });
  if (!existed && started?.engine !== engine) started = { engine, users: 0 };
  if (started?.engine !== engine) return { engine, owned: false };
  started.users++;
  return { engine, owned: true };
}

function stopEngine(engine: E.Engine): void {
  if (!started || started.engine !== engine || --started.users > 0) return;
  started = undefined;
  if (currentEngine() === engine) E.destroyEngine();
}

export function createUpscaler(options: UpscalerOptions = {}): Upscaler {
  const choice = chooseModel(options);
  let loading: Promise<{ model: InferenceModel; engine: E.Engine; owned: boolean }> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;

  const start = () => (loading ??= (async () => {
    const { engine, owned } = await startEngine(options.device, options.backend);
    try {
      return { model: await loadModel(choice, options), engine, owned };
    } catch (e) {
      if (owned) stopEngine(engine);
      throw e;
    }
  })().catch((e) => {
    loading = undefined; // a failed load (missing file, network) can be retried
    throw e;
  }));
  /** The loaded model; after a device loss (or destroyEngine) its weights are gone, so it loads again on a new engine. */
  const load = async () => {
    const got = await start();
    if (!got.engine.lostError) return got;
    loading = undefined;
    got.model.dispose(); // bookkeeping only: the buffers went with the device
    if (got.owned) stopEngine(got.engine);
    return start();
  };

  /** Calls run one at a time: each owns the engine's queue while it runs, and memory stays one call deep. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    async upscale(image, { onProgress, signal } = {}) {
      if (disposed) throw new UpscalerError('upscale: this upscaler was disposed');
      signal?.throwIfAborted();
      const host = hostImageFromRgba(await readInput(image));
      return serial(async () => {
        signal?.throwIfAborted();
        const { model } = await load();
        signal?.throwIfAborted();
        const out = await upscaleImage((x) => model.run(x), host, {
          scale: model.scale, tile: options.tile, overlap: options.overlap, selfEnsemble: options.selfEnsemble, onProgress, signal,
        });
        return rgbaFromHostImage(out);
      });
    },
    async info() {
      if (disposed) throw new UpscalerError('info: this upscaler was disposed');
      const { model } = await load();
      return { name: model.name, scale: model.scale };
    },
    dispose() {
      if (disposed) return queue.then(() => undefined);
      disposed = true;
      return serial(async () => {
        const got = await loading?.catch(() => undefined);
        if (!got) return;
        got.model.dispose();
        // Tile activations stay pooled for the next call; without a next call they are dead weight.
        if (!got.engine.lostError) got.engine.pool.trim();
        if (got.owned) stopEngine(got.engine);
      });
    },
  };
}
