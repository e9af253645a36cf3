/** Runs in headless Chromium: the engine fault scenarios (error-scenarios.ts) on the browser's adapter. */
import { initEngine, engine, destroyEngine } from '../../src/engine/index.js';
import { errorScenarios } from './error-scenarios.js';

type Result = { name: string; ok: boolean; message: string };

async function runErrorScenarios(): Promise<{ adapter?: unknown; results: Result[]; error?: string }> {
  try {
    await initEngine({ backend: 'webgpu', log: (m) => console.warn(m) });
    const adapter = engine().adapter;
    const results: Result[] = [];
    for (const [name, run] of Object.entries(errorScenarios)) {
      try {
        await run();
        results.push({ name, ok: true, message: '' });
      } catch (e) {
        results.push({ name, ok: false, message: (e as Error).stack ?? String(e) });
      }
    }
    destroyEngine();
    return { adapter, results };
  } catch (e) {
    return { results: [], error: (e as Error).stack ?? String(e) };
  }
}

(globalThis as unknown as { runErrorScenarios: typeof runErrorScenarios }).runErrorScenarios = runErrorScenarios;
