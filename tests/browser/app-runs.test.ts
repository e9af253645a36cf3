/**
 * The app never loses a run, driven in headless Chromium as a person would (the tiny preset made
 * tinier: 2 blocks × 8 channels, 32-px crops, batch 1, a few steps): Stop then Start keeps the first
 * run; after a reload a saved run shows its chart, upscales without training and continues; its
 * files download; rename and delete work; a write IndexedDB refuses (the storage quota) is shown
 * and the last checkpoint stays whole.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ElementHandle, Page } from 'puppeteer-core';
import { decodeSafetensors } from '../../src/engine/index.js';
import { clickDeep, deep, dropFiles, numberIn, openApp, screenshot, setField, textOf, useApp, waitDeep, waitForFile } from './app-harness.js';

const stepOf = (page: Page) => numberIn(page, '#train-rate', /step (\d+) \//);

async function tinySettings(page: Page, phase1: number, every: number, checkpointEvery = every): Promise<void> {
  for (const [id, v] of [
    ['blocks', 2],
    ['channels', 8],
    ['hrCrop', 32],
    ['batch', 1],
    ['phase1Steps', phase1],
    ['phase2Steps', 1],
    ['gridEvery', every],
    ['checkpointEvery', checkpointEvery],
  ] as const)
    await setField(page, `#f-${id}`, String(v));
}

/** A button of the saved run in row `row` (1: the newest). */
const rowButton = (row: number, action: string) => `#runs-list tbody tr:nth-child(${row}) button[data-action="${action}"]`;
const rowCount = (page: Page) =>
  page.evaluate(`(() => { const w = (r) => { const t = r.querySelector('#runs-list'); if (t) return t;
  for (const el of r.querySelectorAll('*')) if (el.shadowRoot) { const h = w(el.shadowRoot); if (h) return h; } return null; };
  const t = w(document); return t ? t.querySelectorAll('tbody tr').length : 0; })()`) as Promise<number>;

async function stop(page: Page): Promise<number> {
  await clickDeep(page, '#train-stop');
  await waitDeep(page, '#train-status', 120_000, '/^(stopped|error)/.test(el.textContent)');
  expect(await textOf(page, '#train-status')).toMatch(/^stopped — Stopped by you at step \d+/);
  return stepOf(page);
}

