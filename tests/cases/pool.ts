/** Max-pool op cases (forward vs float64, gradient vs finite differences), for the Node suite and,
 * when the browser suite lists them, Chromium. Random normal inputs have no ties, so every window's
 * argmax is unique and a 1e-5 finite-difference step never changes it. */
import { maxPool2d } from '../../src/engine/index.js';
import { refMaxPool2d } from '../../src/engine/testing.js';
import type { OpCase } from '../helpers/check-op.js';

const pool = (name: string, shape: number[], k: number, s: number): OpCase => ({
  name,
  inputs: [{ shape }],
  gpu: (x) => maxPool2d(x, k, s),
  ref: (x) => refMaxPool2d(x, k, s),
  atol: 0,
  rtol: 0,
});

export const poolCases: OpCase[] = [
  pool('max_pool2d 2×2 stride 2, even [2,3,6,8]', [2, 3, 6, 8], 2, 2),
  // Odd sizes: the last row and column belong to no window (floor mode) and get no gradient.
  pool('max_pool2d 2×2 stride 2, odd [3,2,7,5]', [3, 2, 7, 5], 2, 2),
  pool('max_pool2d 3×3 stride 2, overlapping [2,3,7,9]', [2, 3, 7, 9], 3, 2),
  pool('max_pool2d 2×2 stride 1, overlapping [1,2,5,6]', [1, 2, 5, 6], 2, 1),
  pool('max_pool2d 2×2 stride 3, gaps [1,2,8,7]', [1, 2, 8, 7], 2, 3),
];
