/**
 * `srgan <command>`: train, upscale, eval and bench on the engine in Node.
 *   npx srgan train --preset tiny --data data/faces --out runs/faces --steps 200
 *   npx srgan upscale --input photo.jpg --output photo_x4.png
 *   npx srgan eval --images data/photos/heldout --json
 * Each command has --help. Errors are one clear line (stack traces with SRGAN_DEBUG=1).
 */
import * as E from '../engine/node.js';
import { UsageError, type Command } from './command.js';
import { trainCommand } from './srgan-train.js';
import { upscaleCommand } from './srgan-upscale.js';
import { evalCommand } from './srgan-eval.js';
import { benchCommand } from './srgan-bench.js';

const commands: Command[] = [trainCommand, upscaleCommand, evalCommand, benchCommand];

function usage(): string {
  return ['usage: srgan <command> [options]', '', 'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`), '', 'run `srgan <command> --help` for its options'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`srgan: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help);
    return 0;
  }
  return cmd.run(rest);
}

// Dawn keeps the process alive while a device exists: always tear down and exit explicitly.
main(process.argv.slice(2)).then(
  (code) => { E.destroyEngine(); process.exit(code); },
  (e: unknown) => {
    const err = e as Error;
    console.error(err instanceof UsageError ? err.message : `srgan: ${process.env.SRGAN_DEBUG ? err.stack : err.message ?? err}`);
    E.destroyEngine();
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
