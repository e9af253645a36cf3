/** Shared optimizer plumbing: parameter list, per-parameter state tensors, zeroGrad. */
import { Tensor } from '../tensor.js';
import { zeros } from '../ops/fill.js';
import { keep } from '../scope.js';
import { EngineError } from '../errors.js';

export abstract class Optimizer {
  stepCount = 0;
  protected state = new Map<Tensor, Tensor[]>();

  constructor(
    readonly params: Tensor[],
    public lr: number,
  ) {
    for (const p of params) if (!p.requiresGrad) throw new EngineError(`optimizer: parameter ${p.name ?? p.id} does not require grad`);
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

  /** The state tensors of `p` (e.g. Adam's m and v), or none before its first step: for checkpoints. */
  slotsOf(p: Tensor): readonly Tensor[] {
    return this.state.get(p) ?? [];
  }

  /**
   * Restore the state tensors of `p` from host data (resume from a checkpoint). The slots take
   * ownership of the given tensors; their shapes must equal the parameter's.
   */
  setSlots(p: Tensor, values: Tensor[]): void {
    if (!this.params.includes(p)) throw new EngineError(`optimizer: ${p.name ?? p.id} is not one of its parameters`);
    for (const v of values)
      if (v.size !== p.size) throw new EngineError(`optimizer: state for ${p.name ?? p.id} has ${v.size} values, expected ${p.size}`);
    for (const old of this.state.get(p) ?? []) old.dispose();
    this.state.set(
      p,
      values.map((v) => keep(v)),
    );
  }

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
