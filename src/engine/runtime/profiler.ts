/**
 * Per-kernel GPU timing from timestamp queries. When enabled, every dispatch runs in its own compute
 * pass with `timestampWrites`, so begin/end bracket exactly one kernel. Disabled (the default), no
 * query set exists and passes carry no timestamps: the cost is one boolean test per dispatch.
 */
import { EngineError } from '../errors.js';
export interface KernelStats {
  calls: number;
  totalMs: number;
  flops: number;
  bytes: number;
}

export interface ProfileRow {
  kernel: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  gflops?: number;
  gbps?: number;
}

/** One timed dispatch, kept for the Chrome trace (see trace.ts). Times are µs from the first timed dispatch. */
export interface KernelEvent {
  kernel: string;
  /** Sequence number of the profiled submit (command batch) that held the dispatch, from 0. */
  submit: number;
  /** Position of the dispatch inside its submit. */
  index: number;
  startUs: number;
  durUs: number;
  flops: number;
  bytes: number;
}

interface PendingBatch {
  submit: number;
  resolve: GPUBuffer;
  readback: GPUBuffer;
  entries: { name: string; flops: number; bytes: number }[];
}

const CAPACITY = 2048; // queries per set: 1024 dispatches before a forced flush
/** Events kept for the trace: the most recent ones, so that a long run's memory stays bounded. */
const EVENT_CAPACITY = 50_000;

/**
 * Per-kernel totals and the recent timeline: what the GPU profiler (timestamp queries) and the CPU
 * backend's profiler (wall clock around each kernel) both report.
 */
export class KernelTable {
  private stats = new Map<string, KernelStats>();
  private timeline: KernelEvent[] = [];

  add(e: KernelEvent): void {
    this.timeline.push(e);
    if (this.timeline.length > EVENT_CAPACITY) this.timeline.splice(0, this.timeline.length - EVENT_CAPACITY);
    const s = this.stats.get(e.kernel) ?? { calls: 0, totalMs: 0, flops: 0, bytes: 0 };
    s.calls++;
    s.totalMs += e.durUs / 1e3;
    s.flops += e.flops;
    s.bytes += e.bytes;
    this.stats.set(e.kernel, s);
  }

  /** Per-kernel totals, slowest first. */
  rows(): ProfileRow[] {
    return [...this.stats.entries()]
      .map(([kernel, s]) => ({
        kernel,
        calls: s.calls,
        totalMs: s.totalMs,
        meanMs: s.totalMs / s.calls,
        gflops: s.flops && s.totalMs ? s.flops / s.totalMs / 1e6 : undefined,
        gbps: s.bytes && s.totalMs ? s.bytes / s.totalMs / 1e6 : undefined,
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  events(): KernelEvent[] {
    return this.timeline.slice();
  }

  reset(): void {
    this.stats.clear();
    this.timeline = [];
  }
}

export class Profiler {
  enabled = false;
  private querySet?: GPUQuerySet;
  private entries: { name: string; flops: number; bytes: number }[] = [];
  private pending: Promise<void>[] = [];
  private table = new KernelTable();
  private submits = 0;
  /** GPU timestamps have an arbitrary origin: events are stored relative to the first one seen. */
  private origin?: bigint;

  constructor(
    private device: GPUDevice,
    readonly supported: boolean,
    private retire: (b: GPUBuffer) => void,
  ) {}

  enable(on = true): void {
    if (on && !this.supported) throw new EngineError("Profiler: this adapter has no 'timestamp-query' feature");
    this.enabled = on;
    if (on && !this.querySet) this.querySet = this.device.createQuerySet({ type: 'timestamp', count: CAPACITY });
  }

  get full(): boolean {
    return this.entries.length * 2 >= CAPACITY;
  }

  /** Timestamp writes for the pass that will hold the next dispatch. */
  nextPass(name: string, flops = 0, bytes = 0): GPUComputePassTimestampWrites {
    const i = this.entries.length;
    this.entries.push({ name, flops, bytes });
    return { querySet: this.querySet!, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called on the encoder just before submit: resolve this batch's queries into a buffer to map later. */
  resolveInto(encoder: GPUCommandEncoder): PendingBatch | undefined {
    if (!this.entries.length || !this.querySet) return undefined;
    const n = this.entries.length * 2;
    const resolve = this.device.createBuffer({ size: n * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readback = this.device.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, n, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, readback, 0, n * 8);
    const batch = { submit: this.submits++, resolve, readback, entries: this.entries };
    this.entries = [];
    return batch;
  }

  /** After submit: map the timestamps asynchronously and fold them into the per-kernel table. */
  collect(batch: PendingBatch): void {
    const p = batch.readback.mapAsync(GPUMapMode.READ).then(() => {
      const t = new BigInt64Array(batch.readback.getMappedRange().slice(0));
      batch.entries.forEach((e, i) => {
        const ms = Number(t[2 * i + 1] - t[2 * i]) / 1e6;
        this.origin ??= t[2 * i];
        this.table.add({
          kernel: e.name,
          submit: batch.submit,
          index: i,
          startUs: Number(t[2 * i] - this.origin) / 1e3,
          durUs: Math.max(0, ms * 1e3),
          flops: e.flops,
          bytes: e.bytes,
        });
      });
      batch.readback.unmap();
      this.retire(batch.readback);
      this.retire(batch.resolve);
    });
    this.pending.push(p);
    // Forget settled reads, so that a long profiled run does not hold every promise it made.
    void p.then(() => {
      const k = this.pending.indexOf(p);
      if (k >= 0) void this.pending.splice(k, 1);
    });
  }

  /** Wait for outstanding timestamp reads, then report per-kernel totals, slowest first. */
  async report(): Promise<ProfileRow[]> {
    await Promise.all(this.pending);
    this.pending = [];
    return this.table.rows();
  }

  /** Wait for outstanding timestamp reads, then return the timed dispatches in submit order (for trace.ts). */
  async events(): Promise<KernelEvent[]> {
    await Promise.all(this.pending);
    this.pending = [];
    return this.table.events();
  }

  reset(): void {
    this.table.reset();
    this.origin = undefined;
  }
}

export function formatProfile(rows: ProfileRow[]): string {
  const head = 'kernel'.padEnd(28) + 'calls'.padStart(7) + 'total ms'.padStart(11) + 'mean ms'.padStart(10) + '  rate';
  const lines = rows.map(
    (r) =>
      r.kernel.padEnd(28) +
      String(r.calls).padStart(7) +
      r.totalMs.toFixed(3).padStart(11) +
      r.meanMs.toFixed(4).padStart(10) +
      '  ' +
      (r.gflops !== undefined ? `${r.gflops.toFixed(2)} GFLOPS` : r.gbps !== undefined ? `${r.gbps.toFixed(2)} GB/s` : ''),
  );
  return [head, ...lines].join('\n');
}
