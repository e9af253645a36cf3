/**
 * GPU errors, attributed to batches. WebGPU reports errors asynchronously and drops a whole command
 * buffer when one command in it is invalid, so the engine keeps error scopes open around every
 * window of work between two submits (a "batch") and remembers, per buffer, which batch last wrote
 * it. A read then waits for the status of the batch that holds its copy, which includes the status
 * of every earlier batch whose output that batch consumed: a read never returns data a failed
 * batch should have written, while batches that share no data with the failure are unaffected.
 */
import { EngineError, GpuBatchError, OutOfMemoryError } from '../errors.js';

const FILTERS: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

export class Batch {
  /** Kernel name → dispatch count, in first-recorded order. */
  readonly kernels = new Map<string, number>();
  /** Earlier batches whose outputs this one read (cleared once settled). */
  readonly deps = new Set<Batch>();
  /** Cache keys of pipelines and uniform buffers created in this window (evicted if it fails). */
  readonly newPipelines: string[] = [];
  readonly newUniforms: string[] = [];
  /** Anything recorded (kernel, upload, copy) since the window opened. */
  active = false;
  /** undefined while pending; null when it and everything it read from ran; else why not. */
  result?: EngineError | null;
  /** Set when the window closes. */
  final?: Promise<EngineError | null>;

  kernelList(): string[] {
    return [...this.kernels].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k));
  }
}

export class BatchTracker {
  private open: Batch;
  // Weak: a destroyed buffer's entry goes with it.
  private lastWrite = new WeakMap<GPUBuffer, Batch>();

  constructor(
    private device: GPUDevice,
    /** Allocation checks of buffers created in the window (see BufferPool.takePendingChecks). */
    private takeAllocationChecks: () => Promise<OutOfMemoryError | undefined>[],
    /** Called once for a batch that failed itself (not by inheriting a dependency's failure). */
    private onFailure: (batch: Batch, err: EngineError) => void,
    private memory: () => { liveBytes: number; pooledBytes: number },
  ) {
    this.open = this.begin();
  }

  get current(): Batch {
    return this.open;
  }

  private begin(): Batch {
    for (const f of FILTERS) this.device.pushErrorScope(f);
    return new Batch();
  }

  /** `reads` may include `writes` (kernels that accumulate into their output read it too). */
  record(kernel: string | undefined, reads: readonly GPUBuffer[], writes: readonly GPUBuffer[]): void {
    const b = this.open;
    b.active = true;
    if (kernel) b.kernels.set(kernel, (b.kernels.get(kernel) ?? 0) + 1);
    for (const r of reads) {
      const w = this.lastWrite.get(r);
      if (w && w !== b && w.result !== null) b.deps.add(w);
    }
    for (const w of writes) this.lastWrite.set(w, b);
  }

  /** A buffer handed out for new contents: what it held before is no one's input. */
  forget(buffer: GPUBuffer): void {
    this.lastWrite.delete(buffer);
  }

  /** Close the open window (its commands are submitted) and open the next one. */
  close(): Batch {
    const b = this.open;
    const pops = FILTERS.map(() => this.device.popErrorScope().catch(() => null)).reverse();
    const allocations = this.takeAllocationChecks();
    this.open = this.begin();
    const deps = [...b.deps];
    b.final = Promise.all([Promise.all(pops), Promise.all(allocations)]).then(async ([scoped, allocs]) => {
      const own = classify(b, scoped as (GPUError | null)[], allocs, this.memory());
      if (own) this.onFailure(b, own);
      let err: EngineError | null = own;
      for (const d of deps) err ??= (await d.final) ?? null;
      b.result = err;
      b.deps.clear();
      return err;
    });
    return b;
  }
}

/**
 * An out-of-memory error is the root cause of any validation error that follows from it (an invalid
 * buffer bound later), so it wins; then internal, then validation. `scoped` is in FILTERS order.
 */
function classify(
  b: Batch,
  scoped: (GPUError | null)[],
  allocs: (OutOfMemoryError | undefined)[],
  mem: { liveBytes: number; pooledBytes: number },
): EngineError | null {
  const [validation, oom, internal] = scoped;
  const alloc = allocs.find((e) => e);
  if (alloc) return alloc;
  if (oom) return new OutOfMemoryError(`batch [${b.kernelList().join(', ')}]`, 0, mem.liveBytes, mem.pooledBytes, oom.message);
  if (internal) return new GpuBatchError('internal', b.kernelList(), internal.message);
  if (validation) return new GpuBatchError('validation', b.kernelList(), validation.message);
  return null;
}
