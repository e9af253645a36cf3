/**
 * Storage buffers pooled by size class. A released buffer can be handed out again at once:
 * every GPU use of a buffer is recorded on the one queue in program order, and uploads flush
 * pending work before `writeBuffer`, so a later writer can never overtake an earlier reader.
 */
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
  liveBuffers = 0;
  liveBytes = 0;
  pooledBytes = 0;
  allocatedBytes = 0;

  constructor(private device: GPUDevice) {
    // GPUBufferUsage is a global in browsers and in Dawn's globals, so it is read at construction.
    this.usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  }

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) this.pooledBytes -= size;
    else {
      buf = this.device.createBuffer({ size, usage: this.usage });
      this.allocatedBytes += size;
    }
    this.liveBuffers++;
    this.liveBytes += size;
    return buf;
  }

  release(buf: GPUBuffer): void {
    const size = buf.size;
    this.liveBuffers--;
    this.liveBytes -= size;
    this.pooledBytes += size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf);
  }

  /** Destroy every idle buffer (e.g. after a large one-off job). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) { this.allocatedBytes -= b.size; b.destroy(); }
    this.free.clear();
    this.pooledBytes = 0;
  }
}
