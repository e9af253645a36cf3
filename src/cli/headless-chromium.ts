/**
 * Run a TypeScript entry in headless Chromium on the machine's WebGPU adapter: bundle it with
 * esbuild, serve it from 127.0.0.1 (WebGPU needs a secure context; localhost is one) and open it
 * with puppeteer-core driving Debian's chromium. Shared by the browser tests and the benchmark.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the --disable-* flags Chromium keeps trying to reach Google services on a closed network.
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export async function bundleForBrowser(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false,
    logLevel: 'warning',
    // The engine reaches Dawn and node:fs only through dynamic imports that never run in a browser.
    external: ['webgpu', 'node:*'],
  });
  return out.outputFiles[0].text;
}

export function serveScript(script: string, title = 'srgan-webgpu'): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/main.js"></script>`;
  // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs (for timings).
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = createServer((req, res) => {
    const [type, body] = req.url === '/main.js' ? ['text/javascript', script] : req.url === '/' ? ['text/html', html] : [];
    if (!body) return void res.writeHead(req.url === '/favicon.ico' ? 204 : 404, isolation).end();
    res.writeHead(200, { ...isolation, 'content-type': `${type}; charset=utf-8` });
    res.end(body);
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

/**
 * Bundle `entry`, open it, wait until it defines `globalThis[ready]`, and hand the page to `fn`.
 * Page console output goes to stderr with a prefix. Browser and server are closed afterwards.
 */
export async function withChromiumPage<T>(entry: string, ready: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const { server, url } = await serveScript(await bundleForBrowser(entry));
  let browser: Browser | undefined;
  try {
    // Long evaluations (a whole suite or bench in one call): no protocol timeout.
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, protocolTimeout: 0 });
    const page = await browser.newPage();
    page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    page.on('pageerror', (e) => process.stderr.write(`[page error] ${(e as Error).message}\n`));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction((name) => name in globalThis, { timeout: 60_000 }, ready);
    return await fn(page);
  } finally {
    await browser?.close();
    server.close();
  }
}
