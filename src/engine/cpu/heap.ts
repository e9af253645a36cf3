/**
 * The CPU backend's memory: one WebAssembly memory that the kernels (and, when threaded, every
 * worker) address directly, carved into tensor blocks by a size-class pool like the GPU's
 * (BufferPool). A released block is reused at once: execution is synchronous, so nothing can
 * still be reading it. WebAssembly memory never shrinks, so freed blocks stay pooled.
 */
import { sizeClass } from '../runtime/buffer-pool.js';
import { OutOfMemoryError } from '../errors.js';

/** A tensor's storage on the CPU backend: a byte range of the heap. */
export class HeapBlock {
  constructor(
    readonly offset: number,
    readonly size: number,
  ) {}
}

/** Bytes in a WebAssembly memory page. */
export const PAGE = 65536;
/** wasm32 addresses 4 GiB; the threaded build declares it as its maximum. */
export const MAX_PAGES = 65536;
/** Bytes below this hold job descriptors (see jobs.ts); blocks start above. */
export const RESERVED_BYTES = 4096;
const ALIGN = 64;
const aligned = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

export class Heap {
  readonly memory: WebAssembly.Memory;
  private top = RESERVED_BYTES;
  private free = new Map<number, number[]>();
  liveBuffers = 0;
  liveBytes = 0;
  pooledBytes = 0;
  private simulatedFailures = 0;

  constructor(shared: boolean, initialBytes = 16 << 20) {
    const initial = Math.ceil(initialBytes / PAGE);
    this.memory = new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared } as WebAssembly.MemoryDescriptor);
  }

  get allocatedBytes(): number {
    return this.top - RESERVED_BYTES;
  }

  /** A block's floats. Take views after allocating: growing the heap replaces its buffer. */
  view(block: HeapBlock, count: number): Float32Array {
    return new Float32Array(this.memory.buffer, block.offset, count);
  }

  alloc(bytes: number, op = 'allocate'): HeapBlock {
    const cls = sizeClass(bytes);
    if (this.simulatedFailures > 0) {
      this.simulatedFailures--;
      throw new OutOfMemoryError(op, cls, this.liveBytes, this.pooledBytes, 'simulated');
    }
    const reuse = this.free.get(cls)?.pop();
    let offset: number;
    if (reuse !== undefined) {
      offset = reuse;
      this.pooledBytes -= cls;
    } else {
      offset = this.top;
      this.ensure(offset + aligned(cls), cls, op);
      this.top = offset + aligned(cls);
    }
    this.liveBuffers++;
    this.liveBytes += cls;
    return new HeapBlock(offset, cls);
  }

  release(block: HeapBlock): void {
    this.liveBuffers--;
    this.liveBytes -= block.size;
    this.pooledBytes += block.size;
    const list = this.free.get(block.size);
    if (list) list.push(block.offset);
    else this.free.set(block.size, [block.offset]);
  }

  /**
   * Give the idle blocks at the top of the heap back to the bump allocator, so that an allocation
   * of another size class can use their room. (WebAssembly memory never shrinks, so this is all
   * that returning memory can mean here.)
   */
  trim(): void {
    const sizeAt = new Map<number, number>();
    const startEndingAt = new Map<number, number>();
    for (const [size, list] of this.free)
      for (const off of list) {
        sizeAt.set(off, size);
        startEndingAt.set(off + aligned(size), off);
      }
    for (let off = startEndingAt.get(this.top); off !== undefined; off = startEndingAt.get(this.top)) {
      this.pooledBytes -= sizeAt.get(off)!;
      sizeAt.delete(off);
      this.top = off;
    }
    this.free.clear();
    for (const [off, size] of sizeAt) {
      const list = this.free.get(size);
      if (list) list.push(off);
      else this.free.set(size, [off]);
    }
  }

  /** Test hook: the next `times` allocations fail with OutOfMemoryError, as the GPU pool's do. */
  simulateOutOfMemory(times = 1): void {
    this.simulatedFailures = times;
  }

  private ensure(end: number, bytes: number, op: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow by at least an eighth of the heap, so that a growing workload does not grow page by page.
    const pages = Math.min(Math.max(Math.ceil((end - have) / PAGE), Math.ceil(have / PAGE / 8)), MAX_PAGES - have / PAGE);
    try {
      this.memory.grow(pages);
      if (end > this.memory.buffer.byteLength) throw new RangeError('the 4 GiB address space is full');
    } catch (e) {
      throw new OutOfMemoryError(
        op,
        bytes,
        this.liveBytes,
        this.pooledBytes,
        `the CPU backend's WebAssembly memory could not grow past ${have} bytes: ${(e as Error).message}`,
      );
    }
  }
}
