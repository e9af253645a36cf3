/**
 * The `srgan` CLI end to end, as scripts call it: separate processes on tiny inputs. Train writes a
 * complete run folder, upscale and eval run its generator, Ctrl-C leaves a resumable checkpoint,
 * and bad input gives one clear line and a non-zero exit code.
 */
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRecipe, recipeToConfig } from '../../src/srgan/recipe.js';
import { srgan } from '../helpers/srgan-process.js';

let dir: string, run: string, images: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'srgan-cli-'));
  run = join(dir, 'run');
  images = join(dir, 'images');
  await import('node:fs/promises').then((fs) => fs.mkdir(images));
  // Two small HR images cut from the bundled held-out photos (multiples of 4, odd-ish sizes).
  await sharp('data/photos/heldout/coffee.png').extract({ left: 200, top: 100, width: 52, height: 40 }).png().toFile(join(images, 'a.png'));
  await sharp('data/photos/heldout/chelsea.png').extract({ left: 150, top: 80, width: 40, height: 48 }).png().toFile(join(images, 'b.png'));
});

describe('srgan CLI', () => {
  it('prints help, and rejects a bad option with exit code 2', async () => {
    const help = await srgan(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--preset <tiny\|medium\|paper\|keras>/);
    const bad = await srgan(['train', '--data', 'data/faces', '--out', join(dir, 'x'), '--crop', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--crop must be a non-negative integer, got "abc"/);
    const unknown = await srgan(['fly']);
    expect(unknown.code).toBe(2);
  });

  it('train writes a complete run folder through both phases', async () => {
    const r = await srgan([
      'train',
      '--preset',
      'tiny',
      '--data',
      'data/faces',
      '--heldout',
      images,
      '--out',
      run,
      '--phase1-steps',
      '3',
      '--phase2-steps',
      '2',
      '--crop',
      '32',
      '--batch',
      '2',
      '--checkpoint-every',
      '2',
      '--sample-every',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/training finished/);
    const files = await readdir(run);
    for (const f of ['generator.safetensors', 'loss.csv', 'loss.png', 'summary.md', 'summary.json', 'samples', 'checkpoints'])
      expect(files).toContain(f);
    const csv = (await readFile(join(run, 'loss.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('step,phase,g_content,g_adv,d_real,d_fake,lr,ms,g_fm,g_phase,g_flat');
    expect(csv).toHaveLength(6);
    expect(csv[5]).toMatch(/^5,2,/);
    const summary = JSON.parse(await readFile(join(run, 'summary.json'), 'utf8'));
    expect(summary.steps).toBe(5);
    expect(summary.eval.images).toBe(2);
    expect(summary.eval.model.psnr_y).toBeGreaterThan(15);
    expect((await readdir(join(run, 'samples'))).length).toBeGreaterThanOrEqual(3);
  }, 600_000);

  it("train --start-from default runs SRGAN's phase 2 from the shipped generator and discriminator, with srgan's recipe", async () => {
    const out = join(dir, 'from-default');
    // The recipe, made smaller for the test's CPU by the options that override it.
    const r = await srgan([
      'train',
      '--start-from',
      'default',
      '--steps',
      '2',
      '--crop',
      '32',
      '--batch',
      '1',
      '--data',
      'data/faces',
      '--heldout',
      images,
      '--out',
      out,
      '--checkpoint-every',
      '2',
      '--sample-every',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/steps: 0 \(phase 1\) \+ 2 \(phase 2\); crop 32, batch 1/);
    expect(r.stdout).toMatch(/weight average \(EMA\) decay 0\.995; phase-pattern loss ×10000; flat-region loss ×10/);
    expect(r.stdout).toMatch(
      /GAN phase: ragan loss, adversarial weight 0\.04, D learning rate ×4, feature matching ×0\.03, D channels 16,16,32,32,64,64,64,64 \(patch head, batch norm\)/,
    );
    expect(r.stderr).toMatch(/initialised the generator from the shipped default generator \(8 of 8 blocks/);
    expect(r.stderr).toMatch(/initialised the discriminator from the srgan model's discriminator/);
    // The grids have the start model's column: LR | bicubic | start | this run | HR.
    expect((await sharp(join(out, 'samples', 'grid-step-000000.png')).metadata()).width).toBe(2 * 8 + 5 * 256 + 4 * 6);

    for (const [args, message] of [
      [['--init-from', 'x.safetensors'], '--start-from default starts a new run from the shipped models; it cannot be used with --init-from'],
      [['--preset', 'paper'], '--preset paper does not fit the recipe models/srgan/recipe.json (preset tiny)'],
      [['--config', 'models/default/recipe.json'], '--config and --start-from default both choose a recipe; give one of them'],
    ] as const) {
      const bad = await srgan(['train', '--start-from', 'default', ...args, '--data', 'data/faces', '--out', join(dir, 'never')]);
      expect([bad.code, bad.stderr.trim()]).toEqual([2, `srgan train: ${message}`]);
    }
    const unknown = await srgan(['train', '--start-from', 'srgan', '--data', 'data/faces', '--out', join(dir, 'never')]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([2, 'srgan train: --start-from must be scratch or default, got "srgan"']);
  }, 600_000);

  it('train --config runs a recipe file: its networks, data, losses and pretrained paths (beside the file), with options over it', async () => {
    const recipeDir = join(dir, 'recipes');
    await mkdir(recipeDir, { recursive: true });
    await writeFile(join(recipeDir, 'start.safetensors'), await readFile('models/default/generator.safetensors'));
    await writeFile(
      join(recipeDir, 'r.json'),
      JSON.stringify({
        format: 'srgan-recipe/1',
        preset: 'tiny',
        generator: { blocks: 8 },
        pretrained: { generator: 'start.safetensors' },
        data: { crop: 32, batch: 1 },
        schedule: { phase1Steps: 2, phase2Steps: 0, lr: 5e-5 },
        losses: { phasePattern: { weight: 100 } },
      }),
    );
    const out = join(dir, 'from-recipe');
    const r = await srgan([
      'train',
      '--config',
      join(recipeDir, 'r.json'),
      '--lr',
      '1e-5',
      '--data',
      'data/faces',
      '--heldout',
      images,
      '--out',
      out,
      '--checkpoint-every',
      '2',
      '--sample-every',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/steps: 2 \(phase 1\) \+ 0 \(phase 2\); crop 32, batch 1; phase-pattern loss ×100/);
    expect(r.stderr).toMatch(/initialised the generator from start\.safetensors \(8 of 8 blocks/);
    const state = JSON.parse(await readFile(join(out, 'checkpoints', 'step-000002', 'state.json'), 'utf8'));
    expect(state.config).toMatchObject({ lr: 1e-5, hrCrop: 32, phasePatternWeight: 100 });
    // The run keeps its recipe: the config as run, its start relative to the run folder; it reads back as the same config.
    const kept = parseRecipe(await readFile(join(out, 'recipe.json'), 'utf8'));
    expect(kept.pretrained).toEqual({ generator: join('..', 'recipes', 'start.safetensors') });
    expect(recipeToConfig(kept)).toEqual(state.config);

    await writeFile(join(recipeDir, 'typo.json'), JSON.stringify({ format: 'srgan-recipe/1', preset: 'tiny', schedule: { lr: 1e-4, ephocs: 3 } }));
    const typo = await srgan(['train', '--config', join(recipeDir, 'typo.json'), '--data', 'data/faces', '--out', join(dir, 'never')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/typo\.json: unknown key "schedule\.ephocs"/);
    const missing = await srgan(['train', '--config', join(recipeDir, 'none.json'), '--data', 'data/faces', '--out', join(dir, 'never')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, `srgan train: recipe not found: ${join(recipeDir, 'none.json')}`]);
  }, 600_000);

  it('upscale and eval run the trained checkpoint; eval ends with one JSON line', async () => {
    const out = join(dir, 'a_x4.png');
    const up = await srgan(['upscale', '--checkpoint', join(run, 'generator.safetensors'), '--input', join(images, 'a.png'), '--output', out]);
    expect(up.code, up.stderr).toBe(0);
    expect(await sharp(out).metadata()).toMatchObject({ width: 208, height: 160 });
    const ev = await srgan(['eval', '--checkpoint', join(run, 'generator.safetensors'), '--images', images, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const last = JSON.parse(ev.stdout.trim().split('\n').pop()!);
    expect(last).toMatchObject({ images: 2, scale: 4 });
    expect(last.bicubic.psnr_y).toBeGreaterThan(15);
    expect(last.model.ssim_y).toBeGreaterThan(0);
    const plus = await srgan(['eval', '--checkpoint', join(run, 'generator.safetensors'), '--images', images, '--json', '--self-ensemble']);
    expect(plus.code, plus.stderr).toBe(0);
    const ensembled = JSON.parse(plus.stdout.trim().split('\n').pop()!);
    expect(ensembled.model.name).toMatch(/generator\.safetensors \+ self-ensemble$/);
    expect(ensembled.bicubic).toEqual(last.bicubic);
    expect(ensembled.model.psnr_y).not.toBe(last.model.psnr_y);
  }, 600_000);

  it('eval compares the shipped models in one table and draws them side by side; interpolate blends them', async () => {
    const grid = join(dir, 'models.png');
    const ev = await srgan(['eval', '-n', 'default,srgan', '--images', images, '--grid', grid, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(/^\| default \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ s \|$/m);
    expect(ev.stdout).toMatch(/^\| srgan \| /m);
    const last = JSON.parse(ev.stdout.trim().split('\n').pop()!);
    expect(last.models.map((m: { name: string }) => m.name)).toEqual(['default', 'srgan']);
    expect(last.model).toEqual(last.models[0]);
    for (const m of [last.bicubic, ...last.models]) expect(m.flat_sharpness).toBeGreaterThan(0);
    // The GAN-trained srgan carries more of a fixed ×4 lattice than default; the originals have their own floor.
    expect(last.models[1].phase_pattern).toBeGreaterThan(last.models[0].phase_pattern);
    expect(last.original.phase_pattern).toBeGreaterThan(0);
    // LR | bicubic | default | srgan | HR, each a whole 256-px image.
    expect(await sharp(grid).metadata()).toMatchObject({ format: 'png', width: 8 + 5 * 256 + 4 * 6 + 8 });
    expect(ev.stdout).toMatch(/grid: .*models\.png \(1320×\d+: LR \| bicubic \| default \| srgan \| HR\)/);

    // The texture dial in one table: srgan at 0 measures exactly as default, at 1 exactly as srgan.
    const dial = await srgan(['eval', '-n', 'srgan', '--texture', '0,1', '--images', images, '--json']);
    expect(dial.code, dial.stderr).toBe(0);
    const rows = JSON.parse(dial.stdout.trim().split('\n').pop()!).models;
    expect(rows.map((m: { name: string }) => m.name)).toEqual(['srgan at texture 0', 'srgan at texture 1']);
    const measures = (m: Record<string, number>) => [m.psnr_y, m.ssim_y, m.sharpness, m.flat_sharpness, m.phase_pattern];
    expect(measures(rows[0])).toEqual(measures(last.models[0]));
    expect(measures(rows[1])).toEqual(measures(last.models[1]));
    const noSrgan = await srgan(['eval', '-n', 'default', '--texture', '0.5', '--images', images]);
    expect([noSrgan.code, noSrgan.stderr.trim()]).toEqual([2, 'srgan eval: --texture blends srgan with default; use it with -n srgan']);

    const blend = join(dir, 'blend.safetensors');
    const ip = await srgan(['interpolate', '--from', 'default', '--to', 'srgan', '--alpha', '0', '-o', blend]);
    expect(ip.code, ip.stderr).toBe(0);
    const { decodeSafetensors } = await import('../../src/engine/index.js');
    const weights = (b: Uint8Array) => decodeSafetensors(b).tensors.map((t) => [t.name, Array.from(t.data)]);
    expect(weights(await readFile(blend))).toEqual(weights(await readFile('models/default/generator.safetensors')));
    const bad = await srgan(['interpolate', '--from', 'default', '--to', 'srgan', '--alpha', '1.5', '-o', blend]);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'srgan interpolate: --alpha must be between 0 and 1, got 1.5']);
  }, 600_000);

  it('upscale -n srgan --texture dials from default (0) to srgan (1) by blending their weights', async () => {
    const input = join(images, 'b.png'),
      out = (name: string) => join(dir, `texture-${name}.png`);
    const runs: [string, string[]][] = [
      ['default', ['-n', 'default']],
      ['t0', ['-n', 'srgan', '--texture', '0']],
      ['half', ['-n', 'srgan', '--texture', '0.5']],
      ['t1', ['-n', 'srgan', '--texture', '1']],
      ['srgan', ['-n', 'srgan']],
    ];
    for (const [name, args] of runs) {
      const r = await srgan(['upscale', '-i', input, '-o', out(name), ...args]);
      expect(r.code, r.stderr).toBe(0);
      if (name === 'half') expect(r.stdout).toMatch(/^srgan upscale: srgan at texture 0\.5, ×4$/m);
    }
    const pixels = async (name: string) => Array.from(await sharp(out(name)).raw().toBuffer());
    expect(await pixels('t0')).toEqual(await pixels('default'));
    expect(await pixels('t1')).toEqual(await pixels('srgan'));
    const half = await pixels('half');
    expect(half).not.toEqual(await pixels('default'));
    expect(half).not.toEqual(await pixels('srgan'));

    const other = await srgan(['upscale', '-i', input, '-o', out('x'), '--texture', '0.5']);
    expect([other.code, other.stderr.trim()]).toEqual([2, 'srgan upscale: --texture blends srgan with default; use it with -n srgan']);
    const range = await srgan(['upscale', '-i', input, '-o', out('x'), '-n', 'srgan', '--texture', '1.2']);
    expect([range.code, range.stderr.trim()]).toEqual([2, 'srgan upscale: --texture must be between 0 and 1, got 1.2']);
  }, 300_000);

  it('train --init-from starts a deeper generator from the trained one, at the same quality', async () => {
    const grown = join(dir, 'grown');
    const r = await srgan([
      'train',
      '--preset',
      'tiny',
      '--blocks',
      '7',
      '--init-from',
      join(run, 'generator.safetensors'),
      '--data',
      'data/faces',
      '--heldout',
      images,
      '--out',
      grown,
      '--phase1-steps',
      '1',
      '--phase2-steps',
      '0',
      '--crop',
      '32',
      '--batch',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/initialised the generator from .*generator\.safetensors \(6 of 7 blocks; the rest start as identity maps\)/);
    // Step 0 of the new run (before any update) scores exactly what the file did.
    const psnr = async (file: string) => {
      const ev = await srgan(['eval', '--checkpoint', file, '--images', images, '--json']);
      expect(ev.code, ev.stderr).toBe(0);
      return JSON.parse(ev.stdout.trim().split('\n').pop()!).model.psnr_y as number;
    };
    const start = join(grown, 'checkpoints', 'step-000000', 'generator.safetensors');
    expect(Math.abs((await psnr(start)) - (await psnr(join(run, 'generator.safetensors'))))).toBeLessThan(1e-4);
    const both = await srgan(['train', '--init-from', start, '--resume', '--data', 'data/faces', '--out', grown]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--init-from starts a new run; it cannot be used with --resume/);
  }, 600_000);

  it('rejects a corrupt checkpoint whole, with one clear line', async () => {
    const bad = join(dir, 'bad.safetensors');
    await writeFile(bad, Buffer.from('definitely not safetensors'));
    const r = await srgan(['upscale', '--checkpoint', bad, '--input', join(images, 'a.png'), '--output', join(dir, 'no.png')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.safetensors: not a valid safetensors file/);
  }, 300_000);

  it('Ctrl-C finishes the step, writes a checkpoint and exits cleanly; --resume goes on from it', async () => {
    const out = join(dir, 'interrupted');
    let sent = false;
    const r = await srgan(['train', '--data', 'data/faces', '--heldout', images, '--out', out, '--steps', '1000', '--crop', '32', '--batch', '2'], {
      onStderr: (text, kill) => {
        if (!sent && /train: [1-9]\d*\/1000/.test(text)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stopped at step (\d+): continue with --resume/);
    const stopped = Number(/stopped at step (\d+)/.exec(r.stdout)![1]);
    const latest = JSON.parse(await readFile(join(out, 'checkpoints', 'latest.json'), 'utf8'));
    expect(latest.step).toBe(stopped);
    // On resume the schedule (length, base rate, weight average) and the loss weights may change; the networks and crops may not.
    const again = await srgan([
      'train',
      '--data',
      'data/faces',
      '--heldout',
      images,
      '--out',
      out,
      '--resume',
      '--steps',
      String(stopped + 1),
      '--lr',
      '2e-4',
      '--ema',
      '0.99',
      '--crop',
      '48',
      '--phase-pattern-weight',
      '500',
      '--flat-weight',
      '2',
      '--content-blur',
      '1',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`resumed .* at step ${stopped}`));
    expect(again.stderr).toMatch(/--crop is ignored on --resume/);
    const latestAgain = JSON.parse(await readFile(join(out, 'checkpoints', 'latest.json'), 'utf8'));
    expect(latestAgain.step).toBe(stopped + 1);
    const state = JSON.parse(await readFile(join(out, 'checkpoints', latestAgain.dir, 'state.json'), 'utf8'));
    expect(state.config).toMatchObject({
      lr: 2e-4,
      hrCrop: 32,
      batch: 2,
      emaDecay: 0.99,
      phasePatternWeight: 500,
      flatRegionWeight: 2,
      contentBlur: 1,
    });
    expect(again.stdout).toMatch(/phase-pattern loss ×500; flat-region loss ×2/);
    expect(again.stdout).toMatch(/pixel MSE \(no VGG19 weights given\) of the low band \(Gaussian σ 1\) in the GAN phase/);
    // The average starts at the resume and is what the run exports and evaluates.
    expect(state.averageUpdates).toBe(1);
    expect(again.stdout).toMatch(/weight average \(EMA\) decay 0\.99/);
    expect(again.stdout).toMatch(/evaluated weights \| exponential moving average of the generator's, decay 0\.99/);
    const average = await readFile(join(out, 'checkpoints', latestAgain.dir, 'generator-average.safetensors'));
    expect(Buffer.compare(await readFile(join(out, 'generator.safetensors')), average)).toBe(0);
  }, 600_000);
});
