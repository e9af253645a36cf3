/** fill on the CPU backend: the constant held in f32, as the WGSL kernel's uniform holds it. */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import { numel } from '../../shape.js';

export function fillCpu(eng: CpuEngine, shape: readonly number[], value: number): Tensor {
  return eng.kernel(
    'fill',
    () => {
      const t = Tensor.empty(shape);
      t.data.fill(Math.fround(value));
      return t;
    },
    0,
    numel(shape) * 4,
  );
}
