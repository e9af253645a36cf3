import { expect, it } from 'vitest';
import { forEachBackend } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check-op.js';
import { coreOpCases, linearCases } from '../cases/core-ops.js';

forEachBackend('core ops (forward vs float64, gradients vs finite differences)', () => {
  for (const c of [...coreOpCases, ...linearCases]) {
    it(c.name, async () => {
      const res = await checkOp(c);
      expect(res.message).toBe('ok');
    });
  }
});
