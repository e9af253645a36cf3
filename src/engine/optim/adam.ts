/** Adam / AdamW (bias-corrected), one fused kernel per parameter. */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { adamKernel } from '../kernels/optim.js';
import { Optimizer } from './optimizer.js';
import { adamUpdateCpu } from '../ops/cpu/optim.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** true: AdamW (decay applied to the weights); false: L2 added to the gradient, as torch.optim.Adam. */
  decoupled?: boolean;
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;

  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.decoupled = opts.decoupled ?? false;
  }

  step(): void {
    this.stepCount++;
    const [b1, b2] = this.betas;
    const t = this.stepCount;
    const values = [this.lr, 1 / (1 - b1 ** t), 1 / (1 - b2 ** t)];
    const eng = engine();
    if (eng.kind === 'cpu') {
      const scalars = Float32Array.from(values);
      const hyper = { beta1: b1, beta2: b2, eps: this.eps, weightDecay: this.weightDecay, decoupled: this.decoupled };
      for (const p of this.params) {
        if (!p.grad) continue;
        const [m, v] = this.slots(p, 2);
        adamUpdateCpu(eng, p, p.grad, m, v, scalars, hyper);
      }
      return;
    }
    const scalars = this.stepScalars(values);
    const wg = eng.tuning.elementwiseWG;
    for (const p of this.params) {
      if (!p.grad) continue; // a parameter that got no gradient this step is left alone
      const [m, v] = this.slots(p, 2);
      const params = new ArrayBuffer(24);
      new Uint32Array(params, 0, 2).set([p.size, this.decoupled ? 1 : 0]);
      new Float32Array(params, 8, 4).set([b1, b2, this.eps, this.weightDecay]);
      eng.runKernel(
        { name: 'adam', key: `${wg}`, ...adamKernel(wg) },
        {
          buffers: [p.grad.buffer, scalars.buffer, p.buffer, m.buffer, v.buffer],
          params: new Uint8Array(params),
          workgroups: grid1d(p.size, wg),
          bytes: p.size * 4 * 7,
        },
      );
    }
    scalars.dispose();
  }
}
