/**
 * Pixel parity with TF.js: esrgan-slim ×4, esrgan-medium ×4 and esrgan-thick ×2 on a crop of a real
 * photo, through our engine and through TF.js 4.22 WebGPU in the same headless Chromium page. The
 * page fetches the model files as assets, which this test serves from node_modules.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import sharp from 'sharp';
import type { HTTPRequest } from 'puppeteer-core';
import { withChromiumPage } from '../helpers/headless-chromium.js';
import { pretrainedModelJsonPath } from '../../src/srgan/pretrained/node.js';
import { isPretrainedName, type PretrainedScale } from '../../src/srgan/pretrained/catalogue.js';
import type { ParityOutcome, ParityRequest } from './pretrained-page.js';

const SIZE = 32;
const MODELS: ParityRequest[] = [
  { name: 'esrgan-slim', scale: 4, url: '/pretrained/esrgan-slim/x4/model.json' },
  { name: 'esrgan-medium', scale: 4, url: '/pretrained/esrgan-medium/x4/model.json' },
  { name: 'esrgan-thick', scale: 2, url: '/pretrained/esrgan-thick/x2/model.json' },
];

/** /pretrained/<name>/x<scale>/<file> → that file beside the package's model.json, or undefined. */
function modelFile(url: string): string | undefined {
  const m = /^\/pretrained\/([\w-]+)\/x(\d)\/([\w.-]+)$/.exec(new URL(url).pathname);
  if (!m || !isPretrainedName(m[1])) return undefined;
  const dir = dirname(pretrainedModelJsonPath(m[1], Number(m[2]) as PretrainedScale));
  const file = normalize(join(dir, m[3]));
  return file.startsWith(dir + sep) ? file : undefined;
}

function serveModels(req: HTTPRequest): void {
  const file = modelFile(req.url());
  if (!file) return void req.continue();
  const headers = { 'cross-origin-resource-policy': 'same-origin' };
  try {
    void req.respond({
      status: 200,
      headers,
      contentType: file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      body: readFileSync(file),
    });
  } catch {
    void req.respond({ status: 404, headers, body: '' });
  }
}

describe('pretrained ESRGAN models: our engine vs TF.js 4.22 on the same adapter', () => {
  it('slim ×4, medium ×4, thick ×2 agree to 1e-3 on a real photo crop', async () => {
    // coffee.png (CC0, data/photos/heldout): a textured 32×32 patch of the cup's rim and saucer.
    const { data } = await sharp('data/photos/heldout/coffee.png')
      .extract({ left: 300, top: 150, width: SIZE, height: SIZE })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = Array.from(data, (v) => v / 255);
    const entry = fileURLToPath(new URL('./pretrained-page.ts', import.meta.url));
    const out = await withChromiumPage(entry, 'runParity', async (page) => {
      await page.setRequestInterception(true);
      page.on('request', serveModels);
      return page.evaluate(
        (p, s, m) =>
          (
            globalThis as unknown as {
              runParity(p: number[], s: number, m: ParityRequest[]): Promise<ParityOutcome>;
            }
          ).runParity(p, s, m),
        pixels,
        SIZE,
        MODELS,
      );
    });
    expect(out.error).toBeUndefined();
    expect(out.adapter?.runtime).toBe('browser');
    expect(out.results.map((r) => `${r.name} ×${r.scale}`)).toEqual(MODELS.map((m) => `${m.name} ×${m.scale}`));
    for (const r of out.results) {
      const crop = r.name === 'esrgan-thick' ? 16 : SIZE;
      expect(r.shape, r.name).toEqual([1, 3, crop * r.scale, crop * r.scale]);
      expect(r.tfShape, r.name).toEqual([1, crop * r.scale, crop * r.scale, 3]);
      expect(r.maxAbs, `${r.name} ×${r.scale} max |Δ|`).toBeLessThanOrEqual(1e-3);
    }
  }, 600_000); // SwiftShader compiles every conv variant on first use, on both engines
});
