/**
 * Run a TypeScript entry in headless Chromium on the machine's WebGPU adapter: bundle it with
 * esbuild, serve it from 127.0.0.1 (WebGPU needs a secure context; localhost is one) and open it
 * with puppeteer-core driving Debian's chromium. Shared by the browser tests and the benchmark.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the --disable-* flags Chromium keeps trying to reach Google services on a closed network.
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function bundleForBrowser(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    // No externals: the pages import platform-neutral modules only (Node-only ones are named *node.ts).
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};
// Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs (for timings).
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serve in-memory files (path → [content type, body]) on 127.0.0.1 at a free port. */
function serveFiles(lookup: (path: string) => [string, string | Uint8Array] | undefined): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const hit = lookup(path === '/' ? '/index.html' : path);
    if (!hit) return void res.writeHead(path === '/favicon.ico' ? 204 : 404, ISOLATION).end();
    res.writeHead(200, { ...ISOLATION, 'content-type': `${hit[0]}; charset=utf-8` });
    res.end(hit[1]);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (!addr || typeof addr === 'string') return reject(new Error('server has no port'));
      resolve({ server, url: `http://127.0.0.1:${addr.port}/` });
    });
  });
}

/** A page that runs one bundled script. */
export function serveScript(script: string, title = 'srgan-webgpu'): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/main.js"></script>`;
  return serveFiles((p) => (p === '/main.js' ? ['text/javascript', script] : p === '/index.html' ? ['text/html', html] : undefined));
}

/** A built site (e.g. vite's dist/). Paths are confined to `dir`. */
export function serveDir(dir: string): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  return serveFiles((p) => {
    const file = resolve(join(root, decodeURIComponent(p)));
    if (!file.startsWith(root + sep) || !existsSync(file)) return undefined;
    return [TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file)];
  });
}

/** Launch headless Chromium with WebGPU on this machine's adapter. */
export function launchChromium(): Promise<Browser> {
  // Long evaluations (a whole suite or bench in one call): no protocol timeout.
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, protocolTimeout: 0 });
}

/** Forward the page's console and errors to stderr, prefixed. */
export function echoPage(page: Page): void {
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${(e as Error).message}\n`));
}

/**
 * Bundle `entry`, open it, wait until it defines `globalThis[ready]`, and hand the page to `fn`.
 * Page console output goes to stderr with a prefix. Browser and server are closed afterwards.
 */
export async function withChromiumPage<T>(entry: string, ready: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const { server, url } = await serveScript(await bundleForBrowser(entry));
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    echoPage(page);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction((name) => name in globalThis, { timeout: 60_000 }, ready);
    return await fn(page);
  } finally {
    await browser?.close();
    server.close();
  }
}
