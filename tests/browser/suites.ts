/** The case lists that also run in Chromium (the same lists the Node suite runs). */
import type { OpCase } from '../helpers/check-op.js';
import { coreOpCases, linearCases } from '../cases/core-ops.js';
import { matmulCases, matmulKernels } from '../cases/matmul.js';
import { conv2dCases } from '../cases/conv2d.js';
import { layerCases } from '../cases/layers.js';
import { poolCases } from '../cases/pool.js';

export const browserSuites: Record<string, OpCase[]> = {
  core: [...coreOpCases, ...linearCases],
  // The adapter's default kernel, and the real-GPU workgroup kernel forced on whatever adapter this is.
  matmul: [...matmulCases({}), ...matmulCases(matmulKernels['workgroup 4x1 tk32 auto split-K'])],
  layers: layerCases,
  conv2d: conv2dCases,
  pool: poolCases,
};
