/**
 * What a user sees of a run in the app, in headless Chromium: the held-out metrics chart and the
 * whole-image grid at 1:1 with its zoom, the contact sheet, a loss chart without an empty GAN
 * axis in phase 1; in the Upscale view the ground-truth check before any work, the 1:1 result
 * with zoom and a before/after divider whose handle lines up with the cut; and a favicon.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'puppeteer-core';
import { clickDeep, deep, dropFiles, openApp, screenshot, setField, textOf, useApp, waitDeep } from './app-harness.js';

/** A 2-layer, 8-channel generator on 32-px crops: the steps are cheap; the report's 5 images at 256 px are what is shown. */
async function tinySettings(page: Page): Promise<void> {
  for (const [id, v] of [
    ['blocks', 2],
    ['channels', 8],
    ['hrCrop', 32],
    ['batch', 1],
    ['phase1Steps', 2],
    ['phase2Steps', 0],
    ['gridEvery', 1],
    ['checkpointEvery', 2],
  ] as const)
    await setField(page, `#f-${id}`, String(v));
}

const GRID_W = 2 * 8 + 4 * 256 + 3 * 6;

describe('app: the run report and the 1:1 views', () => {
  const { session } = useApp();

  it('shows the metrics chart, the whole-image grid at 1:1 with zoom, the contact sheet, and a favicon', async () => {
    const page = await openApp(session());
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
    });
    await page.reload({ waitUntil: 'load' });
    await waitDeep(page, '#adapter, #fatal', 60_000);
    expect(await page.evaluate(async () => (await fetch('/favicon.ico')).status)).toBe(200);
    expect(await page.evaluate(() => [...document.querySelectorAll('link[rel=icon]')].length)).toBeGreaterThan(0);

    await tinySettings(page);
    await clickDeep(page, '#train-start');
    await waitDeep(page, '#train-status', 480_000, '/^(done|error)/.test(el.textContent)');
    expect(await deep(page, '#train-error')).toBeNull();
    expect(await textOf(page, '#train-status')).toMatch(/^done/);

    // Metrics at steps 0, 1 and 2, plotted by the same SVG module as the CLI's metrics.png.
    const chart = await waitDeep(page, '#metrics-chart', 30_000, 'Number(el.dataset.rows) === 3');
    const chartText = await chart.evaluate((e) => e.querySelector('svg')!.textContent!);
    for (const t of ['PSNR-Y (dB)', 'SSIM-Y', 'sharpness ratio', 'this run', 'bicubic']) expect(chartText).toContain(t);
    expect(await textOf(page, '#metrics-latest')).toMatch(/step 2: this run PSNR-Y [\d.]+ dB, SSIM-Y [\d.]+, sharpness [\d.]+; bicubic PSNR-Y/);
    // Phase 1 only: no adversarial panel; round step ticks.
    const loss = await (await waitDeep(page, '#loss-chart')).evaluate((e) => e.querySelector('svg')!.textContent!);
    expect(loss).not.toContain('adversarial');
    expect(loss).toContain('training step');

    // The grid: whole 256-px images at 1:1 (one image pixel per CSS pixel), then 2× on request.
    const view = await waitDeep(page, '#grid-latest', 30_000, 'el.naturalWidth > 0');
    expect(await view.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth)).toBe(GRID_W);
    const shownWidth = () => view.evaluate((e) => e.shadowRoot!.querySelector('img')!.getBoundingClientRect().width);
    expect(await shownWidth()).toBe(GRID_W);
    await view.evaluate((e) => (e.shadowRoot!.querySelector('.zoom-2') as HTMLElement).click());
    await new Promise((r) => setTimeout(r, 200));
    expect(await shownWidth()).toBe(2 * GRID_W);
    await view.evaluate((e) => (e.shadowRoot!.querySelector('.zoom-1') as HTMLElement).click());
    await waitDeep(page, '#contact-sheet', 30_000, 'el.naturalWidth === 2 * 8 + 5 * 256 + 4 * 6'); // LR, steps 0-2, HR
    expect(await (await waitDeep(page, '#grid-strip')).evaluate((e) => e.querySelectorAll('img').length)).toBe(3);
    await screenshot(page, 'app-report');
    expect(missing).toEqual([]);
    await page.close();
  }, 600_000);

  it('checks the ground truth when it is chosen, and shows the result at 1:1 with an aligned before/after divider', async () => {
    const page = await openApp(session());
    await clickDeep(page, '#tab-upscale');
    const hr = await sharp(join(import.meta.dirname, '../../data/photos/heldout/chelsea.png'))
      .resize(128, 96)
      .png()
      .toBuffer();
    const lr = await sharp(hr).resize(32, 24).png().toBuffer();
    await dropFiles(page, '#input-drop', [{ name: 'cat-lr.png', type: 'image/png', bytes: lr }]);
    const wrong = await sharp(hr).resize(100, 80).png().toBuffer();
    await clickDeep(page, '#hr-summary');
    await dropFiles(page, '#hr-drop', [{ name: 'wrong.png', type: 'image/png', bytes: wrong }]);
    // The size error shows at once, before any work, and Upscale waits for a fix.
    expect(await textOf(page, '#input-problem')).toMatch(/ground truth is 100×80; it must be 4× the input \(128×96\)/);
    expect(await (await waitDeep(page, '#upscale')).evaluate((e) => (e as HTMLButtonElement).disabled)).toBe(true);
    await clickDeep(page, '#hr-remove');
    await waitDeep(page, '#upscale', 10_000, '!el.disabled');
    expect(await deep(page, '#input-problem')).toBeNull();

    await (await waitDeep(page, '#model')).select('default');
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result, #upscale-error', 180_000);
    expect(await deep(page, '#upscale-error')).toBeNull();
    const view = await waitDeep(page, '#result-view');
    const geometry = () =>
      view.evaluate((e) => {
        const ba = e.querySelector('before-after')!;
        const stack = ba.shadowRoot!.querySelector('.stack')!.getBoundingClientRect();
        const divider = ba.shadowRoot!.querySelector('#divider')!.getBoundingClientRect();
        const knob = ba.shadowRoot!.querySelector('.knob')!.getBoundingClientRect();
        const cut = (ba as unknown as { position: number }).position / 100;
        return {
          width: stack.width,
          cutX: stack.left + cut * stack.width,
          dividerX: divider.left + divider.width / 2,
          knobX: knob.left + knob.width / 2,
        };
      });
    let g = await geometry();
    expect(g.width).toBe(128); // 1:1
    expect(Math.abs(g.dividerX - g.cutX)).toBeLessThan(0.75);
    expect(Math.abs(g.knobX - g.cutX)).toBeLessThan(0.75);
    // Keyboard and zoom keep the handle on the cut.
    await (await waitDeep(page, '#divider')).focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await view.evaluate((e) => (e.shadowRoot!.querySelector('.zoom-4') as HTMLElement).click());
    await new Promise((r) => setTimeout(r, 200));
    g = await geometry();
    expect(g.width).toBe(512);
    expect(await view.evaluate((e) => (e.querySelector('before-after') as unknown as { position: number }).position)).toBe(55);
    expect(Math.abs(g.dividerX - g.cutX)).toBeLessThan(0.75);
    expect(Math.abs(g.knobX - g.cutX)).toBeLessThan(0.75);
    await screenshot(page, 'app-upscale-zoom');
    await page.close();
  }, 600_000);
});
