/** Shared optimizer plumbing: parameter list, per-parameter state tensors, zeroGrad. */
import { Tensor } from '../tensor.js';
import { zeros } from '../ops/fill.js';
import { keep } from '../scope.js';

export abstract class Optimizer {
  stepCount = 0;
  protected state = new Map<Tensor, Tensor[]>();

  constructor(readonly params: Tensor[], public lr: number) {
    for (const p of params) if (!p.requiresGrad) throw new Error(`optimizer: parameter ${p.name ?? p.id} does not require grad`);
  }

  /** Lazily created state tensors (zeros), owned by the optimizer. */
  protected slots(p: Tensor, count: number): Tensor[] {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = Array.from({ length: count }, () => keep(zeros(p.shape)))));
    return s;
  }

  /** Scalars that change every step, uploaded once and shared by all parameters of the step. */
  protected stepScalars(values: number[]): Tensor {
    return Tensor.fromArray(values, [values.length]);
  }

  abstract step(): void;

  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = undefined;
    }
  }

  dispose(): void {
    for (const s of this.state.values()) for (const t of s) t.dispose();
    this.state.clear();
  }
}
