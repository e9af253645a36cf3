/**
 * `srgan interpolate`: ESRGAN's network interpolation between two generators of one network, e.g.
 * the PSNR-oriented `default` and a GAN-trained generator, to pick a point between fidelity and
 * texture (checkpoint.ts: interpolateGenerators). Host-only: no GPU, no engine.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../engine/node.js';
import { interpolateGenerators } from '../srgan/store/checkpoint.js';
import { isShippedName } from '../srgan/shipped-models.js';
import { shippedModelPath } from './model-choice.js';
import { numberOption, parseOptions, required, UsageError, type Command, type OptionTable } from './command.js';

const OPTIONS = {
  from: { type: 'string', arg: 'NAME|FILE', help: 'the generator at alpha 0: a shipped model (default, srgan) or a .safetensors file' },
  to: { type: 'string', arg: 'NAME|FILE', help: 'the generator at alpha 1 (same network as --from)' },
  alpha: { type: 'string', arg: 'X', help: 'the blend, 0…1: every weight becomes (1 − X)·from + X·to' },
  output: { type: 'string', short: 'o', arg: 'FILE', help: 'the generator file to write (.safetensors)' },
} as const satisfies OptionTable;

const NOTES = `Network interpolation (ESRGAN, Wang et al. 2018) blends the weights, not the images, so the
result is one generator that runs as fast as either end. Use it with --checkpoint in upscale and eval.

example:
  srgan interpolate --from default --to srgan --alpha 0.5 -o half.safetensors
  srgan eval --checkpoint half.safetensors --images data/faces/heldout`;

function generatorPath(option: string, value: string): string {
  if (isShippedName(value)) return shippedModelPath('interpolate', value);
  if (!existsSync(value)) throw new UsageError(`srgan interpolate: --${option}: file not found: ${value}`);
  return value;
}

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('interpolate', argv, OPTIONS);
  const from = required('interpolate', 'from', v.from),
    to = required('interpolate', 'to', v.to);
  const output = required('interpolate', 'output', v.output);
  const alpha = numberOption('interpolate', 'alpha', required('interpolate', 'alpha', v.alpha))!;
  if (!(alpha >= 0 && alpha <= 1)) throw new UsageError(`srgan interpolate: --alpha must be between 0 and 1, got ${alpha}`);
  const [a, b] = [generatorPath('from', from), generatorPath('to', to)];
  const bytes = interpolateGenerators(await readFile(a), await readFile(b), alpha, { a: from, b: to });
  await mkdir(dirname(resolve(output)), { recursive: true });
  await writeFileAtomic(output, bytes); // whole or not at all
  console.log(`${output}: (1 − ${alpha})·${from} + ${alpha}·${to} (${(bytes.length / 1024).toFixed(0)} KB)`);
  return 0;
}

export const interpolateCommand: Command = {
  name: 'interpolate',
  usage: '--from NAME|FILE --to NAME|FILE --alpha X -o FILE',
  options: OPTIONS,
  notes: NOTES,
  run,
};
