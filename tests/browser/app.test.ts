import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { Browser } from 'puppeteer-core';
import type { Server } from 'node:http';
import { echoPage, launchChromium, serveDir } from '../../src/cli/headless-chromium.js';

/** The real built app (vite build of index.html), driven in headless Chromium as a person would. */
describe('the built app in headless Chromium', () => {
  let outDir = '';
  let server: Server | undefined;
  let url = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'srgan-app-'));
    await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    ({ server, url } = await serveDir(outDir));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('shows the adapter, trains XOR on a click, and shows the per-kernel profile', async () => {
    const page = await browser!.newPage();
    echoPage(page);
    await page.goto(url, { waitUntil: 'load' });
    // Lit renders into a shadow root; puppeteer's >>> combinator pierces it.
    const text = async (sel: string) => page.$eval(`engine-demo >>> ${sel}`, (e) => e.textContent ?? '');
    await page.waitForFunction(() => {
      const root = document.querySelector('engine-demo')?.shadowRoot;
      return !!root?.querySelector('#error') || !root?.querySelector('#train')?.hasAttribute('disabled');
    }, { timeout: 60_000 });
    expect(await page.$('engine-demo >>> #error')).toBeNull();
    expect(await text('#adapter')).not.toBe('');
    await page.click('engine-demo >>> #train');
    // waitForSelector watches DOM mutations of the document, which do not include shadow roots: poll.
    await page.waitForFunction(() => !!document.querySelector('engine-demo')?.shadowRoot?.querySelector('#result'),
      { timeout: 120_000, polling: 200 });
    expect(await text('#result')).toMatch(/— learned/);
    expect(await text('#log')).toMatch(/step 300: mse 0\.0/);
    const profile = await text('#profile');
    expect(profile).toMatch(/^kernel\s+calls/);
    expect(profile).toMatch(/adam\s+1200\s/); // 4 parameters × 300 steps, one fused kernel each
    await page.close();
  });
});
