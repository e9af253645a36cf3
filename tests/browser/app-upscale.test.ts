/** The Upscale view of the built app, driven in headless Chromium as a person would. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { allowDownloads, clickDeep, deep, dropFiles, openApp, screenshot, setField, textOf, useApp, waitDeep, waitForFile } from './app-harness.js';

describe('app: upscale a dropped image', () => {
  const { session, downloads } = useApp();

  it('upscales ×4 with a bundled UpscalerJS model, compares with bicubic and the ground truth, downloads a PNG; the shipped model with the self-ensemble', async () => {
    const page = await openApp(session());
    await allowDownloads(page, downloads);
    await clickDeep(page, '#tab-upscale');
    const model = await waitDeep(page, '#model');
    await model.select('esrgan-slim');
    expect(await textOf(page, '#model-info')).toMatch(/MIT licence.*UpscalerJS/);

    // A 128×96 ground truth and its 32×24 LR, as files from the desktop.
    const hr = await sharp(join(import.meta.dirname, '../../data/photos/heldout/chelsea.png'))
      .resize(128, 96)
      .png()
      .toBuffer();
    const lr = await sharp(hr).resize(32, 24).png().toBuffer();
    await dropFiles(page, '#input-drop', [{ name: 'cat-lr.png', type: 'image/png', bytes: lr }]);
    expect(await textOf(page, '#input-info')).toBe('cat-lr.png: 32×24');
    await dropFiles(page, '#hr-drop', [{ name: 'cat-hr.png', type: 'image/png', bytes: hr }]);
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result, #upscale-error', 180_000);
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(/32×24 → 128×96 \(×4\) with esrgan-slim/);
    expect(await (await waitDeep(page, '#upscale-progress')).evaluate((e) => (e as HTMLProgressElement).value)).toBe(1);
    // PSNR in dB and SSIM for both rows; a trained model should not lose to bicubic by much on a photo.
    const metrics = await textOf(page, '#metrics');
    const [bic, mod] = [...metrics.matchAll(/([\d.]+) dB \/ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(bic).toBeGreaterThan(15);
    expect(mod).toBeGreaterThan(bic - 1.5);
    await screenshot(page, 'app-upscale');

    await clickDeep(page, '#download');
    const file = join(downloads, 'cat-lr_x4.png');
    await waitForFile(file);
    const meta = await sharp(readFileSync(file)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 96]);

    // The shipped model with the self-ensemble (8 flips/transpositions averaged) beats bicubic here.
    await model.select('default');
    await clickDeep(page, '#self-ensemble');
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result', 180_000, "el.textContent.includes('self-ensemble')");
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(/32×24 → 128×96 \(×4\) with .*\+ self-ensemble/);
    const [bic2, ens] = [...(await textOf(page, '#metrics')).matchAll(/([\d.]+) dB \/ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ens).toBeGreaterThan(bic2);

    // Both shipped generators are in the picker; the GAN-trained one runs too.
    const options = await model.evaluate((el) => [...(el as HTMLSelectElement).options].map((o) => [o.value, o.disabled, o.textContent]));
    expect(options.filter(([v]) => v === 'default' || v === 'srgan').map(([v, d]) => [v, d])).toEqual([
      ['default', false],
      ['srgan', false],
    ]);
    expect(String(options.find(([v]) => v === 'srgan')![2])).toMatch(/GAN-trained/);
    await model.select('srgan');
    await clickDeep(page, '#self-ensemble');
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result', 180_000, "el.textContent.includes('srgan') && !el.textContent.includes('self-ensemble')");
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(/32×24 → 128×96 \(×4\) with shipped srgan/);
    await screenshot(page, 'app-upscale-srgan');

    // The texture dial: srgan blended halfway with default.
    await setField(page, '#texture', '0.5');
    expect(await textOf(page, '#texture-value')).toBe('0.50');
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result', 180_000, "el.textContent.includes('texture 0.5')");
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(/32×24 → 128×96 \(×4\) with shipped srgan at texture 0\.5/);
    await screenshot(page, 'app-upscale-texture');
    await model.select('default');
    expect(await deep(page, '#texture')).toBeNull();

    // The model for phone and web JPEGs: in the picker, and it runs on a JPEG input.
    expect(options.filter(([v]) => v === 'photo').map(([v, d]) => [v, d])).toEqual([['photo', false]]);
    await model.select('photo');
    const jpeg = await sharp(hr).resize(32, 24).jpeg({ quality: 50 }).toBuffer();
    await dropFiles(page, '#input-drop', [{ name: 'cat-lr.jpg', type: 'image/jpeg', bytes: jpeg }]);
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result', 180_000, "el.textContent.includes('photo')");
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(/32×24 → 128×96 \(×4\) with shipped photo/);
    await screenshot(page, 'app-upscale-photo');

    // The larger PSNR model: in the picker, described, and it runs.
    expect(options.filter(([v]) => v === 'medium').map(([v, d]) => [v, d])).toEqual([['medium', false]]);
    expect(String(options.find(([v]) => v === 'medium')![2])).toMatch(/most faithful/);
    await model.select('medium');
    await clickDeep(page, '#upscale');
    await waitDeep(page, '#upscale-result', 180_000, "el.textContent.includes('medium')");
    expect(await deep(page, '#upscale-error')).toBeNull();
    expect(await textOf(page, '#upscale-result')).toMatch(/32×24 → 128×96 \(×4\) with shipped medium/);
    await screenshot(page, 'app-upscale-medium');
    await page.close();
  });
});
