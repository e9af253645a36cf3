/**
 * Runs in headless Chromium: createUpscaler as a page uses it, on the page's own GPUDevice. The
 * shipped default model is fetched from its URL relative to the module (the test serves /models/),
 * the inputs are the kinds a page has (ImageData, Blob, <img>, canvas), and esrgan-slim's output
 * is checked for edge stripes.
 */
import { createUpscaler } from '../../src/srgan/serve/upscaler.js';

export interface UpscalerPageOutcome {
  error?: string;
  sizes: string[];
  progress: [number, number][];
  aborted?: string;
  /** esrgan-slim on a smooth input: see edgeRatio. */
  edgeRatio?: number;
}

function pattern(w: number, h: number): ImageData {
  const img = new ImageData(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data.set([(x * 37) % 256, (y * 53) % 256, ((x ^ y) & 4) * 40, 255], (y * w + x) * 4);
  return img;
}

function smooth(w: number, h: number): ImageData {
  const img = new ImageData(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      img.data.set([255 * (0.2 + (0.6 * x) / w), 255 * (0.2 + (0.6 * y) / h), 255 * (0.5 + 0.2 * Math.sin((x + y) / 8)), 255], (y * w + x) * 4);
  return img;
}

function canvasOf(img: ImageData): HTMLCanvasElement {
  const c = document.createElement('canvas');
  [c.width, c.height] = [img.width, img.height];
  c.getContext('2d')!.putImageData(img, 0, 0);
  return c;
}

/**
 * Stripes without a reference: mean |Laplacian| of the output in the outer 12 pixels over that in the
 * next 12. A smooth input gives a smooth output, so about 1; esrgan-slim's edge stripes made it 1.9
 * (measured in Node, where the test can also turn the edge mirror off).
 */
function edgeRatio(sr: { data: Uint8ClampedArray; width: number }): number {
  const side = sr.width,
    v = (x: number, y: number, c: number) => sr.data[(y * side + x) * 4 + c];
  const band = (lo: number, hi: number) => {
    let sum = 0,
      n = 0;
    for (let y = 1; y < side - 1; y++)
      for (let x = 1; x < side - 1; x++) {
        const d = Math.min(x, y, side - 1 - x, side - 1 - y);
        if (d < lo || d >= hi) continue;
        for (let c = 0; c < 3; c++) sum += Math.abs(4 * v(x, y, c) - v(x - 1, y, c) - v(x + 1, y, c) - v(x, y - 1, c) - v(x, y + 1, c));
        n += 3;
      }
    return sum / n;
  };
  return band(1, 12) / band(12, 24);
}

async function runUpscaler(): Promise<UpscalerPageOutcome> {
  const out: UpscalerPageOutcome = { sizes: [], progress: [] };
  try {
    const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
    const up = createUpscaler({ device, tile: 6, overlap: 4 });
    const img = pattern(9, 7);
    const offscreen = new OffscreenCanvas(img.width, img.height);
    offscreen.getContext('2d')!.putImageData(img, 0, 0);
    const blob = await offscreen.convertToBlob({ type: 'image/png' });
    const element = new Image();
    element.src = URL.createObjectURL(blob);
    const inputs = [img, blob, element, canvasOf(img), await createImageBitmap(img)];
    for (const [i, input] of inputs.entries()) {
      const sr = await up.upscale(input, { onProgress: i === 0 ? (d, n) => out.progress.push([d, n]) : undefined });
      out.sizes.push(`${input.constructor.name} ${sr.width}×${sr.height} ${sr instanceof ImageData ? 'ImageData' : 'object'}`);
    }
    const abort = new AbortController();
    await up.upscale(pattern(20, 20), { signal: abort.signal, onProgress: () => abort.abort() }).catch((e: Error) => {
      out.aborted = e.name;
    });
    await up.dispose();

    // esrgan-slim's model.json is served by the test; a page names where (Node finds it in node_modules).
    const slim = createUpscaler({ device, model: 'esrgan-slim', modelUrl: '/pretrained/esrgan-slim/x4/model.json', overlap: 8 });
    const input = smooth(20, 20);
    out.edgeRatio = edgeRatio(await slim.upscale(input));
    await slim.dispose();
  } catch (e) {
    out.error = (e as Error).stack ?? String(e);
  }
  return out;
}

(globalThis as unknown as { runUpscaler: typeof runUpscaler }).runUpscaler = runUpscaler;
