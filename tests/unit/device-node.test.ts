/**
 * Node's device acquisition is quiet: a process that starts the engine on Dawn prints nothing on
 * stderr (Dawn's Vulkan loader used to print "XDG_RUNTIME_DIR is invalid or not set" twice), and
 * a valid XDG_RUNTIME_DIR of the user's is left as it is. Each case is a fresh child process,
 * because the variable is read once, when Dawn starts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../helpers/source-imports.js';

const ENGINE = pathToFileURL(join(REPO, 'src/engine/node.ts')).href;
// Start the engine through its Node entry and report what the process saw; the engine's own
// note (software adapter) goes to stdout here so that stderr holds only what the driver printed.
const CHILD = `
import * as E from ${JSON.stringify(ENGINE)};
const eng = await E.initEngine({ backend: 'webgpu', log: (m) => console.log('note: ' + m) });
console.log('adapter: ' + E.describeAdapter(eng.adapter));
console.log('XDG_RUNTIME_DIR=' + process.env.XDG_RUNTIME_DIR);
E.destroyEngine();
`;

function startEngine(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('Dawn in Node', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'srgan-device-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints nothing on stderr when XDG_RUNTIME_DIR is unset, and uses a private 0700 directory', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
    delete env.XDG_RUNTIME_DIR;
    const r = await startEngine(env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^adapter: .+ \((software|hardware)\)$/m);
    const dir = /^XDG_RUNTIME_DIR=(.*)$/m.exec(r.stdout)![1];
    expect(dir.startsWith(tmp)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('keeps a valid XDG_RUNTIME_DIR and replaces a relative one', async () => {
    const mine = mkdtempSync(join(tmp, 'xdg-'));
    const kept = await startEngine({ ...process.env, TMPDIR: tmp, XDG_RUNTIME_DIR: mine });
    expect(kept.stderr).toBe('');
    expect(kept.stdout).toContain(`XDG_RUNTIME_DIR=${mine}\n`);
    const replaced = await startEngine({ ...process.env, TMPDIR: tmp, XDG_RUNTIME_DIR: 'relative/dir' });
    expect(replaced.stderr).toBe('');
    expect(replaced.stdout).not.toContain('XDG_RUNTIME_DIR=relative/dir');
  });
});
