/**
 * A generator checkpoint is one safetensors file: the state dict with PyTorch-style names, and the
 * experiment config in its metadata (`srgan_config`), so the file alone rebuilds the network.
 * The same bytes are written by the CLI's run folders, the browser app and scripts/torch.
 */
import * as E from '../../engine/index.js';
import { makeConfig, type SrganConfig } from '../config.js';
import { Generator } from '../models/generator.js';
import { ModelFileError } from '../errors.js';

/** A generator file that cannot be used (corrupt, not a generator, another network); nothing is loaded. */
export class CheckpointError extends ModelFileError {
  override name = 'CheckpointError';
}

/**
 * Where the shipped default generator lives, relative to the repository root: shipped-models.ts's
 * 'default' entry (a test checks), kept a literal so that reading checkpoints does not pull the
 * shipped models' asset URLs into every bundle (the training worker's, for one).
 */
export const DEFAULT_GENERATOR_PATH = 'models/default/generator.safetensors';

export interface LoadedGenerator {
  generator: Generator;
  config: SrganConfig;
  metadata: Record<string, string>;
}

/** A generator file decoded on the host, with its config; nothing is on the GPU yet. */
export interface GeneratorFile {
  decoded: E.DecodedSafetensors;
  config: SrganConfig;
}

/**
 * A generator file decoded on the host, with its config (defaults filled in for fields added since
 * it was written); nothing is on the GPU yet. Errors say what is wrong, without the file's name.
 */
function readGeneratorFile(bytes: Uint8Array): GeneratorFile {
  let decoded: E.DecodedSafetensors;
  try {
    decoded = E.decodeSafetensors(bytes);
  } catch (e) {
    throw new CheckpointError(`not a valid safetensors file: ${(e as Error).message}`);
  }
  const raw = decoded.metadata.srgan_config;
  if (!raw) throw new CheckpointError('no "srgan_config" in the safetensors metadata, so the network cannot be rebuilt');
  try {
    const parsed = JSON.parse(raw) as SrganConfig;
    return { decoded, config: makeConfig(parsed.preset, parsed) };
  } catch (e) {
    throw new CheckpointError(`bad srgan_config metadata: ${(e as Error).message}`);
  }
}

/** readGeneratorFile, its errors prefixed with `prefix` (the file's name and what it was read for): the whole file checked on the host, before any GPU work. */
export function readGeneratorFileFor(bytes: Uint8Array, prefix: string): GeneratorFile {
  try {
    return readGeneratorFile(bytes);
  } catch (e) {
    throw new CheckpointError(`${prefix}${(e as Error).message}`);
  }
}

/** Decode, check and load a generator file (rejected whole, before any GPU allocation, when bad). */
export function generatorFromSafetensors(bytes: Uint8Array, source = 'checkpoint'): LoadedGenerator {
  return buildGenerator(readGeneratorFileFor(bytes, `${source}: `), source);
}

/** A decoded generator file onto the engine, in eval mode (a file decoded once can be built again, e.g. after a device loss). */
export function buildGenerator({ decoded, config }: GeneratorFile, source = 'checkpoint'): LoadedGenerator {
  const generator = new Generator(config.generator);
  try {
    generator.loadStateDict(decoded.tensors);
  } catch (e) {
    generator.dispose();
    throw new CheckpointError(`${source}: ${(e as Error).message}`);
  }
  generator.eval();
  return { generator, config, metadata: decoded.metadata };
}

/** Generator state dict + config metadata as safetensors bytes. */
export function generatorToSafetensors(generator: Generator, config: SrganConfig, extra: Record<string, string> = {}): Promise<Uint8Array> {
  return E.saveCheckpoint(generator, { ...extra, srgan_config: JSON.stringify(config) });
}

/**
 * Start `target` from a generator file with as many or fewer blocks (`srgan train --init-from`):
 * the file's tensors go in by name, and each block it lacks starts as an identity map, so `target`
 * computes exactly what the file's generator did and training goes on from there with more depth
 * (Net2DeeperNet, Chen et al. 2016). For `residual-bicubic` a new block is a centred delta conv
 * with zero bias and a PReLU of slope 1 (ReLU passes the previous block's non-negative output);
 * for `srresnet` the block keeps its random first conv and zeroes its last batch-norm scale and
 * shift (its last conv without batch-norm), so the block adds nothing until it learns to.
 * Everything else about the two networks must match; a mismatch is rejected before any change.
 */
