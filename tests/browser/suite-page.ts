/** Runs in headless Chromium: the op case suites through checkOp on the browser's adapter. */
import { initEngine, engine } from '../../src/engine/index.js';
import { checkOp, type CheckResult } from '../helpers/check-op.js';
import { browserSuites } from './suites.js';

async function runSuites(names: string[]): Promise<{ adapter?: unknown; results: CheckResult[]; error?: string }> {
  try {
    await initEngine({ backend: 'webgpu', log: (m) => console.warn(m) });
    const results: CheckResult[] = [];
    for (const name of names) for (const c of browserSuites[name] ?? []) results.push({ ...(await checkOp(c)), name: `${name}: ${c.name}` });
    return { adapter: engine().adapter, results };
  } catch (e) {
    return { results: [], error: (e as Error).stack ?? String(e) };
  }
}

(globalThis as unknown as { runSuites: typeof runSuites }).runSuites = runSuites;
