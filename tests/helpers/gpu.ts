/** Test setup: the real adapter or a failing test. There is no skip path. */
import { beforeAll, afterAll } from 'vitest';
import { initEngine, destroyEngine, type Engine } from '../../src/engine/index.js';

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
