/**
 * createUpscaler in a page (headless Chromium, the page's own GPUDevice): the shipped default model
 * fetched from its URL relative to the module, every kind of page image in, progress, abort, and
 * esrgan-slim with no edge stripes.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import type { HTTPRequest } from 'puppeteer-core';
import { withChromiumPage } from '../helpers/headless-chromium.js';
import { pretrainedModelJsonPath } from '../../src/srgan/pretrained/node.js';
import type { UpscalerPageOutcome } from './upscaler-page.js';

const MODELS = resolve('models');
const SLIM = dirname(pretrainedModelJsonPath('esrgan-slim', 4));

/** /models/… from the repository's models/ (where the bundled module's relative URL points), /pretrained/esrgan-slim/x4/… from node_modules. */
function serve(req: HTTPRequest): void {
  const path = new URL(req.url()).pathname;
  const file = path.startsWith('/models/')
    ? normalize(join(MODELS, path.slice('/models/'.length)))
    : path.startsWith('/pretrained/esrgan-slim/x4/')
      ? normalize(join(SLIM, path.slice('/pretrained/esrgan-slim/x4/'.length)))
      : undefined;
  if (!file || !(file.startsWith(MODELS + sep) || file.startsWith(SLIM + sep))) return void req.continue();
  try {
    void req.respond({ status: 200, contentType: 'application/octet-stream', body: readFileSync(file) });
  } catch {
    void req.respond({ status: 404, body: '' });
  }
}

describe('createUpscaler in Chromium', () => {
  it('upscales ImageData, Blob, <img>, canvas and ImageBitmap ×4 with progress; aborts; esrgan-slim has no edge stripes', async () => {
    const entry = fileURLToPath(new URL('./upscaler-page.ts', import.meta.url));
    const out = await withChromiumPage(entry, 'runUpscaler', async (page) => {
      await page.setRequestInterception(true);
      page.on('request', serve);
      return page.evaluate(() => (globalThis as unknown as { runUpscaler(): Promise<UpscalerPageOutcome> }).runUpscaler());
    });
    expect(out.error).toBeUndefined();
    expect(out.sizes).toEqual(['ImageData', 'Blob', 'HTMLImageElement', 'HTMLCanvasElement', 'ImageBitmap'].map((k) => `${k} 36×28 ImageData`));
    expect(out.progress).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(out.aborted).toBe('AbortError');
    console.log(`esrgan-slim edge ratio in Chromium: ${out.edgeRatio?.toFixed(3)}`);
    expect(out.edgeRatio).toBeGreaterThan(0.7);
    expect(out.edgeRatio).toBeLessThan(1.3);
  }, 300_000);
});
