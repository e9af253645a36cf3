/**
 * One call to upscale, in the spirit of UpscalerJS's `upscaler.upscale(img, { progress, signal })`
 * and TF.js's `tf.tidy` (the caller never sees a tensor, and nothing is left on the GPU):
 *
 *   const upscaler = createUpscaler();                  // or { model: 'srgan', texture: 0.5 }, { model: 'esrgan-slim', device }
 *   const big = await upscaler.upscale(imageData, { onProgress, signal });
 *   upscaler.dispose();
 *
 * Platform-neutral. The model is named, read and decoded by the one model resolver
 * (model-resolver.ts): a page fetches files (`fetch` understands the asset URLs bundlers make),
 * Node reads them from disk (the package's Node entry makes that the default reader), and the app
 * passes a reader of its bundled assets.
 */
import * as E from '../../engine/index.js';
import { upscaleImage } from './upscale.js';
import { ConfigError, SrganError } from '../errors.js';
import type { InferenceModel } from './inference.js';
import { chooseModel, defaultModelReader, resolveModel, type ModelReader, type ModelSource, type ResolvedModel } from './model-resolver.js';
import { hostImageFromRgba, readInput, rgbaFromHostImage, type ImageDataLike, type UpscalerInput } from './upscaler-image.js';

export type { ImageDataLike, UpscalerInput } from './upscaler-image.js';

/** An upscaler used after dispose(). (Bad options throw ConfigError; model files ModelFileError.) */
export class UpscalerError extends SrganError {
  override name = 'UpscalerError';
}

export interface UpscalerOptions {
  /**
   * 'default' (the shipped PSNR model), 'srgan' (the shipped GAN model), an UpscalerJS name
   * ('esrgan-slim', 'esrgan-medium', 'esrgan-thick'), a generator file's bytes, or its URL
   * (in Node also a file path). Default 'default'.
   */
  model?: ModelSource;
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
  /** What to call the model in info() and messages (default: from the source, e.g. 'default (models/default/generator.safetensors)'). */
  name?: string;
  /** Where model files are read from (default: fetch in a page, the disk in Node). */
  reader?: ModelReader;
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

/** The chosen model read and decoded (host only), its scale checked against options.scale. */
async function resolveFor(opts: UpscalerOptions, choice: ReturnType<typeof chooseModel>): Promise<ResolvedModel> {
  const resolved = await resolveModel(choice, opts, opts.reader ?? defaultModelReader());
  if (opts.scale !== undefined && opts.scale !== resolved.scale)
    throw new ConfigError(`${resolved.name} upscales ×${resolved.scale}; options.scale ${opts.scale} does not match`);
  return resolved;
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
    if (engine.kind !== 'webgpu' || engine.device !== device)
      throw new ConfigError('options.device: the engine already runs on another GPUDevice of this page');
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
  /** Read and decoded once; loaded again (no re-read) onto a new engine after a device loss. */
  let resolving: Promise<ResolvedModel> | undefined;
  let loading: Promise<{ model: InferenceModel; engine: E.Engine; owned: boolean }> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;

  const start = () =>
    (loading ??= (async () => {
      // The file first: a missing or corrupt model fails before any engine starts.
      const resolved = await (resolving ??= resolveFor(options, choice).catch((e) => {
        resolving = undefined; // a failed read (missing file, network) can be retried
        throw e;
      }));
      const { engine, owned } = await startEngine(options.device, options.backend);
      try {
        return { model: resolved.load(), engine, owned };
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
          scale: model.scale,
          tile: options.tile,
          overlap: options.overlap,
          selfEnsemble: options.selfEnsemble,
          onProgress,
          signal,
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
