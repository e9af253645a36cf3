/**
 * Test setup: a real engine of the backend asked for, or a failing test. There is no skip path:
 * a backend that cannot start (no adapter, no WebAssembly threads) fails every test of its block.
 */
import { beforeAll, beforeEach, afterAll, describe, expect, it } from 'vitest';
import { initEngine, destroyEngine, ShapeError, type Engine } from '../../src/engine/index.js';
import { checkOp, type OpCase } from './check-op.js';

export type Backend = Engine['kind'];
export const BACKENDS: readonly Backend[] = ['cpu', 'webgpu'];

export interface EngineChoice {
  /** Threads of the CPU backend (default: every core). */
  threads?: number;
}

/**
 * One engine for the enclosing describe block (or file): `backend` when given, else whatever
 * initEngine picks (SRGAN_BACKEND, else its default). The engine is a process-wide singleton, so
 * blocks that each call useEngine must be siblings, never nested.
 */
export function useEngine(backend?: Backend, choice: EngineChoice = {}): () => Engine {
  let eng: Engine | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      eng = await initEngine({ log: () => {}, backend, threads: choice.threads });
      if (backend && eng.kind !== backend)
        throw new Error(`asked for the ${backend} backend, but an engine of the ${eng.kind} backend is still alive (nested useEngine?)`);
    } catch (e) {
      failure = e;
    }
  });
  // Rethrown per test, so that every test of the block fails (vitest reports the tests of a block
  // whose beforeAll threw as skipped).
  beforeEach(() => {
    if (failure) throw failure;
  });
  afterAll(() => destroyEngine());
  return () => {
    if (!eng) throw new Error('engine not initialised');
    return eng;
  };
}

/**
 * The backends an op suite runs on: both, or only the one SRGAN_BACKEND names (to run one
 * backend's cases while working on it).
 */
export function suiteBackends(): readonly Backend[] {
  const env = process.env.SRGAN_BACKEND;
  return env === 'cpu' || env === 'webgpu' ? [env] : BACKENDS;
}

/**
 * Run `body` once per backend, each in its own describe block with its own engine. `body` gets
 * the backend (to pick a case subset) and the engine accessor.
 */
export function forEachBackend(
  title: string,
  body: (backend: Backend, engineOf: () => Engine) => void,
  backends: readonly Backend[] = suiteBackends(),
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      const engineOf = useEngine(backend);
      body(backend, engineOf);
    });
  }
}

/**
 * The CPU backend on two threads and on one (its kernels split work across threads only above a
 * size, so callers include cases that large): `body` runs once per thread count, in its own block,
 * after a test that the engine really has that many threads. Nothing when SRGAN_BACKEND=webgpu.
 */
export function forEachCpuThreading(title: string, body: (threads: number) => void): void {
  if (!suiteBackends().includes('cpu')) return;
  for (const threads of [2, 1]) {
    describe(`${title} [cpu, ${threads} thread${threads > 1 ? 's' : ''}]`, () => {
      const engineOf = useEngine('cpu', { threads });
      it(`runs on ${threads} thread(s)`, () => {
        const eng = engineOf();
        expect(eng.kind === 'cpu' ? eng.threadCount : 0).toBe(threads);
      });
      body(threads);
    });
  }
}

/** One test per op case: forward vs float64, gradients vs finite differences (checkOp). */
export function checkOpTests(cases: readonly OpCase[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const res = await checkOp(c);
      expect(res.message).toBe('ok');
    });
  }
}

/** One test per case: `fn` throws a ShapeError matching `msg`, and no kernel ran. */
export function shapeErrorCases(engineOf: () => Engine, cases: [string, () => unknown, RegExp][]): void {
  for (const [name, fn, msg] of cases) {
    it(name, () => {
      const before = engineOf().submits;
      expect(fn).toThrow(ShapeError);
      expect(fn).toThrow(msg);
      expect(engineOf().submits).toBe(before);
    });
  }
}
