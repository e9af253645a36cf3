/**
 * A generator checkpoint is one safetensors file: the state dict with PyTorch-style names, and the
 * experiment config in its metadata (`srgan_config`), so the file alone rebuilds the network.
 * The same bytes are written by the CLI's run folders, the browser app and scripts/torch.
 */
import * as E from '../engine/index.js';
import { makeConfig, validateConfig, type SrganConfig } from './config.js';
import { Generator } from './models/generator.js';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Where the shipped default generator lives, relative to the repository root. */
export const DEFAULT_GENERATOR_PATH = 'models/default/generator.safetensors';

export interface LoadedGenerator {
  generator: Generator;
  config: SrganConfig;
  metadata: Record<string, string>;
}

/** Decode, check and load a generator file (rejected whole, before any GPU allocation, when bad). */
export function generatorFromSafetensors(bytes: Uint8Array, source = 'checkpoint'): LoadedGenerator {
  let decoded: E.DecodedSafetensors;
  try {
    decoded = E.decodeSafetensors(bytes);
  } catch (e) {
    throw new CheckpointError(`${source}: not a valid safetensors file: ${(e as Error).message}`);
  }
  const raw = decoded.metadata.srgan_config;
  if (!raw) throw new CheckpointError(`${source}: no "srgan_config" in the safetensors metadata, so the network cannot be rebuilt`);
  let config: SrganConfig;
  try {
    const parsed = JSON.parse(raw) as SrganConfig;
    config = makeConfig(parsed.preset, parsed);
    validateConfig(config);
  } catch (e) {
    throw new CheckpointError(`${source}: bad srgan_config metadata: ${(e as Error).message}`);
  }
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
