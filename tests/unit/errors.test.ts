/** Engine faults (issue 6) on the real adapter in Node; tests/browser/errors.test.ts runs the same scenarios in Chromium. */
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { errorScenarios } from '../browser/error-scenarios.js';

describe('engine faults are typed, clear, and lose no unrelated work', () => {
  beforeAll(async () => {
    await E.initEngine({ log: () => {} });
  });
  afterAll(() => E.destroyEngine());
  for (const [name, run] of Object.entries(errorScenarios)) it(name, run, 60_000);
});
