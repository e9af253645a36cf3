/**
 * The run report's files (run-report.ts) in any RunStore: the run folder on disk and a browser
 * run in IndexedDB get the same names. Plots are stored as PNG where the store can rasterise SVG
 * (Node); PNGs are read back where it can decode them (Node), and otherwise read as absent, so a
 * resumed browser run recomputes what it needs instead of failing.
 */
import type { ReportFiles } from './run-report.js';
import type { RunStore } from '../store/run-store.js';

export function reportFilesIn(store: RunStore): ReportFiles {
  const write = (name: string, bytes: Uint8Array) => store.commit([[name, bytes]]);
  return {
    writePng: async (name, image) => write(name, await store.encodePng(image)),
    readPng: async (name) => {
      const bytes = store.decodePng && (await store.read(name));
      return bytes ? store.decodePng!(bytes) : undefined;
    },
    writeText: (name, text) => write(name, new TextEncoder().encode(text)),
    readText: async (name) => {
      const bytes = await store.read(name);
      return bytes && new TextDecoder().decode(bytes);
    },
    writePlot: async (name, svg) => {
      if (store.rasterizeSvg) await write(name, await store.rasterizeSvg(svg));
    },
  };
}
