/**
 * Options every command that runs the engine takes, before or after its own: which backend and
 * how many CPU threads. They are taken out of argv here and handed to the engine through the
 * environment variables it reads (SRGAN_BACKEND, SRGAN_THREADS), so each command's table stays its own.
 */
import { UsageError } from './command.js';

const BACKENDS = ['auto', 'webgpu', 'cpu'];

export const ENGINE_OPTIONS_HELP = [
  'engine options (every command):',
  '  --backend auto|webgpu|cpu  auto (default): a hardware GPU through WebGPU when there is one, else the CPU',
  '                             backend (WebAssembly SIMD on worker threads), which beats a software adapter',
  '  --threads N                CPU backend threads (default: every core)',
].join('\n');

/** Remove --backend / --threads (and their values) from argv and apply them; throws UsageError on a bad value. */
export function takeEngineOptions(command: string, argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag !== '--backend' && flag !== '--threads') {
      rest.push(argv[i]);
      continue;
    }
    const value = inline ?? argv[++i];
    if (flag === '--backend') {
      if (!BACKENDS.includes(value))
        throw new UsageError(`srgan ${command}: --backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(value ?? '')}`);
      process.env.SRGAN_BACKEND = value;
    } else {
      if (!/^[1-9]\d*$/.test(value ?? ''))
        throw new UsageError(`srgan ${command}: --threads must be a positive integer, got ${JSON.stringify(value ?? '')}`);
      process.env.SRGAN_THREADS = value;
    }
  }
  return rest;
}
