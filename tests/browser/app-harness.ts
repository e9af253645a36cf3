/**
 * The built app in headless Chromium, for the app*.test.ts files: build once with vite into a
 * temporary folder, serve it on 127.0.0.1, and find elements through every shadow root (Lit
 * renders into them) the way a person sees the page, by id or by visible text.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { echoPage, launchChromium, serveDir } from '../helpers/headless-chromium.js';

export const ARTIFACTS = 'test-artifacts';

export interface AppSession {
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

/** Build the app (index.html) and launch Chromium. A missing Chromium or build error throws: the test fails. */
export async function startApp(): Promise<AppSession> {
  const outDir = mkdtempSync(join(tmpdir(), 'srgan-app-'));
  // Vitest sets NODE_ENV=test, which would make vite pick Lit's development build: build as production.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = env;
  }
  const { server, url } = await serveDir(outDir);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    closeServer(server, outDir);
    throw e;
  }
  return {
    browser,
    url,
    async close() {
      await browser.close();
      closeServer(server, outDir);
    },
  };
}

function closeServer(server: Server, outDir: string): void {
  server.close();
  rmSync(outDir, { recursive: true, force: true });
}

/** A fresh page on the app, with console output echoed, once the adapter (or the fatal message) shows. */
export async function openApp(s: AppSession, context = s.browser.defaultBrowserContext()): Promise<Page> {
  const page = await context.newPage();
  echoPage(page);
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(s.url, { waitUntil: 'load' });
  await waitDeep(page, '#adapter, #fatal', 60_000);
  return page;
}

/** Selector → first match in the document or any shadow root, in the page. */
const DEEP = `(sel) => {
  const walk = (root) => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { const h = walk(el.shadowRoot); if (h) return h; }
    return null;
  };
  return walk(document);
}`;

export async function deep(page: Page, sel: string): Promise<ElementHandle<Element> | null> {
  const h = await page.evaluateHandle(`(${DEEP})(${JSON.stringify(sel)})`);
  const el = h.asElement() as ElementHandle<Element> | null;
  if (!el) await h.dispose();
  return el;
}

/** Wait until `sel` exists (and, with `test`, until test(element) is true in the page). */
export async function waitDeep(page: Page, sel: string, timeout = 60_000, test = 'true'): Promise<ElementHandle<Element>> {
  await page.waitForFunction(`(() => { const el = (${DEEP})(${JSON.stringify(sel)}); return !!el && ((el) => ${test})(el); })()`, {
    timeout,
    polling: 250,
  });
  return (await deep(page, sel))!;
}

export async function textOf(page: Page, sel: string): Promise<string> {
  const el = await waitDeep(page, sel);
  return el.evaluate((e) => (e as HTMLElement).innerText ?? e.textContent ?? '');
}

export async function clickDeep(page: Page, sel: string): Promise<void> {
  const el = await waitDeep(page, sel, 60_000, '!el.disabled');
  await el.click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** Drop a file on the drop zone inside `dropSel` (an <image-drop>), as a drag from the desktop would. */
export async function dropFiles(page: Page, dropSel: string, files: { name: string; type: string; bytes: Uint8Array }[]): Promise<void> {
  const zone = await waitDeep(page, dropSel);
  await zone.evaluate(
    (el, list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      const target = el.shadowRoot!.querySelector('.zone')!;
      for (const type of ['dragover', 'drop'])
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, composed: true, cancelable: true }));
    },
    files.map((f) => ({ name: f.name, type: f.type, b64: Buffer.from(f.bytes).toString('base64') })),
  );
}

/** Let the page save downloads into `dir`. */
export async function allowDownloads(page: Page, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
}

/** Type a value into an input (inside any shadow root) as a person would, firing input and change. */
export async function setField(page: Page, sel: string, value: string): Promise<void> {
  const el = await waitDeep(page, sel);
  await el.evaluate((e, v) => {
    const input = e as HTMLInputElement;
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  }, value);
}

/** The number in the text of `sel` matched by `re`'s first group. */
export async function numberIn(page: Page, sel: string, re: RegExp): Promise<number> {
  const m = re.exec(await textOf(page, sel));
  if (!m) throw new Error(`${sel}: no match for ${re}`);
  return Number(m[1]);
}

/** One built app and browser for a test file, plus a folder that receives the pages' downloads. */
export function useApp(): { session: () => AppSession; downloads: string } {
  let s: AppSession | undefined;
  const downloads = mkdtempSync(join(tmpdir(), 'srgan-dl-'));
  beforeAll(async () => {
    s = await startApp();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(downloads, { recursive: true, force: true });
  });
  return { session: () => s!, downloads };
}

/** Wait (up to 10 s) for a download to land. */
export async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 40 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 250));
  if (!existsSync(path)) throw new Error(`no download at ${path}`);
}
