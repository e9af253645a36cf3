/** Workgroup counts for `n` independent items, `perGroup` per workgroup, spilling into y past 65535. */
import { ShapeError } from '../shape.js';
export function grid1d(n: number, perGroup: number, maxPerDim = 65535): [number, number] {
  const groups = Math.ceil(n / perGroup);
  if (groups <= maxPerDim) return [Math.max(groups, 1), 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}

/** Pack up to 8 integers into the 2×vec4<u32> layout used by shape uniforms. */
export function pack8(values: readonly number[], into: Uint32Array, offsetWords: number): void {
  if (values.length > 8) throw new ShapeError(`tensor rank ${values.length} exceeds the engine's limit of 8`);
  for (let i = 0; i < 8; i++) into[offsetWords + i] = values[i] ?? 0;
}
