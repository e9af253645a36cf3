/**
 * `srgan train` writes what a user looks at while a run goes: metrics.csv and metrics.png, a grid
 * of whole 256-px held-out faces at 1:1 (with the start model's column after --init-from), and
 * the contact sheet. A separate process, tiny preset, two steps.
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { METRICS_COLUMNS } from '../../src/srgan/report/metrics-log.js';
import { srgan } from '../helpers/srgan-process.js';

describe('srgan train: the run report', () => {
  it('writes metrics.csv/png, whole-face grids with the start model, and the contact sheet', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'srgan-report-')), 'run');
    const r = await srgan([
      'train',
      '--preset',
      'tiny',
      '--blocks',
      '8',
      '--init-from',
      'models/default/generator.safetensors',
      '--data',
      'data/faces',
      '--out',
      out,
      '--phase1-steps',
      '2',
      '--phase2-steps',
      '0',
      '--crop',
      '32',
      '--batch',
      '2',
      '--sample-every',
      '1',
      '--eval-every',
      '2',
      '--checkpoint-every',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/metrics\.png/);

    const csv = (await readFile(join(out, 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(METRICS_COLUMNS.join(','));
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['0', '2']); // --eval-every 2
    const row0 = csv[1].split(',').map(Number);
    expect(row0).toHaveLength(METRICS_COLUMNS.length);
    // At step 0 the run's generator is the start model: the same numbers, and both above bicubic.
    expect(row0.slice(2, 5)).toEqual(row0.slice(8, 11));
    expect(row0[2]).toBeGreaterThan(row0[5]);

    const metricsPng = await sharp(join(out, 'metrics.png')).metadata();
    expect([metricsPng.format, metricsPng.width]).toEqual(['png', 900]);
    const samples = await readdir(join(out, 'samples'));
    expect(samples.filter((f) => f.startsWith('grid-step-')).sort()).toEqual([
      'grid-step-000000.png',
      'grid-step-000001.png',
      'grid-step-000002.png',
    ]);
    // Five columns of whole 256-px images (LR ×4 | bicubic | start | this run | HR), one row per face + the photo crop.
    const grid = await sharp(join(out, 'samples', 'grid-step-000002.png')).metadata();
    expect(grid.width).toBe(2 * 8 + 5 * 256 + 4 * 6);
    expect(grid.height).toBeGreaterThan(5 * 256);
    const sheet = await sharp(join(out, 'samples', 'contact-sheet.png')).metadata();
    expect(sheet.width).toBe(2 * 8 + 5 * 256 + 4 * 6); // LR, steps 0, 1, 2, HR
    expect(sheet.height).toBeLessThan(320);
  }, 600_000);
});
