/**
 * The CLI's checks that run before the GPU starts: option parsing from the command tables, the
 * upscale plan (paths, formats, folders, sizes) and the model choice. No GPU here; two spawned
 * runs check the exit codes and that an error is one line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpText, parseOptions, UsageError, type OptionTable } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { chooseModel } from '../../src/cli/model-choice.js';
import { planUpscale } from '../../src/cli/upscale-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'srgan-cli-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  mkdirSync(join(dir, 'in'));
  mkdirSync(join(dir, 'out'));
  await sharp({ create: { width: 12, height: 8, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'in/a.png'));
  await sharp({ create: { width: 10, height: 6, channels: 3, background: '#404040' } }).jpeg().toFile(join(dir, 'in/b.jpg'));
  writeFileSync(join(dir, 'in/notes.txt'), 'not an image');
  await sharp({ create: { width: 4100, height: 8, channels: 3, background: '#000' } }).png().toFile(join(dir, 'wide.png'));
});

const TABLE = {
  steps: { type: 'string', arg: 'N', help: 'steps' },
  input: { type: 'string', short: 'i', arg: 'IMG', help: 'input' },
  ext: { type: 'string', choices: ['png', 'jpg'], help: 'format' },
  'self-ensemble': { type: 'boolean', help: 'flag' },
} as const satisfies OptionTable;

const usageError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('option tables', () => {
  it('parse long and short names, --x=v, flags, and keep negative numbers as values', () => {
    expect(parseOptions('t', ['-i', 'a.png', '--steps=-5', '--self-ensemble'], TABLE)).toEqual({ input: 'a.png', steps: '-5', 'self-ensemble': true });
    expect(parseOptions('t', ['--steps', '-5'], TABLE)).toEqual({ steps: '-5' });
  });

  it('reject unknown options, bad choices, missing values and stray words in one line', () => {
    for (const argv of [['--bogus'], ['--ext', 'gif'], ['--steps'], ['extra']]) {
      const m = usageError(() => parseOptions('t', argv, TABLE));
      expect(m).toMatch(/^srgan t: .* \(see srgan t --help\)$/);
      expect(m).not.toMatch(/\n/);
    }
  });

  it('write every command\'s --help from the table that parses it', async () => {
    for (const entry of COMMANDS) {
      const cmd = await entry.load();
      const help = helpText(cmd, entry.summary);
      expect(help).toMatch(new RegExp(`^Usage: srgan ${entry.name} `));
      for (const [name, spec] of Object.entries(cmd.options)) expect(help).toContain(`${spec.short ? `-${spec.short}, ` : ''}--${name}`);
    }
  });
});

describe('srgan upscale plan (before the GPU)', () => {
  const plan = (o: Partial<Parameters<typeof planUpscale>[0]>) => planUpscale({ input: join(dir, 'in/a.png'), output: join(dir, 'x.png'), scale: 4, ...o });

  it('takes the format from -o, or writes into an existing folder with the suffix and --ext', async () => {
    expect((await plan({ output: join(dir, 'x.JPG') })).jobs[0]).toMatchObject({ format: 'jpeg', width: 12, height: 8 });
    expect((await plan({ output: join(dir, 'out'), ext: 'webp' })).jobs[0]).toMatchObject({ output: join(dir, 'out/a_x4.webp'), format: 'webp' });
    expect((await plan({ output: join(dir, 'out'), suffix: '-big' })).jobs[0].output).toBe(join(dir, 'out/a-big.png'));
  });

  it('rejects an unknown extension, a missing output folder, a clash with --ext, and overwriting the input', async () => {
    await expect(plan({ output: join(dir, 'x.gif') })).rejects.toThrow(/unknown image extension "\.gif"/);
    await expect(plan({ output: join(dir, 'nowhere/x.png') })).rejects.toThrow(/output folder .*nowhere does not exist/);
    await expect(plan({ output: join(dir, 'x.png'), ext: 'webp' })).rejects.toThrow(/ask for different formats/);
    await expect(plan({ output: join(dir, 'in/a.png') })).rejects.toThrow(/would overwrite the input/);
    await expect(plan({ input: join(dir, 'nope.png') })).rejects.toThrow(UsageError);
    await expect(plan({ output: join(dir, 'out'), suffix: '/../x' })).rejects.toThrow(/cannot hold a path separator/);
  });

  it('checks the output size against the format before any work', async () => {
    await expect(plan({ input: join(dir, 'wide.png'), output: join(dir, 'wide.webp') })).rejects.toThrow(/16400×32 is larger than WEBP allows/);
    expect((await plan({ input: join(dir, 'wide.png'), output: join(dir, 'wide_x4.png') })).jobs).toHaveLength(1);
  });

  it('maps a folder to a folder, listing the files it will skip', async () => {
    const p = await plan({ input: join(dir, 'in'), output: join(dir, 'out') });
    expect(p.folder).toBe(true);
    expect(p.jobs.map((j) => j.output)).toEqual([join(dir, 'out/a_x4.png'), join(dir, 'out/b_x4.png')]);
    expect(p.skipped).toEqual([expect.stringMatching(/notes\.txt/)]);
    await expect(plan({ input: join(dir, 'in'), output: join(dir, 'missing') })).rejects.toThrow(/-o must be an existing folder: .*missing does not exist/);
    await expect(plan({ input: join(dir, 'in'), output: join(dir, 'in'), suffix: '' })).rejects.toThrow(/would overwrite its input/);
  });
});

describe('model choice (before the GPU)', () => {
  it('knows the shipped and pretrained names and their scales', async () => {
    expect(await chooseModel('upscale', {})).toMatchObject({ label: 'default', scale: 4 });
    await expect(chooseModel('upscale', { model: 'nope' })).rejects.toThrow(/unknown model "nope" \(models: default, srgan, esrgan-slim/);
    await expect(chooseModel('upscale', { scale: 2 })).rejects.toThrow(/default upscales ×4; -s 2/);
    await expect(chooseModel('upscale', { model: 'esrgan-slim', scale: 5 })).rejects.toThrow(/esrgan-slim comes at scales 2, 3, 4, 8, not 5/);
    expect(await chooseModel('upscale', { model: 'esrgan-slim', scale: 2 })).toMatchObject({ scale: 2 });
    await expect(chooseModel('upscale', { checkpoint: join(dir, 'none.safetensors') })).rejects.toThrow(/checkpoint not found/);
  });

  it('rejects a corrupt generator file as a failure naming it', async () => {
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, 'garbage');
    const e = await chooseModel('upscale', { checkpoint: bad }).catch((x: unknown) => x as Error);
    expect(e).not.toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/bad\.safetensors: not a valid safetensors file/);
  });
});

describe('srgan exit codes', () => {
  const srgan = (...args: string[]) => spawnSync(process.execPath, ['bin/srgan.mjs', ...args], { encoding: 'utf8' });

  it('exits 2 with one line for a usage error (a negative --steps), 0 for --help', () => {
    const r = srgan('train', '--data', 'x', '--out', join(dir, 'run'), '--steps', '-5');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('srgan train: --steps must be a non-negative integer, got "-5"\n');
    expect(srgan('--help').status).toBe(0);
  });
});
