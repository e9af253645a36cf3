/**
 * a + b for two tensors of one shape, recording no graph: how autograd sums the gradients that meet
 * and accumulates leaf `.grad`. A runtime-level kernel rather than the `add` op, so the autodiff walk
 * does not depend on the op families, which all depend on it (they record their nodes through it).
 * On WebGPU it is the `add` op's own same-shape kernel (one cached pipeline for both); on the CPU
 * backend the same f32 sum in a loop.
 */
import { Tensor } from '../tensor.js';
import { binaryKernel } from '../kernels/elementwise.js';
import { engine } from './engine.js';
import { grid1d } from './grid.js';

export function accumulate(a: Tensor, b: Tensor): Tensor {
  const eng = engine();
  if (eng.kind === 'cpu') {
    return eng.kernel(
      'add',
      () => {
        const y = Tensor.empty(a.shape);
        const [yd, ad, bd] = [y.data, a.data, b.data];
        for (let i = 0; i < yd.length; i++) yd[i] = ad[i] + bd[i];
        return y;
      },
      0,
      a.size * 12,
    );
  }
  const y = Tensor.empty(a.shape);
  const wg = eng.tuning.elementwiseWG;
  const params = new Uint32Array(28); // the add kernel's uniform block; rank 0 reads only the count
  params[0] = y.size;
  eng.runKernel(
    { name: 'add', key: `${wg}|0|a + b`, ...binaryKernel('a + b', wg, 0, false) },
    { buffers: [a.buffer, b.buffer, y.buffer], params, workgroups: grid1d(y.size, wg), bytes: y.size * 12 },
  );
  return y;
}
