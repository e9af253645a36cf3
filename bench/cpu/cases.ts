/**
 * The model cases of `npm run bench:cpu` (issue 25's targets), written as files that every runtime
 * reads: weights as safetensors under the engine's state-dict names, inputs as raw float32 NCHW.
 *   infer_default_128   the shipped `default` generator, 1×3×128×128 → 512×512
 *   infer_paper_128     the `paper` SRResNet (16 blocks × 64), seeded weights, 1×3×128×128
 *   train_paper_bs16    one SRResNet MSE step: batch 16, LR 24×24 → HR 96×96, Adam (bench/cases/srresnet.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors } from '../../src/engine/index.js';
import { makeConfig } from '../../src/srgan/config.js';
import { readGeneratorFileFor, DEFAULT_GENERATOR_PATH } from '../../src/srgan/store/checkpoint.js';
import { paperSpec, seededWeights, specConfig, srresnetInputs } from '../cases/srresnet.js';
import { randomData } from '../cases/types.js';
import type { CaseSpec } from './protocol.js';

export const MODEL_CASES = ['infer_default_128', 'infer_paper_128', 'train_paper_bs16'] as const;

/** The `paper` generator as a checkpoint file, its config in the metadata as srgan writes one. */
function paperWeights(dir: string): { file: string; config: Record<string, unknown> } {
  const config = makeConfig('paper', { generator: specConfig(paperSpec) });
  const tensors = [...seededWeights(config.generator)].map(([name, t]) => ({ name, shape: [...t.shape], data: t.data }));
  const file = join(dir, 'paper.safetensors');
  writeFileSync(file, encodeSafetensors(tensors, { srgan_config: JSON.stringify(config) }));
  return { file, config: config.generator as unknown as Record<string, unknown> };
}

function writeArray(dir: string, name: string, data: Float32Array, shape: number[]) {
  const file = join(dir, `${name}.f32`);
  writeFileSync(file, data);
  return { file, shape };
}

/** Specs for the selected cases; every file goes into `dir`. */
export function modelCases(dir: string, keys: readonly string[]): CaseSpec[] {
  const out: CaseSpec[] = [];
  // Inference input: pixels in [0, 1], as an LR photo tile.
  const lr128 = writeArray(
    dir,
    'lr128',
    randomData(3 * 128 * 128, 41).map((v) => (v + 1) / 2),
    [1, 3, 128, 128],
  );
  const needPaper = keys.some((k) => k.includes('paper'));
  const paper = needPaper ? paperWeights(dir) : undefined;
  for (const key of keys) {
    const outFile = join(dir, `${key}.out.f32`);
    if (key === 'infer_default_128') {
      const { config } = readGeneratorFileFor(readFileSync(DEFAULT_GENERATOR_PATH), `${DEFAULT_GENERATOR_PATH}: `);
      out.push({
        key,
        kind: 'infer',
        config: config.generator as unknown as Record<string, unknown>,
        weights: DEFAULT_GENERATOR_PATH,
        inputs: { lr: lr128 },
        outFile,
      });
    } else if (key === 'infer_paper_128') {
      out.push({ key, kind: 'infer', config: paper!.config, weights: paper!.file, inputs: { lr: lr128 }, outFile });
    } else if (key === 'train_paper_bs16') {
      const s = { ...paperSpec, batch: 16 };
      const { lr, hr } = srresnetInputs(s, s.batch);
      const inputs = {
        lr: writeArray(dir, 'train_lr', lr, [s.batch, 3, s.size, s.size]),
        hr: writeArray(dir, 'train_hr', hr, [s.batch, 3, 4 * s.size, 4 * s.size]),
      };
      out.push({ key, kind: 'train', config: paper!.config, weights: paper!.file, inputs, outFile, learningRate: 1e-4 });
    } else throw new Error(`unknown case ${key} (known: ${MODEL_CASES.join(', ')}, upscale_6mp)`);
  }
  return out;
}
