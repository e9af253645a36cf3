/** SGD with momentum (PyTorch semantics), one fused kernel per parameter. */
import { Tensor } from '../tensor.js';
import { engine } from '../runtime/engine.js';
import { grid1d } from '../runtime/grid.js';
import { sgdKernel } from '../kernels/optim.js';
import { Optimizer } from './optimizer.js';
import { zeros } from '../ops/fill.js';
import { keep } from '../scope.js';
import { sgdUpdateCpu } from '../ops/cpu/optim.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  private placeholder?: Tensor;

  constructor(
    params: Tensor[],
    readonly opts: SGDOptions = {},
  ) {
    super(params, opts.lr ?? 1e-2);
  }

  step(): void {
    this.stepCount++;
    const scalars = this.stepScalars([this.lr]);
    const { momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = this.opts;
    const eng = engine();
    for (const p of this.params) {
      if (!p.grad) continue;
      const first = !this.state.has(p);
      if (eng.kind === 'cpu') {
        const buf = momentum ? this.slots(p, 1)[0] : null;
        sgdUpdateCpu(eng, p, p.grad, buf, scalars.data[0], { momentum, dampening, weightDecay, nesterov, first });
        continue;
      }
      // Without momentum the buffer is never touched, but WebGPU forbids aliasing two writable
      // bindings, so a one-element placeholder fills the slot.
      const wg = eng.tuning.elementwiseWG;
      const buf = momentum ? this.slots(p, 1)[0] : (this.placeholder ??= keep(zeros([1])));
      const params = new ArrayBuffer(24);
      new Uint32Array(params, 0, 2).set([p.size, nesterov ? 1 : 0]);
      new Float32Array(params, 8, 3).set([momentum, dampening, weightDecay]);
      new Uint32Array(params, 20, 1)[0] = first ? 1 : 0;
      eng.runKernel(
        { name: 'sgd', key: `${wg}`, ...sgdKernel(wg) },
        {
          buffers: [p.grad.buffer, scalars.buffer, p.buffer, buf.buffer],
          params: new Uint8Array(params),
          workgroups: grid1d(p.size, wg),
          bytes: p.size * 4 * 5,
        },
      );
    }
    scalars.dispose();
  }

  override dispose(): void {
    super.dispose();
    this.placeholder?.dispose();
  }
}
