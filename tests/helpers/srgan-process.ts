/**
 * The `srgan` CLI as a separate process, as scripts call it: its exit code and both output
 * streams. `onStderr` sees the error stream as it grows and may signal the process (Ctrl-C tests).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'bin', 'srgan.mjs');

export interface SrganResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function srgan(args: string[], opts: { onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<SrganResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
