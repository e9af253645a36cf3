/** What a benchmark family provides: cases that set themselves up on our engine and on TF.js. */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Runner } from '../harness.js';
import { Rng } from '../../src/engine/index.js';

/** The TF.js core module, passed in: the browser imports it statically, Node only after `navigator.gpu` exists. */
export type Tf = typeof TfCore;

export interface BenchCase {
  /** JSON key, e.g. `matmul_512`. */
  key: string;
  /** Floating-point operations of one timed step, for the GFLOPS column. */
  flops: number;
  ours(): Runner;
  tfjs(tf: Tf): Runner;
}

export interface BenchFamily {
  /** Name accepted by `--cases`. */
  name: string;
  cases: BenchCase[];
  /** Run only when named in --cases (sizes meant for real GPUs, far too slow on a CPU adapter). */
  optIn?: boolean;
}

/** Seeded uniform data in [-scale, scale): both engines get the same numbers. */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-scale, scale);
  return out;
}
