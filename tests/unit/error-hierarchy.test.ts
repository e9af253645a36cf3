/**
 * Errors have a hierarchy a caller can act on: every engine fault is an `EngineError`, every SRGAN
 * fault an `SrganError` of one of three kinds (ConfigError: fix the call; DataError: other data;
 * ModelFileError: another model file), and the CLI exits 2 on a usage or config error, 1 otherwise.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '../../src/engine/index.js';
import * as S from '../../src/srgan/index.js';
import { UsageError } from '../../src/cli/command.js';
import { DegradeSpecError, parseDegradeSpec } from '../../src/srgan/data/degradations/index.js';
import { Vgg19Error } from '../../src/srgan/models/vgg19.js';
import { useEngine } from '../helpers/gpu.js';

useEngine();

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('error hierarchy', () => {
  it('engine: ShapeError, SafetensorsError, StateDictError and NoAdapterError are EngineErrors, thrown where they belong', () => {
    for (const C of [E.ShapeError, E.SafetensorsError, E.nn.StateDictError, E.NoAdapterError]) expect(C.prototype).toBeInstanceOf(E.EngineError);
    expect(thrown(() => E.mul(E.zeros([2, 3]), E.zeros([4])))).toBeInstanceOf(E.ShapeError);
    expect(thrown(() => E.decodeSafetensors(new Uint8Array(3)))).toBeInstanceOf(E.SafetensorsError);
    const misuse = thrown(() => E.tidy(() => Promise.resolve(1) as never)) as Error;
    expect(misuse).toBeInstanceOf(E.EngineError);
    expect(misuse.message).toMatch(/tidy: the function must be synchronous/);
  });

  it('srgan: each class under ConfigError, DataError or ModelFileError, all SrganErrors; messages unchanged', () => {
    const kinds: [unknown, unknown][] = [
      [S.ConfigError, S.SrganError],
      [S.DataError, S.SrganError],
      [S.ModelFileError, S.SrganError],
      [UsageError, S.ConfigError],
      [DegradeSpecError, S.ConfigError],
      [S.pretrained.UnknownPretrainedError, S.ConfigError],
      [S.ImageDecodeError, S.DataError],
      [S.ImageShapeError, S.DataError],
      [S.DatasetError, S.DataError],
      [S.CheckpointError, S.ModelFileError],
      [Vgg19Error, S.ModelFileError],
      [S.pretrained.LayersModelFormatError, S.ModelFileError],
      [S.pretrained.UnsupportedLayerError, S.ModelFileError],
      [S.UpscalerError, S.SrganError],
      [S.NonFiniteLossError, S.SrganError],
    ];
    for (const [C, Base] of kinds) expect((C as { prototype: object }).prototype).toBeInstanceOf(Base as never);
    const crop = thrown(() => S.makeConfig('tiny', { hrCrop: 30 })) as Error;
    expect(crop).toBeInstanceOf(S.ConfigError);
    expect(crop.message).toBe('config: hrCrop must be a positive multiple of 16 (the discriminator halves it four times), got 30');
    expect(thrown(() => parseDegradeSpec('nonsense'))).toBeInstanceOf(S.ConfigError);
    expect(thrown(() => S.generatorFromSafetensors(new Uint8Array(3), 'g.safetensors'))).toBeInstanceOf(S.ModelFileError);
    expect(thrown(() => S.chooseModel({ model: 'nope' }))).toBeInstanceOf(S.ConfigError);
  });

  it('srgan train exits 2 for --crop 30 as for --crop abc (a config error is a usage error), 1 for a failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'srgan-errors-'));
    try {
      const srgan = (...args: string[]) => spawnSync(process.execPath, ['bin/srgan.mjs', ...args], { encoding: 'utf8' });
      const bad = srgan('train', '--crop', '30', '--data', 'data/faces', '--out', join(dir, 'run'));
      expect([bad.status, bad.stderr]).toEqual([
        2,
        'srgan: config: hrCrop must be a positive multiple of 16 (the discriminator halves it four times), got 30\n',
      ]);
      expect(srgan('train', '--crop', 'abc', '--data', 'data/faces', '--out', join(dir, 'run')).status).toBe(2);
      const missing = srgan('upscale', '-i', join(dir, 'none.png'), '-o', join(dir, 'out.png'));
      expect(missing.status).toBe(2); // a path that does not exist is a usage error
      const notImage = srgan('upscale', '-i', 'package.json', '-o', join(dir, 'out.png'));
      expect(notImage.status).toBe(1); // an input that cannot be read is a failure (DataError)
      expect(notImage.stderr).toMatch(/^srgan: cannot read package\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
