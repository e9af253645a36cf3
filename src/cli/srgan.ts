/**
 * `srgan <command>`: train, upscale, eval and bench on the engine in Node.
 *   srgan upscale -i photo.jpg -o photo_x4.png
 *   srgan upscale -i photos/ -o photos_x4/ --ext webp
 *   srgan train --data data/faces --out runs/faces --steps 200
 *   srgan eval --images data/photos/heldout --json
 * Each command has --help. Errors are one clear line (stack traces with SRGAN_DEBUG=1); exit code 2
 * for a usage or config error (a bad option, name or value: fix the command line), 1 for a failure.
 */
import { readFileSync } from 'node:fs';
import { helpText, UsageError } from './command.js';
import { ConfigError } from '../srgan/errors.js';
import { COMMANDS, findCommand, overviewText } from './commands.js';
import { ENGINE_OPTIONS_HELP, takeEngineOptions } from './engine-options.js';

let commandStarted = false;

/** The engine is loaded only by commands that run on it, so `srgan --help` stays fast. */
async function shutdownEngine(): Promise<void> {
  if (!commandStarted) return;
  const E = await import('../engine/node.js');
  E.destroyEngine();
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    (name ? console.log : console.error)(overviewText());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    // package.json sits two levels up from src/cli/ and from the package's dist/cli/.
    console.log(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    return 0;
  }
  const entry = findCommand(name);
  if (!entry) {
    console.error(`srgan: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see srgan --help)`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${helpText(cmd, entry.summary)}\n\n${ENGINE_OPTIONS_HELP}`);
    return 0;
  }
  const own = takeEngineOptions(name, rest);
  commandStarted = true;
  return cmd.run(own);
}

// Dawn keeps the process alive while a device exists: always tear down and exit explicitly.
main(process.argv.slice(2)).then(
  async (code) => {
    await shutdownEngine();
    process.exit(code);
  },
  async (e: unknown) => {
    const err = e as Error;
    console.error(err instanceof UsageError ? err.message : `srgan: ${process.env.SRGAN_DEBUG ? err.stack : (err.message ?? err)}`);
    await shutdownEngine().catch(() => {});
    process.exit(err instanceof ConfigError ? 2 : 1); // UsageError is one
  },
);
