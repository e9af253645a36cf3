/**
 * The npm package as a user gets it: `npm pack` (prepack builds the library and the CLI), install
 * the tarball offline into an empty folder, then, there: `npx srgan upscale` on a photo and on a
 * folder, the library imported from Node, the shipped type declarations compiled by strict
 * consumers, the README's links, and a Vite page importing the library in headless Chromium, which
 * gets an adapter, runs a kernel and upscales with the shipped model (a separate asset).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { build } from 'vite';
import { echoPage, launchChromium, serveDir } from '../helpers/headless-chromium.js';
import { writeConsumer } from './consumer.js';

const REPO = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'srgan-pkg-'));
const app = join(work, 'app');

function sh(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: e });
  }
}

/** `npx srgan …` in the consumer folder: exit code, output, and wall time. */
function srgan(...args: string[]) {
  const t0 = performance.now();
  // Without XDG_RUNTIME_DIR (as in CI and containers), where Vulkan would complain on stderr.
  const env = { ...process.env };
  delete env.XDG_RUNTIME_DIR;
  const r = spawnSync('npx', ['srgan', ...args], { cwd: app, encoding: 'utf8', timeout: 300_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

function folderBytes(dir: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    sum += e.isDirectory() ? folderBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return sum;
}

let files: string[];
beforeAll(() => {
  const name = sh('npm', ['pack', '--silent', '--pack-destination', work], REPO).trim().split('\n').pop()!;
  files = sh('tar', ['tzf', join(work, name)], work)
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''));
  mkdirSync(app);
  renameSync(join(work, name), join(app, 'pkg.tgz'));
  writeConsumer(app, REPO);
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', './pkg.tgz'], app);
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball, installed offline into an empty folder', () => {
  it('holds the built library, the compiled CLI, the shipped models and the docs, and nothing of the repo', () => {
    for (const f of [
      'dist/lib/engine.js',
      'dist/lib/srgan.js',
      'dist/lib/types/engine/index.d.ts',
      'dist/cli/srgan.js',
      'bin/srgan.mjs',
      'models/default/generator.safetensors',
      'models/srgan/generator.safetensors',
      'models/srgan/discriminator.safetensors',
      'package.json',
      'README.md',
      'docs/embedding.md',
      'dist/lib/srgan.d.ts',
    ])
      expect(files).toContain(f);
    expect(
      files.filter(
        (f) =>
          /^(src|tests|bench)\//.test(f) ||
          (f.startsWith('data/') && f !== 'data/MANIFEST.md') ||
          /\/(run|base-run)\//.test(f) ||
          (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      ),
    ).toEqual([]);
  });

  it('resolves every relative link of the README inside the package (the registry shows the README without the repository)', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(10);
    const dead = links.filter((l) => !files.some((f) => f === l || f.startsWith(l.endsWith('/') ? l : `${l}/`)));
    expect(dead).toEqual([]);
  });

  it('installs only what runs: no TF.js, app bundles, tsx or puppeteer', () => {
    const nm = join(app, 'node_modules');
    expect(existsSync(join(nm, 'srgan-webgpu/dist/cli/srgan.js'))).toBe(true);
    for (const dev of ['@tensorflow', 'lit', 'chart.js', 'tsx', 'puppeteer-core', 'vite', '@upscalerjs'])
      expect(existsSync(join(nm, dev)), dev).toBe(false);
    const mb = folderBytes(nm) / 2 ** 20;
    console.log(`runtime install: ${mb.toFixed(0)} MiB`);
    expect(mb).toBeLessThan(200); // 367 MiB before the dependencies were split (TF.js, UpscalerJS weights, lit, chart.js)
  });

  it('srgan --help answers from the compiled CLI, and a bad path fails in one line before the GPU starts', () => {
    const help = srgan('--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: srgan <command>/);
    for (const c of ['upscale', 'train', 'eval', 'interpolate', 'bench']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    console.log(`npx srgan --help: ${help.ms.toFixed(0)} ms (npx included)`);
    // What makes --help fast: it loads no native module (sharp, Dawn), only the command table.
    writeFileSync(
      join(app, 'probe.cjs'),
      "process.on('exit', () => process.stderr.write('loaded: ' + " +
        "JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules\\/(sharp|webgpu|@img)\\//.test(f))) + '\\n'));",
    );
    const t0 = performance.now();
    const direct = spawnSync('node', ['-r', './probe.cjs', 'node_modules/.bin/srgan', '--help'], { cwd: app, encoding: 'utf8' });
    console.log(`srgan --help without npx: ${(performance.now() - t0).toFixed(0)} ms`);
    expect(direct.status).toBe(0);
    expect(direct.stderr).toMatch(/^loaded: \[\]$/m);
    const up = srgan('upscale', '--help');
    expect(up.stdout).toMatch(/-i, --input <IMG\|DIR>/);

    const bad = srgan('upscale', '-i', 'nowhere.png', '-o', 'x.png');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('srgan upscale: input not found: nowhere.png');
  });

  it('npx srgan upscale: a photo to JPEG (default and srgan models), and a folder, skipping an unreadable file with one warning', async () => {
    await sharp(join(REPO, 'data/photos/heldout/chelsea.png')).resize(40, 26).png().toFile(join(app, 'photo.png'));
    const one = srgan('upscale', '-i', 'photo.png', '-o', 'photo_x4.jpg');
    expect(one.code, one.stderr).toBe(0);
    expect(await sharp(join(app, 'photo_x4.jpg')).metadata()).toMatchObject({ format: 'jpeg', width: 160, height: 104 });
    expect(one.stderr).not.toMatch(/XDG_RUNTIME_DIR/);
    const gan = srgan('upscale', '-n', 'srgan', '-i', 'photo.png', '-o', 'photo_srgan.png');
    expect(gan.code, gan.stderr).toBe(0);
    expect(await sharp(join(app, 'photo_srgan.png')).metadata()).toMatchObject({ format: 'png', width: 160, height: 104 });

    mkdirSync(join(app, 'in'));
    mkdirSync(join(app, 'out'));
    await sharp(join(REPO, 'data/photos/heldout/coffee.png')).resize(28, 20).webp().toFile(join(app, 'in/b.webp'));
    await sharp(join(app, 'photo.png')).toFile(join(app, 'in/a.png'));
    writeFileSync(join(app, 'in/broken.png'), 'not an image');
    const dir = srgan('upscale', '-i', 'in', '-o', 'out');
    expect(dir.code, dir.stderr).toBe(0);
    expect(readdirSync(join(app, 'out')).sort()).toEqual(['a_x4.png', 'b_x4.png']);
    expect(await sharp(join(app, 'out/b_x4.png')).metadata()).toMatchObject({ format: 'png', width: 112, height: 80 });
    expect(dir.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([expect.stringMatching(/^warning: skipping in\/broken\.png: /)]);
    expect(dir.stdout).toMatch(/upscaled 2 of 3 files into out \(1 skipped\)/);
  });

  it('imports srgan-webgpu and srgan-webgpu/srgan from Node and runs a kernel on Dawn', () => {
    writeFileSync(
      join(app, 'node-check.mjs'),
      [
        "const E = await import('srgan-webgpu');",
        "const S = await import('srgan-webgpu/srgan');",
        'const eng = await E.initEngine({ log: () => {} });',
        'const y = await E.matmul(E.Tensor.fromArray([1, 2, 3, 4], [2, 2]), E.Tensor.fromArray([5, 6, 7, 8], [2, 2])).read();',
        "console.log(JSON.stringify({ y: [...y], scale: S.makeConfig('tiny').generator.scale, upscale: typeof S.upscaleImage }));",
        'E.destroyEngine();',
        'process.exit(0);',
      ].join('\n'),
    );
    const out = JSON.parse(sh('node', ['node-check.mjs'], app).trim().split('\n').pop()!);
    expect(out).toEqual({ y: [19, 22, 43, 50], scale: 4, upscale: 'function' });
  });

  it('type-checks strict consumers with no setup of their own: no @webgpu/types in their config, Node16 and bundler resolution', () => {
    writeFileSync(
      join(app, 'check.ts'),
      [
        "import { initEngine, type Engine } from 'srgan-webgpu';",
        "import { createUpscaler, upscaleImage, generatorFromSafetensors, type HostImage } from 'srgan-webgpu/srgan';",
        'export async function f(d: GPUDevice, img: HostImage, b: Uint8Array, signal: AbortSignal): Promise<number> {',
        '  const e: Engine = await initEngine({ device: d });',
        '  const { generator } = generatorFromSafetensors(b);',
        "  const sr = await createUpscaler({ device: d, model: 'esrgan-slim', scale: 2 }).upscale({ data: new Uint8ClampedArray(16), width: 2, height: 2 }, { signal, onProgress: (n: number, t: number) => n / t });",
        '  return (await upscaleImage((x) => generator.forward(x), img)).width + e.submits + sr.width;',
        '}',
        '// @ts-expect-error upscaleImage needs an image',
        'upscaleImage((x) => x);',
      ].join('\n'),
    );
    // What `tsc --init` writes today (TypeScript 5.9): nodenext, strict, and `types: []` (no ambient packages).
    const strict = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', types: [] as string[] };
    for (const [name, opts] of [
      ['tsconfig.node16.json', { ...strict, module: 'nodenext', moduleResolution: 'nodenext' }],
      ['tsconfig.bundler.json', { ...strict, module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'] }],
    ] as const) {
      writeFileSync(join(app, name), JSON.stringify({ compilerOptions: opts, files: ['check.ts'] }));
      sh(join(REPO, 'node_modules/.bin/tsc'), ['-p', name], app);
    }
  });

  it('a Vite page importing the library gets an adapter in headless Chromium, runs a kernel, and upscales with the shipped model fetched as a separate asset', async () => {
    const page = join(app, 'page');
    mkdirSync(page);
    writeFileSync(join(page, 'index.html'), '<!doctype html><meta charset="utf-8"><title>pkg</title><script type="module" src="./main.js"></script>');
    writeFileSync(
      join(page, 'main.js'),
      [
        "import { initEngine, matmul, Tensor } from 'srgan-webgpu';",
        "import { createUpscaler, makeConfig } from 'srgan-webgpu/srgan';",
        'try {',
        '  const eng = await initEngine();',
        '  const y = await matmul(Tensor.fromArray([1, 2, 3, 4], [2, 2]), Tensor.fromArray([5, 6, 7, 8], [2, 2])).read();',
        '  const sr = await createUpscaler({ device: eng.device }).upscale(new ImageData(new Uint8ClampedArray(6 * 5 * 4).fill(128), 6, 5));',
        "  const models = performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.endsWith('.safetensors'));",
        "  globalThis.result = { adapter: eng.adapter.description || eng.adapter.architecture || '?', y: [...y], scale: makeConfig('tiny').generator.scale, sr: [sr.width, sr.height], models };",
        '} catch (e) {',
        '  globalThis.result = { error: String(e) };',
        '}',
      ].join('\n'),
    );
    await build({ root: page, logLevel: 'warn', configFile: false, build: { outDir: join(page, 'dist'), target: 'es2022' } });
    // The shipped generators are files beside the bundle, not base64 inside it (about 1 MB that every page would load).
    const assets = readdirSync(join(page, 'dist/assets'));
    expect(assets.filter((f) => f.endsWith('.safetensors')).length).toBeGreaterThanOrEqual(1);
    for (const js of assets.filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(page, 'dist/assets', js), 'utf8');
      expect(code.includes('application/octet-stream;base64'), js).toBe(false);
      expect(code.length, js).toBeLessThan(600_000);
    }
    const { server, url } = await serveDir(join(page, 'dist'));
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      echoPage(tab);
      await tab.goto(url, { waitUntil: 'load' });
      await tab.waitForFunction(() => 'result' in globalThis, { timeout: 120_000, polling: 250 });
      const result = await tab.evaluate(() => (globalThis as unknown as { result: Record<string, unknown> }).result);
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ y: [19, 22, 43, 50], scale: 4, sr: [24, 20] });
      // Fetched when the model loaded: one generator file, the default one.
      expect(result.models).toEqual([expect.stringMatching(/\/assets\/generator-[\w-]+\.safetensors$/)]);
      expect(result.adapter).toEqual(expect.any(String));
    } finally {
      await browser.close();
      server.close();
    }
  });
});
