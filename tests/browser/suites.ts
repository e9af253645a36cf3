/** The case lists that also run in Chromium (the same lists the Node suite runs). */
import type { OpCase } from '../helpers/check-op.js';
import { coreOpCases } from '../cases/core-ops.js';
import { layerCases } from '../cases/layers.js';

export const browserSuites: Record<string, OpCase[]> = {
  core: coreOpCases,
  layers: layerCases,
};
