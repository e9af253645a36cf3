/**
 * The data pipeline's random generator: mulberry32, whose whole state is one uint32. That makes an
 * exact resume trivial: save `state`, set it back, and the following draws are the ones an
 * uninterrupted run would have made.
 */
export class SeededRng {
  private s: number;
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`SeededRng: seed must be a finite number, got ${seed}`);
    // Spread small seeds (1, 2, 3…) apart so neighbouring seeds do not start in step.
    this.s = Math.imul((Math.trunc(seed) ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
  }
  get state(): number {
    return this.s;
  }
  set state(v: number) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`SeededRng: state must be a uint32, got ${v}`);
    this.s = v;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
