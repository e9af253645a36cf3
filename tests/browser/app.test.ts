/**
 * The built app's shell in headless Chromium: the adapter on start, the clear message without
 * WebGPU, keyboard tabs, and the Profiler view (sortable per-kernel table, Chrome trace export).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowDownloads, clickDeep, deep, dropFiles, openApp, screenshot, textOf, useApp, waitDeep, waitForFile } from './app-harness.js';

describe('app shell and profiler', () => {
  const { session, downloads } = useApp();

  it('shows the adapter and its limits, and moves between tabs with the keyboard', async () => {
    const page = await openApp(session());
    expect(await deep(page, '#fatal')).toBeNull();
    // Headless Chromium here has only SwiftShader, so 'auto' runs the CPU backend; a GPU shows its adapter.
    const adapter = await textOf(page, '#adapter');
    expect(adapter).toMatch(/\((software|hardware)\)|^CPU backend \(WebAssembly SIMD on \d+ threads?\)/);
    expect(await textOf(page, 'section[aria-labelledby=adapter-title]')).toMatch(
      adapter.startsWith('CPU backend') ? /profiler\s+wall clock per kernel/ : /max buffer \d+ MiB[\s\S]*timestamp-query (yes|no)/,
    );
    await (await waitDeep(page, '#tab-train')).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.querySelector('srgan-app')!.shadowRoot!.activeElement?.id)).toBe('tab-upscale');
    expect(await (await waitDeep(page, '#panel-upscale')).evaluate((e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await (await waitDeep(page, '#panel-train')).evaluate((e) => (e as HTMLElement).hidden)).toBe(true);
    await screenshot(page, 'app-start');
    await page.close();
  });

  it('takes dropped training images: thumbnails, a count, and the unreadable ones listed as skipped', async () => {
    const page = await openApp(session());
    await clickDeep(page, '#data-files');
    const png = readFileSync(join(import.meta.dirname, '../../data/photos/heldout/chelsea.png'));
    const jpg = readFileSync(join(import.meta.dirname, '../../data/faces/sample1_face1.jpg'));
    await dropFiles(page, '#data-drop', [
      { name: 'cat.png', type: 'image/png', bytes: png },
      { name: 'face.jpg', type: 'image/jpeg', bytes: jpg },
      { name: 'broken.png', type: 'image/png', bytes: new Uint8Array([137, 80, 78, 71, 1, 2, 3]) },
      { name: 'notes.txt', type: 'text/plain', bytes: new TextEncoder().encode('hello') },
    ]);
    await waitDeep(page, '#skipped', 30_000, "el.textContent.includes('broken.png')");
    expect(await textOf(page, '#data-count')).toMatch(/^2 images chosen/);
    expect(await (await waitDeep(page, 'data-picker')).evaluate((e) => e.shadowRoot!.querySelectorAll('.thumbs img').length)).toBe(2);
    const skipped = await textOf(page, '#skipped');
    expect(skipped).toMatch(/2 skipped/);
    expect(skipped).toMatch(/notes\.txt: not an image file/);
    expect(skipped).toMatch(/broken\.png: the browser cannot decode it/);
    await page.close();
  });

  it('without WebGPU runs on the CPU backend and says so', async () => {
    const page = await session().browser.newPage();
    await page.evaluateOnNewDocument(() => {
      delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
    });
    await page.goto(session().url, { waitUntil: 'load' });
    expect(await textOf(page, '#adapter')).toMatch(/^CPU backend \(WebAssembly SIMD on \d+ threads?\)/);
    expect(await deep(page, '#fatal')).toBeNull();
    expect(await deep(page, '[role=tablist]')).not.toBeNull();
    await page.close();
  });

  it('profiles a workload per kernel, sorts the table, and exports a Chrome trace', async () => {
    const page = await openApp(session());
    await allowDownloads(page, downloads);
    await clickDeep(page, '#tab-profiler');
    await clickDeep(page, '#profile-run');
    await waitDeep(page, '#profile-table', 180_000);
    const rows = async () =>
      (await waitDeep(page, '#profile-table')).evaluate((t) =>
        [...t.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent!.trim())),
      );
    const byTime = await rows();
    expect(byTime.map((r) => r[0])).toEqual(expect.arrayContaining(['matmul', 'adam']));
    expect(byTime.find((r) => r[0] === 'adam')![1]).toBe('1200'); // 4 parameters × 300 steps, one fused kernel each
    const ms = byTime.map((r) => Number(r[2]));
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    const share = byTime.reduce((p, r) => p + Number(r[4].replace(' %', '')), 0);
    expect(share).toBeGreaterThan(99);
    expect(share).toBeLessThan(101);
    // Sort by kernel name (ascending), then by calls.
    await clickDeep(page, 'button.sort[data-key=kernel]');
    const names = (await rows()).map((r) => r[0]);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(await (await waitDeep(page, 'th[aria-sort=ascending]')).evaluate((e) => e.textContent)).toMatch(/Kernel/);
    await screenshot(page, 'app-profiler');

    await clickDeep(page, '#trace-export');
    const file = join(downloads, 'srgan-webgpu.trace.json');
    await waitForFile(file);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { ph: string; name: string; cat?: string; args?: { submit?: number } }[] };
    const kernels = trace.traceEvents.filter((e) => e.cat === 'kernel');
    expect(kernels.filter((e) => e.name === 'adam')).toHaveLength(1200);
    expect(trace.traceEvents.some((e) => e.cat === 'submit')).toBe(true);
    expect(kernels.every((e) => e.ph === 'X' && Number.isInteger(e.args?.submit))).toBe(true);
    await page.close();
  });
});
