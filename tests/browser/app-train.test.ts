/**
 * The Train view of the built app in headless Chromium: the tiny preset for a few steps on a small
 * crop (the CPU is shared), driven through its controls as a person would.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { decodeSafetensors } from '../../src/engine/index.js';
import { parseRecipe } from '../../src/srgan/recipe.js';
import { clickDeep, deep, numberIn, openApp, screenshot, setField, textOf, useApp, waitDeep, waitForFile } from './app-harness.js';

const stepOf = (page: Page) => numberIn(page, '#train-rate', /step (\d+) \//);

/**
 * The tiny preset made tinier: 2 conv layers of 8 channels, 32-px crops, batch 1. Such steps take
 * milliseconds, but each phase's first step compiles its kernels (SwiftShader: about 20 s for
 * phase 1, 100 s for the GAN phase on a busy machine).
 */
async function tinySettings(page: Page, phase1: number, phase2: number, every: number, profile = false): Promise<void> {
  for (const [id, v] of [
    ['blocks', 2],
    ['channels', 8],
    ['hrCrop', 32],
    ['batch', 1],
    ['phase1Steps', phase1],
    ['phase2Steps', phase2],
    ['gridEvery', every],
    ['checkpointEvery', every],
  ] as const)
    await setField(page, `#f-${id}`, String(v));
  if (profile)
    await (
      await waitDeep(page, '#f-profile')
    ).evaluate((e) => {
      if (!(e as HTMLInputElement).checked) (e as HTMLInputElement).click();
    });
}

