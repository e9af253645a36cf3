/**
 * The package as a web developer gets it: build the library, `npm pack`, install the tarball into a
 * fresh folder (offline: the tarball's dependencies are linked from this repository's node_modules,
 * which npm accepts as already installed), type-check a consumer against the shipped declarations,
 * build examples/upscale with Vite, and run it in headless Chromium on the page's own GPUDevice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { build } from 'vite';
import { destroyEngine, initEngine } from '../../src/engine/index.js';
import { makeConfig } from '../../src/srgan/config.js';
import { Generator } from '../../src/srgan/models/generator.js';
import { generatorToSafetensors } from '../../src/srgan/checkpoint.js';
import { echoPage, launchChromium, serveDir } from '../../src/cli/headless-chromium.js';

const REPO = resolve(import.meta.dirname, '../..');
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** Link every package of this repository's node_modules into `dir`/node_modules (no network needed). */
function linkRepoModules(dir: string): void {
  const nm = join(dir, 'node_modules');
  mkdirSync(nm);
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (name.startsWith('.')) continue;
    if (!name.startsWith('@')) { symlinkSync(join(REPO, 'node_modules', name), join(nm, name)); continue; }
    mkdirSync(join(nm, name));
    for (const sub of readdirSync(join(REPO, 'node_modules', name))) symlinkSync(join(REPO, 'node_modules', name, sub), join(nm, name, sub));
  }
}

describe('the npm package (srgan-webgpu and srgan-webgpu/srgan)', () => {
  const work = mkdtempSync(join(tmpdir(), 'srgan-pkg-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs, installs offline, type-checks, and the example upscales ×4 in Chromium', async () => {
    run('npm', ['run', '--silent', 'build:lib'], REPO);
    const tarball = run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], REPO).trim().split('\n').pop()!;
    const app = join(work, 'app');
    cpSync(join(REPO, 'examples/upscale'), app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'upscale-example', private: true, type: 'module' }));
    linkRepoModules(app);
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball)], app);
    const installed = join(app, 'node_modules/srgan-webgpu');
    expect(existsSync(join(installed, 'dist/lib/engine.js'))).toBe(true);
    // A real copy of the tarball's files, not a link back to this repository.
    expect(existsSync(join(installed, 'src'))).toBe(false);

    // The shipped declarations type the public API (a wrong call must fail to compile). WebGPU's
    // own types are the consumer's dev dependency, as in any WebGPU page.
    mkdirSync(join(app, 'node_modules/@webgpu'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules/@webgpu/types'), join(app, 'node_modules/@webgpu/types'));
    writeFileSync(join(app, 'check.ts'), [
      "import { initEngine, type Engine } from 'srgan-webgpu';",
      "import { upscaleImage, generatorFromSafetensors, type HostImage } from 'srgan-webgpu/srgan';",
      'export async function f(d: GPUDevice, img: HostImage, b: Uint8Array): Promise<number> {',
      '  const e: Engine = await initEngine({ device: d });',
      '  const { generator } = generatorFromSafetensors(b);',
      '  return (await upscaleImage((x) => generator.forward(x), img)).width + e.submits;',
      '}',
      '// @ts-expect-error upscaleImage needs an image',
      'upscaleImage((x) => x);',
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: {
      target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: false,
      lib: ['ES2022', 'DOM'], types: ['@webgpu/types'] }, files: ['check.ts'] }));
    run(join(REPO, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app);

    // Inputs: an untrained tiny generator (it starts at bicubic) and a small photo.
    await initEngine({ log: () => {} });
    const g = new Generator(makeConfig('tiny').generator);
    writeFileSync(join(app, 'generator.safetensors'), await generatorToSafetensors(g, makeConfig('tiny')));
    g.dispose();
    destroyEngine();
    await sharp(join(REPO, 'data/photos/heldout/chelsea.png')).resize(40, 26).png().toFile(join(app, 'photo.png'));

    await build({ root: app, logLevel: 'warn', configFile: false, build: { outDir: join(app, 'dist'), target: 'es2022' } });
    const { server, url } = await serveDir(join(app, 'dist'));
    // generator.safetensors and photo.png are fetched at run time: serve them beside the page.
    cpSync(join(app, 'generator.safetensors'), join(app, 'dist/generator.safetensors'));
    cpSync(join(app, 'photo.png'), join(app, 'dist/photo.png'));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      echoPage(page);
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => /done|Error/.test(document.querySelector('#status')?.textContent ?? ''), { timeout: 120_000, polling: 250 });
      expect(await page.$eval('#status', (e) => e.textContent)).toBe('done: 40×26 → 160×104');
      const out = await page.$eval('#sr', async (img) => {
        const el = img as HTMLImageElement;
        await el.decode();
        const c = new OffscreenCanvas(el.naturalWidth, el.naturalHeight).getContext('2d')!;
        c.drawImage(el, 0, 0);
        const px = c.getImageData(0, 0, el.naturalWidth, el.naturalHeight).data;
        let sum = 0;
        for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
        return { w: el.naturalWidth, h: el.naturalHeight, mean: sum / (px.length * 0.75) / 255 };
      });
      expect([out.w, out.h]).toEqual([160, 104]);
      const input = await sharp(join(app, 'photo.png')).removeAlpha().raw().toBuffer();
      const inputMean = input.reduce((s, v) => s + v, 0) / input.length / 255;
      // An untrained residual-over-bicubic generator is bicubic plus a near-zero residual: same mean brightness.
      expect(Math.abs(out.mean - inputMean)).toBeLessThan(0.03);
    } finally {
      await browser.close();
      server.close();
    }
  });
});
