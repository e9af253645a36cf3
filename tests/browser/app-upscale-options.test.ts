/**
 * The Upscale view's options and its long runs, in headless Chromium on a 390-px-wide screen (a
 * phone): nothing overflows sideways, a sample photo is previewed with what its result will cost,
 * UpscalerJS models run at ×2 and download as JPEG or WebP, and a large upscale warns first, shows
 * its progress and time left, and stops on Cancel with the GPU memory it took given back.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'puppeteer-core';
import { allowDownloads, clickDeep, deep, dropFiles, openApp, screenshot, textOf, useApp, waitDeep, waitForFile } from './app-harness.js';

const PHONE = { width: 390, height: 844 };

/** How far the page reaches past the viewport's right edge, and the widest elements that do it. */
async function overflow(page: Page): Promise<{ scroll: number; culprits: string[] }> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth,
      culprits: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        // Inside a scroller (the 1:1 viewer, a wide table's .scroll-x box) is where wide content belongs.
        let scroller = false;
        for (let up: Element | null = el; up && !scroller; up = up.parentElement ?? (up.getRootNode() as ShadowRoot).host ?? null)
          scroller = up !== el && up.matches('.scroll-x, zoom-view');
        if (r.width && r.right > vw + 0.5 && !scroller) culprits.push(`${el.tagName.toLowerCase()}#${el.id} right ${Math.round(r.right)}`);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return { scroll: document.documentElement.scrollWidth - vw, culprits: culprits.slice(0, 8) };
  });
}

const liveBuffers = async (page: Page) =>
  Number(
    await (await waitDeep(page, '#upscale-state', 300_000, "el.dataset.state === 'idle'")).evaluate((e) => (e as HTMLElement).dataset.liveBuffers),
  );

