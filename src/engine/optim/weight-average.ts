/**
 * An exponential moving average of weights (Polyak averaging), kept beside the trained ones:
 * after each optimizer step, average ← decay·average + (1 − decay)·weight, in place, one fused
 * dispatch per tensor. This is BasicSR's `ema_decay` (its `net_g_ema`) and TensorFlow's
 * `ExponentialMovingAverage`: the average of the last ~1/(1 − decay) iterates has less of the
 * optimizer's step noise than any one of them, which is worth a few hundredths of a dB in PSNR
 * for a super-resolution model at no training cost.
 *
 * With `warmup` (TensorFlow's `num_updates`), the n-th update uses min(decay, (1 + n)/(10 + n)),
 * so that in a short run, or one whose average starts late, the starting weights fade quickly.
 */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { weightAverageKernel } from '../kernels/optim.js';
import { weightAverageCpu } from '../ops/cpu/optim.js';
import { EngineError } from '../errors.js';

export interface WeightAverageOptions {
  decay: number;
  warmup?: boolean;
  /** Updates already folded into the averages (a resumed average). */
  updates?: number;
}

export class WeightAverage {
  readonly decay: number;
  readonly warmup: boolean;
  updates: number;

  /** `pairs`: [average, weight] tensors of equal size; the averages are written in place. */
  constructor(
    readonly pairs: readonly (readonly [average: Tensor, weight: Tensor])[],
    opts: WeightAverageOptions,
  ) {
    if (!(opts.decay >= 0 && opts.decay < 1)) throw new EngineError(`weight average: decay must be in [0, 1), got ${opts.decay}`);
    for (const [a, w] of pairs)
      if (a.size !== w.size || a === w)
        throw new EngineError(`weight average: ${a.name ?? a.id} (${a.size} values) cannot average ${w.name ?? w.id} (${w.size} values)`);
    this.decay = opts.decay;
    this.warmup = opts.warmup ?? true;
    this.updates = opts.updates ?? 0;
  }

  /** The decay the next update will use. */
  nextDecay(): number {
    const n = this.updates + 1;
    return this.warmup ? Math.min(this.decay, (1 + n) / (10 + n)) : this.decay;
  }

  /** Fold the weights' current values into the averages. */
  update(): void {
    this.blend(this.nextDecay());
    this.updates++;
  }

  /** Start over: every average becomes a copy of its weight, and the update count is 0. */
  reset(): void {
    this.blend(0);
    this.updates = 0;
  }

  private blend(decay: number): void {
    const eng = engine();
    if (eng.kind === 'cpu') {
      const [d32, rest32] = Float32Array.of(decay, 1 - decay);
      for (const [a, w] of this.pairs) weightAverageCpu(eng, a, w, d32, rest32);
      return;
    }
    const scalars = Tensor.fromArray([decay, 1 - decay], [2]);
    const wg = eng.tuning.elementwiseWG;
    for (const [a, w] of this.pairs)
      eng.runKernel(
        { name: 'weight_average', key: `${wg}`, ...weightAverageKernel(wg) },
        { buffers: [w.buffer, scalars.buffer, a.buffer], params: new Uint32Array([a.size]), workgroups: grid1d(a.size, wg), bytes: a.size * 4 * 3 },
      );
    scalars.dispose();
  }
}
