/**
 * The run report on the real adapter: the held-out set (faces + a photo crop), the grid, contact
 * sheet and metrics.csv written at the due steps through the file interface, the starting model
 * measured once and kept for a resume, and a resume that never duplicates a row.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { makeConfig } from '../../src/srgan/config.js';
import { bicubicUpscale } from '../../src/srgan/data/degrade.js';
import type { HostImage } from '../../src/srgan/image/types.js';
import { parseMetricsCsv } from '../../src/srgan/report/metrics-log.js';
import { pickHeldout, prepareEvalSet, upscalerOf } from '../../src/srgan/report/eval-set.js';
import { REPORT_FILES, RunReport, type ReportFiles } from '../../src/srgan/report/run-report.js';
import type { RgbImage } from '../../src/srgan/report/raster.js';
import { useEngine } from '../helpers/gpu.js';

useEngine();

/** A smooth test image with some texture, so bicubic and nearest differ. */
function image(w: number, h: number, seed: number, name: string): HostImage {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = 0.5 + 0.4 * Math.sin((x * (c + 1) + y * seed) / 5);
  return { width: w, height: h, channels: 3, data, name };
}

function memoryFiles(): ReportFiles & { store: Map<string, RgbImage | string> } {
  const store = new Map<string, RgbImage | string>();
  return {
    store,
    writePng: async (n, img) => {
      store.set(n, img);
    },
    readPng: async (n) => store.get(n) as RgbImage | undefined,
    writeText: async (n, t) => {
      store.set(n, t);
    },
    readText: async (n) => store.get(n) as string | undefined,
    writePlot: async (n, svg) => {
      store.set(n, svg);
    },
  };
}

const config = makeConfig('tiny', { phase1Steps: 2, phase2Steps: 4 });
/** Stand-ins for generators: bicubic itself and nearest-neighbour, through the same tiled path. */
const bicubicModel = (step: number) => ({ step, config, enhance: (lr: E.Tensor) => bicubicUpscale(lr, 4) });
const nearestModel = { enhance: (lr: E.Tensor) => E.upsampleNearest(lr, 4) };

describe('run report', () => {
  it('picks whole faces and one photo crop, each 256 px after preparation', async () => {
    const picked = pickHeldout(
      [image(300, 260, 1, 'face-a'), image(256, 256, 2, 'face-b')],
      [image(200, 200, 3, 'small'), image(320, 280, 4, 'photo')],
      { faces: 4 },
    );
    expect(picked.map((p) => [p.name, p.width, p.height])).toEqual([
      ['face-a', 260, 260],
      ['face-b', 256, 256],
      ['photo', 256, 256],
    ]);
    const set = await prepareEvalSet(picked.slice(0, 1), { scale: 4 });
    expect([set.images[0].hr.width, set.images[0].lr.width, set.images[0].bicubic.width]).toEqual([256, 64, 256]);
    expect(() => pickHeldout([], [image(100, 100, 1, 'x')])).toThrow(/needs held-out faces or a photo/);
  }, 60_000);

  it('writes grids, contact sheet and metrics at the due steps, and resumes without duplicated rows', async () => {
    const set = await prepareEvalSet([image(64, 64, 1, 'a'), image(64, 64, 3, 'b')], { scale: 4, size: 64 });
    const files = memoryFiles();
    const report = await RunReport.create({
      set,
      files,
      sampleEvery: 2,
      evalEvery: 2,
      startStep: 0,
      startModel: upscalerOf(nearestModel, 4),
      title: 't',
    });
    for (const step of [0, 1, 2, 3, 4]) await report.atStep(bicubicModel(step), step === 0);
    const grids = [...files.store.keys()].filter((k) => k.startsWith('samples/grid-step-')).sort();
    expect(grids).toEqual([0, 2, 4].map(REPORT_FILES.grid));
    const grid = files.store.get(REPORT_FILES.grid(4)) as RgbImage;
    expect(grid.width).toBeGreaterThan(5 * 64); // five columns: the start model is there
    let rows = parseMetricsCsv(files.store.get('metrics.csv') as string);
    expect(rows.map((r) => [r.step, r.phase])).toEqual([
      [0, 1],
      [2, 1],
      [4, 2],
    ]);
    // The "model" here is bicubic through the tiled path, which mirrors the image's edges before
    // tiling where the bicubic column clamps them: the same numbers up to those border pixels.
    expect(Math.abs(rows[1].model.psnr_y - rows[1].bicubic.psnr_y)).toBeLessThan(0.05);
    expect(rows[1].model.ssim_y).toBeCloseTo(rows[1].bicubic.ssim_y, 3);
    expect(rows[1].start!.psnr_y).toBeLessThan(rows[1].bicubic.psnr_y); // nearest is worse than bicubic
    expect(files.store.get('metrics.png')).toMatch(/PSNR-Y/);
    expect(JSON.parse(files.store.get(REPORT_FILES.contactIndex) as string).steps).toEqual([0, 2, 4]);
    const sheet = files.store.get(REPORT_FILES.contactSheet) as RgbImage;
    expect(sheet.width).toBe(2 * 8 + 5 * 64 + 4 * 6); // LR, three steps, HR

    // Resume at step 2: rows and frames from step 2 on are dropped, then written again once.
    const resumed = await RunReport.create({ set, files, sampleEvery: 2, startStep: 2, title: 't' });
    expect(resumed.log.rows.map((r) => r.step)).toEqual([0]);
    for (const step of [2, 3, 4]) await resumed.atStep(bicubicModel(step), step === 2);
    await resumed.atStep(bicubicModel(4), true); // the end of a run at a due step writes nothing twice
    rows = parseMetricsCsv(files.store.get('metrics.csv') as string);
    expect(rows.map((r) => r.step)).toEqual([0, 2, 4]);
    expect(rows.every((r) => r.start)).toBe(true); // the start model came back from its saved outputs
    expect((files.store.get(REPORT_FILES.grid(4)) as RgbImage).width).toBe(grid.width);
    expect(JSON.parse(files.store.get(REPORT_FILES.contactIndex) as string).steps).toEqual([0, 2, 4]);
  }, 120_000);
});