describe('app: train SRGAN in a worker', () => {
  const { session, downloads } = useApp();

  it('trains, pauses, resumes, stays responsive, and a reload resumes from the IndexedDB checkpoint', async () => {
    // Its own profile (a fresh IndexedDB), which saves downloads where the test can read them.
    const context = await session().browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    let page = await openApp(session(), context);
    expect(await textOf(page, '#adapter')).toMatch(/\S/);
    // A long first phase that the test stops part-way: its steps are fast enough to pause mid-run.
    await tinySettings(page, 5000, 1, 20);
    // Measure the page's main thread while the worker trains: timers must keep firing.
    await page.evaluate(() => {
      const w = window as unknown as { maxLag: number };
      w.maxLag = 0;
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        w.maxLag = Math.max(w.maxLag, now - last - 50);
        last = now;
      }, 50);
    });
    // Every text of the progress line until the first step: it says what the worker does, never a bare "step 0 / N".
    await page.evaluate(() => {
      const w = window as unknown as { rateTexts: string[] };
      w.rateTexts = [];
      const line = () => document.querySelector('srgan-app')?.shadowRoot?.querySelector('train-view')?.shadowRoot?.querySelector('#train-rate');
      setInterval(() => {
        const t = line()?.textContent?.replace(/\s+/g, ' ').trim();
        if (t && t !== w.rateTexts.at(-1)) w.rateTexts.push(t);
      }, 100);
    });
    await clickDeep(page, '#train-start');
    // Before the first step: the held-out report at step 0 (5 images of 256 px; its kernels compile first) and phase 1's compile.
    await waitDeep(page, '#train-progress', 360_000, 'el.value >= 2');
    const atZero = (await page.evaluate(() => (window as unknown as { rateTexts: string[] }).rateTexts)).filter((t) => /^step 0 \/ \d+/.test(t));
    for (const t of atZero) expect(t).toMatch(/^step 0 \/ 5001 · .+… \d+ s/);
    // The one that lasts seconds on either backend (the start grid); on WebGPU also the first
    // step's kernel compiles. The others may pass between two samples of the line.
    const webgpu = /\((software|hardware)\)/.test(await textOf(page, '#adapter'));
    for (const doing of [
      /rendering the start grid and metrics/,
      ...(webgpu ? [/first step of phase 1 \(content loss only\): building and compiling its kernels/] : []),
    ])
      expect(
        atZero.some((t) => doing.test(t)),
        `${doing} in ${atZero.join(' | ')}`,
      ).toBe(true);
    expect(await (await waitDeep(page, '#train-progress')).evaluate((e) => (e as HTMLProgressElement).max)).toBe(5001);
    expect(await textOf(page, '#train-rate')).toMatch(/steps\/s · ETA/);
    // The chart got points and the first grid (step 0) is on the page.
    await waitDeep(page, '#loss-chart', 60_000, 'Number(el.dataset.points) >= 2');
    await waitDeep(page, '#grid-latest', 120_000, 'el.naturalWidth > 0');
    const grid = await (
      await waitDeep(page, '#grid-latest')
    ).evaluate((e) => [(e as HTMLImageElement).naturalWidth, (e as HTMLImageElement).naturalHeight]);
    // Whole held-out images at 1:1: 4 columns of 256 px (no start model), 5 rows (4 faces + a photo crop); see app-report.test.ts.
    expect(grid).toEqual([2 * 8 + 4 * 256 + 3 * 6, 8 + 24 + 22 + 5 * 256 + 4 * 6 + 8]);

    // The page answers while training runs: a tab opens within a frame or two (timed in the page,
    // not through the test's polling), and timers were never held up for long.
    const switchMs = await page.evaluate(async () => {
      const app = document.querySelector('srgan-app') as HTMLElement & { updateComplete: Promise<boolean> };
      const t0 = performance.now();
      (app.shadowRoot!.querySelector('#tab-profiler') as HTMLElement).click();
      await app.updateComplete;
      await new Promise((r) => requestAnimationFrame(r));
      const shown = !(app.shadowRoot!.querySelector('#panel-profiler') as HTMLElement).hidden;
      return shown ? performance.now() - t0 : Infinity;
    });
    expect(switchMs).toBeLessThan(1000);
    await clickDeep(page, '#tab-train');
    expect(await page.evaluate(() => (window as unknown as { maxLag: number }).maxLag)).toBeLessThan(1000);

    await clickDeep(page, '#train-pause');
    await waitDeep(page, '#train-status', 120_000, "el.textContent.startsWith('paused')");
    const pausedAt = await stepOf(page);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await stepOf(page)).toBe(pausedAt);
    await clickDeep(page, '#train-resume');
    await waitDeep(page, '#train-rate', 120_000, `/step (\\d+) \\//.exec(el.textContent)[1] > ${pausedAt}`);

    // Stop once a checkpoint is in IndexedDB, then reload: the saved run continues.
    await waitDeep(page, '#saved-step', 240_000, 'Number(el.textContent) >= 20');
    await clickDeep(page, '#train-stop');
    await waitDeep(page, '#train-status', 120_000, "el.textContent.startsWith('stopped — Stopped by you')");
    const stoppedAt = await stepOf(page);
    // Stopping writes a last checkpoint at the step reached.
    expect(await numberIn(page, '#saved-step', /(\d+)/)).toBe(stoppedAt);
    expect(await textOf(page, '#run-summary')).toMatch(new RegExp(`steps \\(total / this session\\)\\s+${stoppedAt} / ${stoppedAt}`));
    await screenshot(page, 'app-train');

    // The run's generator downloads as the CLI's generator.safetensors (config in its metadata) and uploads back.
    await clickDeep(page, '#runs-list tbody tr:nth-child(1) button[data-action="download-generator"]');
    for (let i = 0; i < 40 && !readdirSync(downloads).some((f) => f.endsWith('.generator.safetensors')); i++)
      await new Promise((r) => setTimeout(r, 250));
    const file = join(
      downloads,
      readdirSync(downloads).find((f) => f.endsWith('.generator.safetensors'))!,
    );
    await waitForFile(file);
    const { metadata } = decodeSafetensors(new Uint8Array(readFileSync(file)));
    expect(JSON.parse(metadata.srgan_config).generator.channels).toBe(8);
    expect(metadata.step).toBe(String(stoppedAt));
    await ((await waitDeep(page, '#upload-checkpoint')) as ElementHandle<HTMLInputElement>).uploadFile(file);
    await waitDeep(page, '#train-status', 30_000, "el.textContent.includes('generator.safetensors loaded')");
    await page.close();

    page = await openApp(session(), context);
    await waitDeep(page, '#runs-list tbody tr:nth-child(1)', 30_000, `el.textContent.includes('${stoppedAt} / 5001')`);
    await clickDeep(page, '#runs-list tbody tr:nth-child(1) button[data-action="continue"]');
    await waitDeep(page, '#train-rate', 240_000, `/step (\\d+) \\//.exec(el.textContent)[1] >= ${stoppedAt + 3}`);
    // Continued, not restarted: the chart holds the saved steps and the new ones, one point per step.
    const now = await stepOf(page);
    await waitDeep(page, '#loss-chart', 10_000, `Number(el.dataset.points) >= ${now}`);
    await clickDeep(page, '#train-stop');
    await waitDeep(page, '#train-status', 120_000, "el.textContent.startsWith('stopped')");
    const summary = await textOf(page, '#run-summary');
    const [total, thisSession] = /steps \(total \/ this session\)\s+(\d+) \/ (\d+)/.exec(summary)!.slice(1).map(Number);
    expect(total - thisSession).toBe(stoppedAt);
    expect(await deep(page, '#train-error')).toBeNull();
    await page.close();
    await context.close();
  }, 600_000);

  it("starts SRGAN's phase 2 from the shipped default generator and srgan's discriminator, with srgan's recipe; saves and loads recipe files", async () => {
    const context = await session().browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    const page = await openApp(session(), context);
    await (await waitDeep(page, '#start-from')).select('default');
    expect(await textOf(page, '#start-from-info')).toMatch(
      /starts as the shipped default .* the one shipped with srgan\. The loss is pixel MSE \+ RaGAN adversarial/,
    );
    expect(await textOf(page, '#recipe-name')).toBe('following srgan');
    const field = async (id: string) => (await waitDeep(page, `#f-${id}`)).evaluate((e) => (e as HTMLInputElement).value);
    const recipe = [
      ['blocks', '8'],
      ['channels', '32'],
      ['hrCrop', '64'],
      ['batch', '8'],
      ['lr', '0.0001'],
      ['phase1Steps', '0'],
      ['phase2Steps', '400'],
    ];
    for (const [id, value] of recipe) expect([id, await field(id)]).toEqual([id, value]);
    // Save recipe writes the file srgan train --config reads: the settings as shown, and where the networks start.
    await clickDeep(page, '#save-recipe');
    await waitForFile(join(downloads, 'recipe.json'));
    const saved = parseRecipe(readFileSync(join(downloads, 'recipe.json'), 'utf8'));
    expect(saved).toMatchObject({
      preset: 'tiny',
      pretrained: { generator: 'default', discriminator: 'srgan' },
      schedule: { phase2Steps: 400 },
      losses: { adversarial: { type: 'ragan' } },
    });
    // A recipe with a typo is refused whole, with the key named; the settings stay.
    const bad = join(downloads, 'typo.json');
    writeFileSync(bad, JSON.stringify({ format: 'srgan-recipe/1', preset: 'medium', schedule: { ephocs: 3 } }));
    await ((await waitDeep(page, '#load-recipe')) as ElementHandle<HTMLInputElement>).uploadFile(bad);
    expect(await textOf(page, '#recipe-error')).toMatch(/typo\.json: unknown key "schedule\.ephocs"/);
    expect(await field('blocks')).toBe('8');
    // A good one sets the preset, the fields and where the run starts (from scratch here).
    const good = join(downloads, 'six.json');
    writeFileSync(good, JSON.stringify({ format: 'srgan-recipe/1', preset: 'tiny', generator: { blocks: 6 }, data: { crop: 48 } }));
    await ((await waitDeep(page, '#load-recipe')) as ElementHandle<HTMLInputElement>).uploadFile(good);
    expect(await textOf(page, '#recipe-name')).toBe('following six.json');
    expect([await field('blocks'), await field('hrCrop')]).toEqual(['6', '48']);
    expect(await deep(page, '#start-from-info')).toBeNull();
    await (await waitDeep(page, '#start-from')).select('default');
    await waitDeep(page, '#start-from-info');
    // Smaller for the test's CPU: the fields override the recipe as the CLI's options do.
    for (const [id, v] of [
      ['hrCrop', 32],
      ['batch', 1],
      ['phase2Steps', 2],
      ['gridEvery', 2],
      ['checkpointEvery', 2],
    ] as const)
      await setField(page, `#f-${id}`, String(v));
    await clickDeep(page, '#train-start');
    await waitDeep(page, '#train-status', 480_000, '/^(done|error)/.test(el.textContent)');
    expect(await deep(page, '#train-error')).toBeNull();
    expect(await textOf(page, '#train-status')).toMatch(/^done — Finished: 2 steps/);
    expect(await textOf(page, '#loss-latest')).toMatch(/step 2: G content [\d.e-]+, G adversarial [\d.e-]+, D real/);
    // The grids have the start model's column (LR | bicubic | start | this run | HR), 5 columns of 256 px.
    const width = await (await waitDeep(page, '#grid-latest', 60_000, 'el.naturalWidth > 0')).evaluate((e) => (e as HTMLImageElement).naturalWidth);
    expect(width).toBe(2 * 8 + 5 * 256 + 4 * 6);
    expect(await textOf(page, '#run-summary')).toMatch(/tiny \(residual-bicubic, 8 blocks × 32 channels, crop 32, batch 1\)/);
    await screenshot(page, 'app-train-from-default');
    await page.close();
    await context.close();
  }, 600_000);

  it("runs the GAN phase (D and G losses on the chart) with a weight average, and profiles the worker's kernels", async () => {
    const context = await session().browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    const page = await openApp(session(), context);
    // Grids and checkpoints every 3 steps: each whole-image grid runs the held-out set (5 images of 256 px).
    await tinySettings(page, 1, 2, 3, true);
    await setField(page, '#f-emaDecay', '0.9');
    await clickDeep(page, '#train-start');
    await waitDeep(page, '#train-status', 480_000, '/^(done|error)/.test(el.textContent)');
    expect(await deep(page, '#train-error')).toBeNull();
    expect(await textOf(page, '#train-status')).toMatch(/^done — Finished: 3 steps/);
    expect(await textOf(page, '#loss-latest')).toMatch(/step 3: G content [\d.e-]+, G adversarial [\d.e-]+, D real [\d.e-]+, D fake [\d.e-]+/);
    // One grid before training and one at step 3.
    expect(await (await waitDeep(page, '#grid-strip')).evaluate((e) => e.querySelectorAll('img').length)).toBe(2);
    // The weight average travels with the checkpoint and is what the run evaluates and ships.
    expect(await textOf(page, '#run-summary')).toMatch(/evaluated weights\s+exponential moving average of the generator's, decay 0\.9/);
    await clickDeep(page, '#runs-list tbody tr:nth-child(1) button[data-action="download-checkpoint"]');
    await waitForFile(join(downloads, 'generator-average.safetensors'));
    await clickDeep(page, '#tab-profiler');
    expect(await textOf(page, '#profile-source')).toMatch(/training worker/);
    expect(await textOf(page, '#profile-table')).toMatch(/conv2d/);
    await screenshot(page, 'app-train-profile');
    await page.close();
    await context.close();
  }, 600_000);
});
