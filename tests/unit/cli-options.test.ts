/**
 * The CLI's checks that run before the GPU starts: option parsing from the command tables, the
 * upscale plan (paths, formats, folders, sizes) and the model choice. No GPU here; two spawned
 * runs check the exit codes and that an error is one line.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpText, parseOptions, UsageError, type OptionTable } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { chooseModel } from '../../src/cli/model-choice.js';
import { planUpscale, type UpscaleJob } from '../../src/cli/upscale-plan.js';
import { expectedRssMb, largeJobWarning, windowPixels } from '../../src/cli/upscale-estimate.js';
import { formatDuration } from '../../src/cli/progress.js';
import { resumedConfig } from '../../src/cli/srgan-train.js';
import { presets } from '../../src/srgan/config.js';

const dir = mkdtempSync(join(tmpdir(), 'srgan-cli-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  mkdirSync(join(dir, 'in'));
  mkdirSync(join(dir, 'out'));
  await sharp({ create: { width: 12, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toFile(join(dir, 'in/a.png'));
  await sharp({ create: { width: 10, height: 6, channels: 3, background: '#404040' } })
    .jpeg()
    .toFile(join(dir, 'in/b.jpg'));
  writeFileSync(join(dir, 'in/notes.txt'), 'not an image');
  await sharp({ create: { width: 4100, height: 8, channels: 3, background: '#000' } })
    .png()
    .toFile(join(dir, 'wide.png'));
  // A tree for -r: a 16-bit PNG at the top, a WebP one level down, a JPEG two down, and a dot-folder.
  for (const sub of ['tree/sub/deeper', 'tree/.hidden']) mkdirSync(join(dir, sub), { recursive: true });
  const wide16 = new Uint16Array(6 * 4 * 3).fill(40000);
  await sharp(wide16, { raw: { width: 6, height: 4, channels: 3 } })
    .pipelineColourspace('rgb16')
    .toColourspace('rgb16')
    .png()
    .toFile(join(dir, 'tree/deep16.png'));
  await sharp({ create: { width: 5, height: 5, channels: 4, background: '#80808080' } })
    .webp()
    .toFile(join(dir, 'tree/sub/alpha.webp'));
  await sharp({ create: { width: 7, height: 3, channels: 3, background: '#101010' } })
    .jpeg()
    .toFile(join(dir, 'tree/sub/deeper/photo.jpeg'));
  await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
    .png()
    .toFile(join(dir, 'tree/.hidden/no.png'));
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
    expect(parseOptions('t', ['-i', 'a.png', '--steps=-5', '--self-ensemble'], TABLE)).toEqual({
      input: 'a.png',
      steps: '-5',
      'self-ensemble': true,
    });
    expect(parseOptions('t', ['--steps', '-5'], TABLE)).toEqual({ steps: '-5' });
  });

  it('reject unknown options, bad choices, missing values and stray words in one line', () => {
    for (const argv of [['--bogus'], ['--ext', 'gif'], ['--steps'], ['extra']]) {
      const m = usageError(() => parseOptions('t', argv, TABLE));
      expect(m).toMatch(/^srgan t: .* \(see srgan t --help\)$/);
      expect(m).not.toMatch(/\n/);
    }
  });

  it("write every command's --help from the table that parses it", async () => {
    for (const entry of COMMANDS) {
      const cmd = await entry.load();
      const help = helpText(cmd, entry.summary);
      expect(help).toMatch(new RegExp(`^Usage: srgan ${entry.name} `));
      for (const [name, spec] of Object.entries(cmd.options)) expect(help).toContain(`${spec.short ? `-${spec.short}, ` : ''}--${name}`);
    }
  });
});

describe('srgan upscale plan (before the GPU)', () => {
  const plan = (o: Partial<Parameters<typeof planUpscale>[0]>) =>
    planUpscale({ input: join(dir, 'in/a.png'), output: join(dir, 'x.png'), scale: 4, ...o });

  it('takes the format from -o, or writes into an existing folder with the suffix and --ext', async () => {
    expect((await plan({ output: join(dir, 'x.JPG') })).jobs[0]).toMatchObject({ format: 'jpeg', width: 12, height: 8 });
    expect((await plan({ output: join(dir, 'out'), ext: 'webp' })).jobs[0]).toMatchObject({ output: join(dir, 'out/a_x4.webp'), format: 'webp' });
    expect((await plan({ output: join(dir, 'out'), suffix: '-big' })).jobs[0].output).toBe(join(dir, 'out/a-big.png'));
  });

  it('rejects an unknown extension, a missing output folder, a clash with --ext, and overwriting the input', async () => {
    await expect(plan({ output: join(dir, 'x.gif') })).rejects.toThrow(/unknown image extension "\.gif"/);
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
    await expect(plan({ input: join(dir, 'in'), output: join(dir, 'wide.png') })).rejects.toThrow(/-o must be a folder: .*wide\.png is a file/);
    await expect(plan({ input: join(dir, 'in'), output: join(dir, 'in'), suffix: '' })).rejects.toThrow(/would overwrite its input/);
  });
});

describe('srgan upscale output folders (before the GPU)', () => {
  const plan = (o: Partial<Parameters<typeof planUpscale>[0]>) =>
    planUpscale({ input: join(dir, 'in/a.png'), output: join(dir, 'x.png'), scale: 4, ...o });

  it("creates missing output folders: a file's folder, a folder ending in /, a folder run's -o", async () => {
    expect((await plan({ output: join(dir, 'made/a/b/x.png') })).jobs[0].output).toBe(join(dir, 'made/a/b/x.png'));
    expect(existsSync(join(dir, 'made/a/b'))).toBe(true);
    expect((await plan({ output: `${join(dir, 'made/slash')}/` })).jobs[0].output).toBe(join(dir, 'made/slash/a_x4.png'));
    expect((await plan({ input: join(dir, 'in'), output: join(dir, 'made/folder') })).jobs).toHaveLength(2);
    // Nothing but the folders: the write probe leaves no file behind.
    expect(readdirSync(join(dir, 'made/folder'))).toEqual([]);
    expect(existsSync(join(dir, 'made/never'))).toBe(false);
    await expect(plan({ output: join(dir, 'made/never/x.gif') })).rejects.toThrow(/unknown image extension/);
    expect(existsSync(join(dir, 'made/never'))).toBe(false); // a run that cannot start makes no folder
  });

  it('fails in well under a second when the output folder cannot be made or written', async () => {
    const t0 = performance.now();
    await expect(plan({ output: join(dir, 'wide.png/x.png') })).rejects.toThrow(/cannot create the output folder .*wide\.png: a file has that name/);
    await expect(plan({ input: join(dir, 'in'), output: join(dir, 'in/a.png/out') })).rejects.toThrow(UsageError);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('-r mirrors subfolders (dot-folders and an output folder inside the input left out)', async () => {
    const out = join(dir, 'tree/x4');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'old_x4.png'), 'a result of an earlier run, not an input');
    const p = await plan({ input: join(dir, 'tree'), output: out, recursive: true });
    expect(p.jobs.map((j) => j.output)).toEqual([join(out, 'deep16_x4.png'), join(out, 'sub/alpha_x4.png'), join(out, 'sub/deeper/photo_x4.png')]);
    expect(existsSync(join(out, 'sub/deeper'))).toBe(true);
    expect((await plan({ input: join(dir, 'tree'), output: join(dir, 'flat') })).jobs.map((j) => j.input)).toEqual([join(dir, 'tree/deep16.png')]);
  });

  it("--ext auto keeps each input's format; 16-bit and alpha are seen in the header", async () => {
    const p = await plan({ input: join(dir, 'tree'), output: join(dir, 'auto'), recursive: true, ext: 'auto' });
    expect(p.jobs.map((j) => [j.output.slice(join(dir, 'auto').length + 1), j.format, j.bitDepth, j.channels])).toEqual([
      ['deep16_x4.png', 'png', 16, 3],
      ['sub/alpha_x4.webp', 'webp', 8, 4],
      ['sub/deeper/photo_x4.jpeg', 'jpeg', 8, 3],
    ]);
    expect((await plan({ output: join(dir, 'x.webp'), ext: 'auto' })).jobs[0].format).toBe('webp'); // -o's extension decides
  });

  it('--outscale sizes the result, names it and checks it against the format', async () => {
    const job = (await plan({ output: join(dir, 'out'), outscale: 2.5 })).jobs[0];
    expect(job).toMatchObject({ output: join(dir, 'out/a_x2.5.png'), width: 12, height: 8, outWidth: 30, outHeight: 20 });
    expect((await plan({ input: join(dir, 'wide.png'), output: join(dir, 'wide.webp'), outscale: 3.9 })).jobs).toHaveLength(1);
    await expect(plan({ input: join(dir, 'wide.png'), output: join(dir, 'wide.webp'), outscale: 4.1 })).rejects.toThrow(
      /16810×33 is larger than WEBP allows/,
    );
  });
});

describe('srgan upscale options (before the GPU)', () => {
  it('bad --tile, --tile-pad and --outscale are usage errors', async () => {
    const { upscaleCommand } = await import('../../src/cli/srgan-upscale.js');
    for (const [flag, value, message] of [
      ['-t', '-1', '--tile must be a non-negative integer'],
      ['--tile-pad', 'x', '--tile-pad must be a non-negative integer'],
      ['--outscale', '0', '--outscale must be a number above 0 and at most 64'],
      ['--ext', 'gif', "option '--ext <EXT>' argument 'gif' is invalid"],
    ]) {
      const run = upscaleCommand.run(['-i', join(dir, 'in/a.png'), '-o', join(dir, 'x.png'), flag, value]);
      await expect(run).rejects.toThrow(UsageError);
      await expect(run).rejects.toThrow(message);
    }
  });
});

describe('srgan upscale estimates', () => {
  const photo: UpscaleJob = {
    input: 'photo.jpg',
    output: 'photo_x4.png',
    format: 'png',
    width: 4000,
    height: 3000,
    channels: 3,
    bitDepth: 8,
    outWidth: 16000,
    outHeight: 12000,
  };

  it('price the windows the tiles read: cores plus context, ×8 with the self-ensemble', () => {
    // 40×30 in cores of ≤ 16 with 8 px of context: 3 × 2 cores of 14×15 at most, so windows of 30×31.
    expect(windowPixels({ width: 40, height: 30 }, 16, 8, false)).toBe(3 * 2 * 30 * 31);
    expect(windowPixels({ width: 40, height: 30 }, 16, 8, true)).toBe(8 * 3 * 2 * 30 * 31);
  });

  it('warn before a large job with its output size, time and memory, and stay quiet for a small one', () => {
    expect(largeJobWarning(photo, 3 * 3600 + 20 * 60, 4)).toBe(
      'warning: photo.jpg is 4000×3000 (12.0 MP): the result is 16000×12000 (192.0 MP) ' +
        `and takes about 3h 20m on this adapter, with about ${Math.round(expectedRssMb(photo, 4) / 10) * 10} MB of memory (Ctrl-C stops it)`,
    );
    expect(expectedRssMb(photo, 4)).toBeLessThan(1500); // the issue's bound for 12 MP
    const small = { ...photo, width: 400, height: 300, outWidth: 1600, outHeight: 1200 };
    expect(largeJobWarning(small, 60, 4)).toBeUndefined();
    expect(largeJobWarning(small, 301, 4)).toMatch(/takes about 5m 01s/);
    expect([formatDuration(45.4), formatDuration(725), formatDuration(7500)]).toEqual(['45s', '12m 05s', '2h 05m']);
  });
});

describe('model choice (before the GPU)', () => {
  it('knows the shipped and pretrained names and their scales', async () => {
    expect(await chooseModel('upscale', {})).toMatchObject({ label: 'default', scale: 4 });
    await expect(chooseModel('upscale', { model: 'nope' })).rejects.toThrow(
      /unknown model "nope" \(models: default, srgan, photo, medium, esrgan-slim/,
    );
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

  it('upscale: an output folder without write permission fails in one line before the engine starts', () => {
    // Root ignores permission bits, so as root the CLI runs as nobody, for whom the folder is read-only.
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(dir, 0o755);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(locked, 65534, 65534);
    chmodSync(locked, 0o555);
    for (const output of [join(locked, 'new/x.png')]) {
      const r = spawnSync(process.execPath, ['bin/srgan.mjs', 'upscale', '-i', join(dir, 'in/a.png'), '-o', output], {
        encoding: 'utf8',
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      // One line, and no adapter note: the engine never started.
      expect([r.status, r.stderr]).toEqual([
        2,
        expect.stringMatching(/^srgan upscale: cannot (write into|create) the output folder .*locked.*: permission denied\n$/),
      ]);
      expect(r.stdout).toBe('');
    }
  });
});

describe('srgan train --resume: the schedule a resumed run gets', () => {
  // A GAN-only run (phase 1 of 0 steps, as the shipped srgan's recipe) and the config the command line asks for.
  const ganOnly = { ...presets.tiny, phase1Steps: 0, phase2Steps: 900, advWeight: 0.04 };
  const asked = (p1: number, p2: number) => ({ ...presets.tiny, phase1Steps: p1, phase2Steps: p2, advWeight: 0.08 });

  it("extending one phase keeps the other phase's length from the run, not the preset's", () => {
    const { config } = resumedConfig(ganOnly, asked(presets.tiny.phase1Steps, 1800), { 'phase2-steps': '1800' });
    expect([config.phase1Steps, config.phase2Steps]).toEqual([0, 1800]);
    const longer = resumedConfig({ ...presets.tiny, phase1Steps: 1000, phase2Steps: 500 }, asked(3000, presets.tiny.phase2Steps), {
      'phase1-steps': '3000',
    });
    expect([longer.config.phase1Steps, longer.config.phase2Steps]).toEqual([3000, 500]);
  });

  it("--steps alone splits in the run's own proportion; nothing given keeps the run's schedule and losses", () => {
    expect(resumedConfig(ganOnly, asked(700, 1100), { steps: '1800' }).config).toMatchObject({ phase1Steps: 0, phase2Steps: 1800 });
    const same = resumedConfig(ganOnly, asked(1500, 300), {});
    expect(same.config).toMatchObject({ phase1Steps: 0, phase2Steps: 900, advWeight: 0.04 });
    const tuned = resumedConfig(ganOnly, { ...asked(1500, 300), contentBlur: 2 }, { 'adv-weight': '0.08', 'content-blur': '2', crop: '96' });
    expect(tuned.config.advWeight).toBe(0.08);
    expect(tuned.config.contentBlur).toBe(2);
    expect(tuned.ignored).toEqual(['crop']);
  });
});