describe('app: saved runs', () => {
  const { session, downloads } = useApp();

  it('keeps a stopped run when a new one starts, and after a reload shows, upscales with, downloads, continues, renames and deletes it', async () => {
    const context = await session().browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    let page = await openApp(session(), context);
    expect(await textOf(page, '#runs-empty')).toMatch(/No saved runs yet/);
    await tinySettings(page, 5000, 5);
    await clickDeep(page, '#train-start');
    await waitDeep(page, '#saved-step', 240_000, 'Number(el.textContent) >= 5');
    const first = await stop(page);
    // The stopped run's rate and ETA are gone; its checkpoint is the step it stopped at.
    expect(await textOf(page, '#train-rate')).not.toMatch(/steps\/s|ETA/);
    expect(await numberIn(page, '#saved-step', /(\d+)/)).toBe(first);

    // Start makes a second run; the first one stays in the list at its step.
    await clickDeep(page, '#train-start');
    await waitDeep(page, '#train-rate', 240_000, '/step [1-9]\\d* \\//.test(el.textContent)');
    // The list refreshes when the new run's first checkpoint lands (asynchronously): give it a moment.
    for (let i = 0; i < 100 && (await rowCount(page)) < 2; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await rowCount(page)).toBe(2);
    expect(await textOf(page, '#runs-list tbody tr:nth-child(2)')).toContain(`${first} / 5001`);
    await waitDeep(page, '#saved-step', 120_000, 'Number(el.textContent) >= 5');
    const second = await stop(page);

    page.on('dialog', (d) => void (d.type() === 'prompt' ? d.accept('first run') : d.accept()));
    await clickDeep(page, rowButton(2, 'rename'));
    await waitDeep(page, '#runs-list tbody tr:nth-child(2)', 10_000, "el.textContent.includes('first run')");
    await screenshot(page, 'app-runs');
    await page.close();

    // After a reload: the newest run is on screen (chart, grids) without training.
    page = await openApp(session(), context);
    page.on('dialog', (d) => void d.accept());
    await waitDeep(page, '#loss-chart', 30_000, `Number(el.dataset.points) === ${second}`);
    await waitDeep(page, '#grid-latest', 30_000, 'el.naturalWidth > 0');
    expect(await textOf(page, '#train-rate')).toMatch(new RegExp(`step ${second} / 5001`));

    // Its files download: the generator, and the checkpoint a resume needs.
    await clickDeep(page, rowButton(2, 'download-generator'));
    const generatorFile = join(downloads, 'first_run.generator.safetensors');
    await waitForFile(generatorFile);
    expect(decodeSafetensors(new Uint8Array(readFileSync(generatorFile))).metadata.step).toBe(String(first));
    await clickDeep(page, rowButton(2, 'download-checkpoint'));
    for (const f of ['generator.safetensors', 'discriminator.safetensors', 'optimizer.safetensors', 'state.json'])
      await waitForFile(join(downloads, f));
    expect(JSON.parse(readFileSync(join(downloads, 'state.json'), 'utf8')).step).toBe(first);

    // The first run's generator upscales, with no training since the reload.
    await clickDeep(page, rowButton(2, 'upscale'));
    await waitDeep(page, '#model', 10_000, "el.value === 'trained'");
    const lr = await sharp(join(import.meta.dirname, '../../data/photos/heldout/chelsea.png'))
      .resize(24, 20)
      .png()
      .toBuffer();
    await dropFiles(page, '#input-drop', [{ name: 'cat.png', type: 'image/png', bytes: lr }]);
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result, #upscale-error', 120_000);
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(new RegExp(`24×20 → 96×80 \\(×4\\) with first run, step ${first}`));

    // Continue the first run: it goes on from its checkpoint, its chart keeps its steps.
    await clickDeep(page, '#tab-train');
    await clickDeep(page, rowButton(2, 'continue'));
    await waitDeep(page, '#train-rate', 240_000, `/step (\\d+) \\//.exec(el.textContent)[1] >= ${first + 2}`);
    expect(await textOf(page, '#run-name')).toBe('first run');
    const now = await stepOf(page);
    await waitDeep(page, '#loss-chart', 10_000, `Number(el.dataset.points) >= ${now}`);
    await stop(page);
    const [total, thisSession] = /steps \(total \/ this session\)\s+(\d+) \/ (\d+)/
      .exec(await textOf(page, '#run-summary'))!
      .slice(1)
      .map(Number);
    expect(total - thisSession).toBe(first);

    // Delete the other run: one is left.
    const other = await textOf(page, '#runs-list tbody tr:nth-child(2)');
    expect(other).not.toContain('first run');
    await clickDeep(page, rowButton(2, 'delete'));
    for (let i = 0; i < 40 && (await rowCount(page)) !== 1; i++) await new Promise((r) => setTimeout(r, 250));
    expect(await rowCount(page)).toBe(1);
    expect(await textOf(page, '#runs-list')).toContain('first run');

    // The downloaded checkpoint uploads back as a saved run at its step.
    const upload = (await waitDeep(page, '#upload-checkpoint')) as ElementHandle<HTMLInputElement>;
    await upload.uploadFile(
      ...['generator.safetensors', 'discriminator.safetensors', 'optimizer.safetensors', 'state.json'].map((f) => join(downloads, f)),
    );
    await waitDeep(page, '#runs-list tbody tr:nth-child(1)', 30_000, `el.textContent.includes('uploaded checkpoint, step ${first}')`);
    expect(await textOf(page, '#runs-list tbody tr:nth-child(1)')).toContain(`${first} / 5001`);
    expect(await deep(page, '#train-error')).toBeNull();
    await page.close();
    await context.close();
  }, 900_000);

  it('shows a write refused for the storage quota, and keeps the last checkpoint, which continues', async () => {
    const context = await session().browser.createBrowserContext();
    let page = await openApp(session(), context);
    await tinySettings(page, 5000, 1000, 3);
    await clickDeep(page, '#train-start');
    await waitDeep(page, '#saved-step', 240_000, 'Number(el.textContent) >= 3');
    // Leave almost no room: the next checkpoint cannot be stored.
    const origin = new URL(session().url).origin;
    const cdp = await page.createCDPSession();
    const { usage } = (await cdp.send('Storage.getUsageAndQuota', { origin })) as { usage: number };
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 4096 });
    await waitDeep(page, '#train-status', 240_000, '/^(error|stopped|done)/.test(el.textContent)');
    const failure = await textOf(page, '#train-failure');
    // Whichever write comes first after the squeeze: a checkpoint, or the run report (between checkpoints).
    expect(failure).toMatch(
      /could not save the (checkpoint|run report) at step (\d+): the browser's storage quota for this site is full; delete saved runs/,
    );
    const kept = Number(/The checkpoint at step (\d+) of the saved run ".*" is unchanged\./.exec(failure)![1]);
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(await textOf(page, '#train-rate')).not.toMatch(/steps\/s/);
    await screenshot(page, 'app-runs-quota');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.close();

    // The saved run is still at the kept checkpoint, and continues from it.
    page = await openApp(session(), context);
    await waitDeep(page, '#runs-list tbody tr:nth-child(1)', 30_000, `el.textContent.includes('${kept} / 5001')`);
    await clickDeep(page, rowButton(1, 'continue'));
    await waitDeep(page, '#train-rate', 240_000, `/step (\\d+) \\//.exec(el.textContent)[1] > ${kept}`);
    await stop(page);
    await page.close();
    await context.close();
  }, 900_000);
});
