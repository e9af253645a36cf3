/** The registry of benchmark families. A new family is one file in this folder plus one line here. */
import type { BenchFamily } from './types.js';
import { matmulFamily } from './matmul.js';
import { conv3x3Family } from './conv3x3.js';

export const families: BenchFamily[] = [matmulFamily, conv3x3Family];
export type { BenchCase, BenchFamily, Tf } from './types.js';
