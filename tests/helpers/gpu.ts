/** Test setup: the real adapter or a failing test. There is no skip path. */
import { beforeAll, afterAll, expect, it } from 'vitest';
import { initEngine, destroyEngine, ShapeError, type Engine } from '../../src/engine/index.js';

export function useEngine(): () => Engine {
  let eng: Engine | undefined;
  beforeAll(async () => {
    eng = await initEngine({ log: () => {} });
  });
  afterAll(() => destroyEngine());
  return () => {
    if (!eng) throw new Error('engine not initialised');
    return eng;
  };
}

/** One test per case: `fn` throws a ShapeError matching `msg`, and nothing reached the GPU queue. */
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