export function initGeneratorFrom(target: Generator, bytes: Uint8Array, source = 'checkpoint'): SrganConfig {
  const { decoded, config } = readGeneratorFileFor(bytes, `${source}: not a generator checkpoint: `);
  const have = config.generator,
    want = target.cfg;
  if (JSON.stringify({ ...have, blocks: 0 }) !== JSON.stringify({ ...want, blocks: 0 }) || have.blocks > want.blocks)
    throw new CheckpointError(
      `${source}: its generator (${describe(have)}) cannot start this one (${describe(want)}): ` + 'only the number of blocks may grow',
    );
  const values = new Map<string, E.nn.StateValue>(decoded.tensors.map((t) => [t.name, t]));
  const own = target.stateDict();
  const C = want.channels;
  const host = (shape: number[], fill: (i: number) => number) => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => fill(i)),
  });
  for (let b = have.blocks; b < want.blocks; b++) {
    const p = `body.${b}`;
    if (want.arch === 'residual-bicubic') {
      // Weight [C, C, 3, 3]: 1 at (o, o, 1, 1), so output channel o is input channel o.
      values.set(
        `${p}.0.weight`,
        host([C, C, 3, 3], (i) => (i === Math.floor(i / (C * 9)) * (C * 9 + 9) + 4 ? 1 : 0)),
      );
      values.set(
        `${p}.0.bias`,
        host([C], () => 0),
      );
      if (want.activation === 'prelu')
        values.set(
          `${p}.1.weight`,
          host([C], () => 1),
        );
    } else {
      for (const [name, t] of own) if (name.startsWith(`${p}.`)) values.set(name, t); // its own initial values
      const last = want.batchNorm ? 'bn2' : 'conv2';
      values.set(
        `${p}.${last}.weight`,
        host([...own.get(`${p}.${last}.weight`)!.shape], () => 0),
      );
      values.set(
        `${p}.${last}.bias`,
        host([C], () => 0),
      );
    }
  }
  try {
    target.loadStateDict(values);
  } catch (e) {
    throw new CheckpointError(`${source}: ${(e as Error).message}`);
  }
  return config;
}

const describe = (g: SrganConfig['generator']) => `${g.arch}, ${g.blocks} blocks × ${g.channels} channels, ${g.activation}`;

/**
 * Network interpolation (ESRGAN, Wang et al. 2018, §3.4): every weight of two generators of the
 * same network blended as (1 − alpha)·a + alpha·b. With `a` a PSNR-oriented model and `b` the
 * same network after GAN training, alpha trades fidelity for texture smoothly and without the
 * noise that blending their *images* would give. Host-only: the result is a generator file whose
 * config is `b`'s, with `interpolation` metadata naming both ends.
 */
export function interpolateGenerators(a: Uint8Array, b: Uint8Array, alpha: number, names: { a: string; b: string } = { a: 'a', b: 'b' }): Uint8Array {
  const { decoded } = blendGenerators(a, b, alpha, names);
  return E.encodeSafetensors(decoded.tensors, decoded.metadata);
}

/** interpolateGenerators without the encoding: the blended file as it would decode. */
export function blendGenerators(a: Uint8Array, b: Uint8Array, alpha: number, names: { a: string; b: string } = { a: 'a', b: 'b' }): GeneratorFile {
  if (!(alpha >= 0 && alpha <= 1)) throw new CheckpointError(`interpolateGenerators: alpha must be in [0, 1], got ${alpha}`);
  const A = readGeneratorFileFor(a, `${names.a}: `),
    B = readGeneratorFileFor(b, `${names.b}: `);
  if (JSON.stringify(A.config.generator) !== JSON.stringify(B.config.generator))
    throw new CheckpointError(
      `interpolateGenerators: ${names.a} (${describe(A.config.generator)}) and ${names.b} (${describe(B.config.generator)}) are different networks`,
    );
  const byName = new Map(A.decoded.tensors.map((t) => [t.name, t]));
  if (byName.size !== B.decoded.tensors.length) throw new CheckpointError(`interpolateGenerators: ${names.a} and ${names.b} hold different tensors`);
  const tensors = B.decoded.tensors.map((tb) => {
    const ta = byName.get(tb.name);
    if (!ta || ta.data.length !== tb.data.length)
      throw new CheckpointError(`interpolateGenerators: ${tb.name} differs between ${names.a} and ${names.b}`);
    return {
      name: tb.name,
      shape: tb.shape,
      dtype: 'F32' as const,
      data: Float32Array.from(tb.data, (v, i) => (1 - alpha) * ta.data[i] + alpha * v),
    };
  });
  return {
    decoded: { tensors, metadata: { ...B.decoded.metadata, interpolation: JSON.stringify({ from: names.a, to: names.b, alpha }) } },
    config: B.config,
  };
}

/** The name of the shipped srgan at a texture strength (CLI labels, createUpscaler's info, the app). */
export const srganAtTextureName = (texture: number): string => `srgan at texture ${texture}`;

/**
 * The texture dial of `srgan upscale -n srgan --texture T`, createUpscaler's `texture` and the app's
 * slider: the shipped generators blended as (1 − T)·default + T·srgan. `read` gets a shipped
 * generator's file where the caller lives (the disk, fetch, the app's bundled assets).
 */
export async function srganAtTexture(read: (name: 'default' | 'srgan') => Promise<Uint8Array>, texture: number): Promise<GeneratorFile> {
  const [a, b] = await Promise.all([read('default'), read('srgan')]);
  return blendGenerators(a, b, texture, { a: 'default', b: 'srgan' });
}
