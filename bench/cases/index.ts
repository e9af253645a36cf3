/** The registry of benchmark families. A new family is one file in this folder plus one line here. */
import type { BenchFamily } from './types.js';
import { matmulFamily } from './matmul.js';
import { conv3x3Family, convCases } from './conv3x3.js';
import { matmulCase } from './matmul.js';
import { reductionsFamily } from './reductions.js';
import { esrganFamily } from './esrgan.js';
import { srganFamily } from './srresnet.js';

/** Real-GPU sizes, where the standard cases are launch-bound: `--cases gpu-large`. */
const gpuLargeFamily: BenchFamily = {
  name: 'gpu-large',
  optIn: true,
  cases: [
    matmulCase(2048),
    matmulCase(4096),
    ...convCases({ h: 128, w: 128, c: 128 }),
    ...convCases({ h: 256, w: 256, c: 64 }),
    ...convCases({ h: 128, w: 128, c: 128, stride: 2 }),
  ],
};

export const families: BenchFamily[] = [matmulFamily, conv3x3Family, reductionsFamily, esrganFamily, gpuLargeFamily, srganFamily];
export type { BenchCase, BenchFamily, Tf } from './types.js';
