/**
 * Storage buffers pooled by size class. A released buffer can be handed out again at once:
 * every GPU use of a buffer is recorded on the one queue in program order, and uploads flush
 * pending work before `writeBuffer`, so a later writer can never overtake an earlier reader.
 */
import { OutOfMemoryError } from '../errors.js';
import { checkAllocation, currentOp, tensorByteCap, type DeviceLimits } from './limits.js';

/** Round up to a size class: powers of two below 1 MiB, 1/8 steps of a power of two above (≤12.5% waste). */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (b <= 1 << 20) return 2 ** Math.ceil(Math.log2(b));
  const p = 2 ** Math.floor(Math.log2(b));
  const step = p / 8;
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private usage: number;
  /** Buffers whose creation the GPU reported out of memory: invalid, so never handed out again. */
  private failed = new WeakSet<GPUBuffer>();
  private simulatedFailures = 0;
  liveBuffers = 0;
  liveBytes = 0;
  pooledBytes = 0;
  allocatedBytes = 0;
  /** Allocation checks not yet handed to a batch (see takePendingChecks). */
  private pendingChecks: Promise<OutOfMemoryError | undefined>[] = [];

  /** `retire` destroys a buffer once the GPU is done with it (a pooled buffer may still be in flight). */
  constructor(
    private device: GPUDevice,
    private limits: DeviceLimits,
    private retire: (b: GPUBuffer) => void,
  ) {
    // GPUBufferUsage is a global in browsers and in Dawn's globals, so it is read at construction.
    this.usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  }

  /** Throws GpuLimitError (oversize; nothing changes) or OutOfMemoryError (after one retry with the pool emptied). */
  acquire(bytes: number, shape?: readonly number[]): GPUBuffer {
    checkAllocation(this.limits, bytes, shape);
    let size = sizeClass(bytes);
    // Near the limit the size class could round past it; an exact size is fine there (rarely reused anyway).
    if (size > tensorByteCap(this.limits)) size = Math.ceil(bytes / 16) * 16;
    let buf = this.free.get(size)?.pop();
    if (buf) this.pooledBytes -= size;
    else {
      buf = this.create(size);
      this.allocatedBytes += size;
    }
    this.liveBuffers++;
    this.liveBytes += size;
    return buf;
  }

  private create(size: number): GPUBuffer {
    try {
      return this.createChecked(size);
    } catch {
      // Idle pooled buffers are the memory we can give back without touching anyone's data.
      this.trim();
      try {
        return this.createChecked(size);
      } catch (e) {
        throw new OutOfMemoryError(
          currentOp(),
          size,
          this.liveBytes,
          this.pooledBytes,
          `idle pooled buffers were freed and the allocation retried: ${(e as Error).message}`,
        );
      }
    }
  }

  /**
   * createBuffer, with its own out-of-memory scope: WebGPU reports a failed allocation only
   * asynchronously (the buffer is returned invalid), so the engine is told when the scope resolves.
   */
  private createChecked(size: number): GPUBuffer {
    if (this.simulatedFailures > 0) {
      this.simulatedFailures--;
      throw new Error('simulated createBuffer failure (BufferPool.simulateOutOfMemory)');
    }
    this.device.pushErrorScope('out-of-memory');
    const buf = this.device.createBuffer({ size, usage: this.usage });
    this.pendingChecks.push(
      this.device.popErrorScope().then(
        (err) => {
          if (!err) return undefined;
          this.failed.add(buf);
          const oom = new OutOfMemoryError('allocation (reported by the GPU after the fact)', size, this.liveBytes, this.pooledBytes, err.message);
          this.trim(); // so that the caller's next attempt has the idle memory
          return oom;
        },
        () => undefined,
      ),
    );
    return buf;
  }

  /** Allocation checks issued since the last call: the engine folds them into the open batch's status. */
  takePendingChecks(): Promise<OutOfMemoryError | undefined>[] {
    const out = this.pendingChecks;
    this.pendingChecks = [];
    return out;
  }

  release(buf: GPUBuffer): void {
    const size = buf.size;
    this.liveBuffers--;
    this.liveBytes -= size;
    if (this.failed.has(buf)) {
      this.allocatedBytes -= size;
      this.retire(buf);
      return;
    }
    this.pooledBytes += size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf);
  }

  /** Destroy every idle buffer (e.g. after a large one-off job, or to make room after an allocation failed). */
  trim(): void {
    for (const list of this.free.values())
      for (const b of list) {
        this.allocatedBytes -= b.size;
        this.retire(b);
      }
    this.free.clear();
    this.pooledBytes = 0;
  }

  /**
   * Test hook: the next `times` buffer creations fail as an out-of-memory createBuffer would, so
   * the free-and-retry path and the OutOfMemoryError can be exercised without exhausting a real GPU.
   */
  simulateOutOfMemory(times = 1): void {
    this.simulatedFailures = times;
  }
}
