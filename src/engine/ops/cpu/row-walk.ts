/**
 * Row-by-row walks over strided iterations, for the CPU kernels that read or write through
 * strides (layout copies, reductions). Callers merge axes first (mergeAxes), so the innermost
 * axis is usually long: the caller loops over it with each list's `step`, and only row starts
 * need index math, done here as an odometer (additions, no division per element).
 */
export class RowWalk {
  /** Length of a row (the innermost axis), and each stride list's step along it. */
  readonly inner: number;
  readonly step: number[];
  /** Rows in the whole iteration. */
  readonly rows: number;
  /** Offset of the current row's first element, per stride list. */
  readonly at: number[];
  private readonly count: number[];

  /** `sizes` row-major (an empty list is one element); `strides[l]` gives list l's stride per axis. */
  constructor(
    private readonly sizes: readonly number[],
    private readonly strides: readonly (readonly number[])[],
  ) {
    const last = sizes.length - 1;
    this.inner = last >= 0 ? sizes[last] : 1;
    this.step = strides.map((s) => (last >= 0 ? s[last] : 0));
    this.rows = sizes.slice(0, Math.max(last, 0)).reduce((p, d) => p * d, 1);
    this.count = new Array(Math.max(last, 0)).fill(0);
    this.at = strides.map(() => 0);
  }

  /** Start again at the first row, with list l's offsets shifted by bases[l]. */
  reset(...bases: number[]): void {
    this.count.fill(0);
    for (let l = 0; l < this.at.length; l++) this.at[l] = bases[l] ?? 0;
  }

  /** Move to the next row (past the last one it wraps to the first). */
  next(): void {
    const { sizes, strides, count, at } = this;
    for (let d = count.length - 1; d >= 0; d--) {
      for (let l = 0; l < at.length; l++) at[l] += strides[l][d];
      if (++count[d] < sizes[d]) return;
      for (let l = 0; l < at.length; l++) at[l] -= strides[l][d] * sizes[d];
      count[d] = 0;
    }
  }
}
