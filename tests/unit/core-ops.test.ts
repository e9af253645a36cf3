import { describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check-op.js';
import { coreOpCases, linearCases } from '../cases/core-ops.js';

describe('core ops on the real adapter (forward vs float64, gradients vs finite differences)', () => {
  useEngine();
  for (const c of [...coreOpCases, ...linearCases]) {
    it(c.name, async () => {
      const res = await checkOp(c);
      expect(res.message).toBe('ok');
    });
  }
});
