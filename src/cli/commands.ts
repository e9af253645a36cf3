/**
 * Every `srgan` command: its name and one-line summary here, its options and body in its own
 * module, loaded only when the command runs (`srgan --help` loads none of them: no sharp, no engine).
 */
import type { Command } from './command.js';
import { ENGINE_OPTIONS_HELP } from './engine-options.js';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'upscale',
    summary: 'upscale a photo or a folder of photos (shipped model, a checkpoint, or a pretrained ESRGAN)',
    load: async () => (await import('./srgan-upscale.js')).upscaleCommand,
  },
  { name: 'train', summary: 'train SRGAN into a resumable run folder', load: async () => (await import('./srgan-train.js')).trainCommand },
  {
    name: 'eval',
    summary: 'PSNR/SSIM of a model vs bicubic on a folder of HR images',
    load: async () => (await import('./srgan-eval.js')).evalCommand,
  },
  {
    name: 'interpolate',
    summary: "blend two generators' weights (ESRGAN's network interpolation): fidelity ↔ texture",
    load: async () => (await import('./srgan-interpolate.js')).interpolateCommand,
  },
  {
    name: 'bench',
    summary: 'benchmark the engine against TF.js WebGPU (from a clone of the repository)',
    load: async () => (await import('./srgan-bench.js')).benchCommand,
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** `srgan --help`. */
export function overviewText(): string {
  return [
    'usage: srgan <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    ENGINE_OPTIONS_HELP,
    '',
    'run `srgan <command> --help` for its options; `srgan --version` prints the version',
  ].join('\n');
}