describe('app: upscale options and long runs on a 390-px screen', () => {
  const { session, downloads } = useApp();

  it('fits a phone, previews a sample, runs ×2 to JPEG and WebP, warns before a large upscale, shows the time left, and cancels cleanly', async () => {
    const page = await openApp(session());
    await page.setViewport(PHONE);
    await allowDownloads(page, downloads);
    for (const tab of ['train', 'upscale', 'profiler']) {
      await clickDeep(page, `#tab-${tab}`);
      expect(await overflow(page), tab).toEqual({ scroll: 0, culprits: [] });
      await screenshot(page, `app-phone-tab-${tab}`);
    }
    // The profiler's table (six columns) scrolls inside its card.
    await clickDeep(page, '#profile-run');
    await waitDeep(page, '#profile-table', 180_000);
    expect(await overflow(page), 'profile table').toEqual({ scroll: 0, culprits: [] });
    await screenshot(page, 'app-phone-profile');

    // A sample photo: its preview, and what ×4 will cost.
    await clickDeep(page, '#tab-upscale');
    await clickDeep(page, '#samples-summary');
    await clickDeep(page, 'button.sample[data-name="chelsea.png"]');
    expect(await textOf(page, '#input-info')).toBe('chelsea.png: 451×300');
    await waitDeep(page, '#input-preview', 10_000, 'el.complete && el.naturalWidth === 451');
    expect(await textOf(page, '#input-plan')).toMatch(/^×4 → 1804×1200 \(2\.2 MP\), about \d+ MB of memory in this tab, /);
    expect(await overflow(page)).toEqual({ scroll: 0, culprits: [] });
    await screenshot(page, 'app-phone-upscale');

    // UpscalerJS at ×2, which the shipped generators do not have; JPEG and WebP downloads.
    const model = await waitDeep(page, '#model');
    await model.select('esrgan-slim');
    const scales = await (await waitDeep(page, '#scale')).evaluate((e) => [...(e as HTMLSelectElement).options].map((o) => o.value));
    expect(scales).toEqual(['2', '3', '4']);
    await (await waitDeep(page, '#scale')).select('2');
    const lr = await sharp(join(import.meta.dirname, '../../data/photos/heldout/coffee.png'))
      .resize(30, 20)
      .png()
      .toBuffer();
    await dropFiles(page, '#input-drop', [{ name: 'cup.png', type: 'image/png', bytes: lr }]);
    await waitDeep(page, '#input-info', 10_000, "el.textContent === 'cup.png: 30×20'");
    expect(await textOf(page, '#upscale')).toBe('Upscale ×2');
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result, #upscale-error', 180_000);
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(/^30×20 → 60×40 \(×2\) with esrgan-slim/);
    const idle = await liveBuffers(page);
    for (const [format, ext] of [
      ['jpeg', 'jpg'],
      ['webp', 'webp'],
    ]) {
      await (await waitDeep(page, '#format')).select(format);
      await clickDeep(page, '#download');
      const file = join(downloads, `cup_x2.${ext}`);
      await waitForFile(file);
      expect(await sharp(readFileSync(file)).metadata()).toMatchObject({ format, width: 60, height: 40 });
    }
    expect(await overflow(page)).toEqual({ scroll: 0, culprits: [] });
    await screenshot(page, 'app-phone-upscale-result');

    // The large sample: 1000×872 ×4 is 14 MP. The warning comes first, with the size and the memory.
    await model.select('default');
    await clickDeep(page, '#samples-summary');
    await clickDeep(page, 'button.sample[data-name="hubble_deep_field.jpg"]');
    await waitDeep(page, '#input-info', 10_000, "el.textContent === 'hubble_deep_field.jpg: 1000×872'");
    // With the self-ensemble the model pass takes minutes, not the 15–30 s that the CPU backend needs
    // without it: long enough that the checks below still see it running when they press Cancel.
    await clickDeep(page, '#self-ensemble');
    await clickDeep(page, '#upscale');
    const warning = await textOf(page, '#large-warning');
    expect(warning).toMatch(/large upscale.*4000×3488 \(14\.0 MP\).*about \d+ MB of memory/s);
    expect(await overflow(page)).toEqual({ scroll: 0, culprits: [] });
    await screenshot(page, 'app-phone-large-warning');
    await clickDeep(page, '#large-back');
    expect(await deep(page, '#large-warning')).toBeNull();
    await clickDeep(page, '#upscale');
    await clickDeep(page, '#large-start');

    // Running: a percentage, the tile, and after two tiles the time left; then Cancel.
    // Two tiles: the first one compiles the kernels, the second gives the rate.
    await waitDeep(page, '#upscale-detail', 300_000, '/tile ([2-9]|\\d\\d+) of/.test(el.textContent)');
    expect(await textOf(page, '#upscale-eta')).toMatch(/^about (\d+ min )?\d+ s left$/);
    expect(await textOf(page, '#upscale-detail')).toMatch(/^model: tile \d+ of \d+$/);
    expect(await textOf(page, '#upscale-percent')).toMatch(/^\d+ %$/);
    expect(await textOf(page, '#upscale')).toBe('Upscaling…');
    expect(await overflow(page)).toEqual({ scroll: 0, culprits: [] });
    await screenshot(page, 'app-phone-upscale-running');
    await clickDeep(page, '#upscale-cancel');
    expect(await liveBuffers(page)).toBe(idle);
    expect(await textOf(page, '#upscale-state')).toMatch(/^Cancelled at \d+ % \(tile \d+ of \d+\)\. Nothing was kept/);
    expect(await deep(page, '#upscale-cancel')).toBeNull();
    expect(await deep(page, '#upscale-error')).toBeNull();
    // The earlier result stays; the button is back.
    expect(await textOf(page, '#upscale')).toBe('Upscale ×4');
    // The tiles it ran measured this adapter: the next estimate states a time.
    expect(await textOf(page, '#input-plan')).toMatch(/about [\d a-z]+ on this adapter$/);
    await screenshot(page, 'app-phone-upscale-cancelled');
    await page.close();
  }, 600_000);
});
