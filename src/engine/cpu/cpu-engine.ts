/**
 * The CPU backend: the same tensors, ops, autodiff and profiler as the WebGPU engine, with tensor
 * storage in one WebAssembly memory and kernels in WebAssembly SIMD (assembly/, the heavy ones:
 * GEMM and convolution) or TypeScript loops over that memory (the light ones). Execution is
 * synchronous: an op has finished when it returns, so a read is a copy and a released block can
 * be reused at once. Heavy kernels split across a worker pool (threads.ts).
 */
import { kernelBytes, simdChoice, type SimdChoice } from './simd-build.js';
import { Heap, HeapBlock } from './heap.js';
import { ThreadPool, WorkerKernelError, canBlock, coreCount } from './threads.js';
import { KernelTable, type KernelEvent, type ProfileRow } from '../runtime/profiler.js';
import { tuningFor, type Tuning } from '../runtime/tuning.js';
import type { AdapterSummary } from '../runtime/device.js';
import { currentOp, type DeviceLimits } from '../runtime/limits.js';
import type { Dispatch, KernelSpec } from '../runtime/engine.js';
import { DeviceLostError, EngineError, KernelFaultError } from '../errors.js';

/** The kernel module's exports (src/engine/cpu/assembly/index.ts). */
export interface CpuKernels {
  dispatch(desc: number, tid: number, nt: number): void;
  packA(a: number, rs: number, cs: number, M: number, K: number, dst: number): void;
  wgradScratchBytes(O: number): number;
  directScratchBytes(taps: number): number;
  preluForward(x: number, alpha: number, y: number, total: number, channels: number, inner: number): void;
  preluInputGrad(x: number, g: number, alpha: number, dx: number, total: number, channels: number, inner: number): void;
  channelMoments(a: number, b: number, center: number, out: number, total: number, channels: number, inner: number, negative: number): void;
  channelAffine(p: number, q: number, coef: number, out: number, total: number, channels: number, inner: number): void;
  MR: WebAssembly.Global;
  NR: WebAssembly.Global;
  CONV_SCRATCH_BYTES: WebAssembly.Global;
  GEMM_SCRATCH_BYTES: WebAssembly.Global;
}

export interface CpuOptions {
  /** Threads in all, the caller's included (default: every core; 1 where blocking waits are not allowed). */
  threads?: number;
  /**
   * Kernel build: 'auto' (relaxed SIMD with fused multiply-add where the runtime accepts it, else
   * portable SIMD), or one forced. In Node, SRGAN_CPU_SIMD sets the default.
   */
  simd?: SimdChoice;
  log?: (msg: string) => void;
}

/** A turn of the event loop (a macrotask): setImmediate in Node, a MessageChannel elsewhere (no 4-ms timer clamp). */
function macrotask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(0);
  });
}

/** How long synchronous kernels may hold the thread before a read or sync lets the event loop run. */
const YIELD_EVERY_MS = 50;

/** Wall-clock timing per kernel, with the GPU profiler's report and events. */
export class CpuProfiler {
  enabled = false;
  readonly supported = true;
  private table = new KernelTable();
  private origin = 0;
  private index = 0;

  enable(on = true): void {
    this.enabled = on;
  }

  record(kernel: string, start: number, end: number, flops: number, bytes: number): void {
    if (this.index === 0) this.origin = start; // times are µs from the first kernel since reset()
    const e: KernelEvent = { kernel, submit: 0, index: this.index++, startUs: (start - this.origin) * 1e3, durUs: (end - start) * 1e3, flops, bytes };
    this.table.add(e);
  }

  async report(): Promise<ProfileRow[]> {
    return this.table.rows();
  }

  async events(): Promise<KernelEvent[]> {
    return this.table.events();
  }

  reset(): void {
    this.table.reset();
    this.index = 0;
  }
}

export class CpuEngine {
  readonly kind = 'cpu' as const;
  readonly profiler = new CpuProfiler();
  readonly tuning: Tuning;
  readonly limits: DeviceLimits;
  readonly lost: Promise<DeviceLostError>;
  lostError?: DeviceLostError;
  /** Kernels run so far (the WebGPU engine counts submits; tests compare it before and after). */
  submits = 0;
  private markLost!: (e: DeviceLostError) => void;
  private lastYield = performance.now();
  private simulatedFaults = 0;

  private constructor(
    readonly heap: Heap,
    readonly kernels: CpuKernels,
    readonly threads: ThreadPool | undefined,
    readonly adapter: AdapterSummary,
  ) {
    this.tuning = tuningFor(adapter);
    // No binding limits on the CPU: a tensor is bounded by the 4 GiB heap (OutOfMemoryError).
    this.limits = { maxBufferSize: 2 ** 32, maxStorageBufferBindingSize: 2 ** 32, maxComputeWorkgroupsPerDimension: 2 ** 31 };
    this.lost = new Promise((resolve) => (this.markLost = resolve));
  }

  static async create(opts: CpuOptions = {}): Promise<CpuEngine> {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SRGAN_THREADS;
    const want = Math.max(1, Math.floor(opts.threads ?? (Number(env) || coreCount())));
    const threaded = want > 1 && typeof SharedArrayBuffer !== 'undefined' && canBlock();
    const heap = new Heap(threaded);
    const build = kernelBytes(threaded, simdChoice(opts.simd));
    const module = await WebAssembly.compile(build.bytes as BufferSource);
    const instance = await WebAssembly.instantiate(module, {
      env: {
        memory: heap.memory,
        abort: () => {
          throw new Error('kernel abort');
        },
      },
    });
    const log = opts.log ?? ((m: string) => console.warn(`[srgan-webgpu] ${m}`));
    const threads = threaded ? await ThreadPool.start(module, heap.memory, want - 1, log) : undefined;
    const n = threads?.size ?? 1;
    const runtime = typeof process !== 'undefined' && !!process.versions?.node ? 'node' : 'browser';
    const adapter: AdapterSummary = {
      vendor: 'cpu',
      architecture: build.relaxed ? 'wasm-relaxed-simd' : 'wasm-simd128',
      device: '',
      backend: 'cpu',
      description: `WebAssembly SIMD on ${n} thread${n > 1 ? 's' : ''}`,
      isSoftware: true,
      features: build.relaxed ? ['relaxed-simd'] : [],
      limits: {},
      runtime,
    };
    return new CpuEngine(heap, instance.exports as unknown as CpuKernels, threads, adapter);
  }

  get pool() {
    return this.heap;
  }

  assertAlive(): void {
    if (this.lostError) throw this.lostError;
  }

  /** WGSL kernels cannot run here: an op reaching this has no CPU path yet. */
  runKernel(spec: KernelSpec, _d: Dispatch): void {
    throw new EngineError(`${spec.name}: this kernel has no CPU implementation; run on the WebGPU backend (backend: 'webgpu')`);
  }

  allocate(bytes: number): HeapBlock {
    this.assertAlive();
    return this.heap.alloc(bytes, currentOp());
  }

  /** A tensor's floats, as a view of the heap. Take it after every allocation the kernel makes. */
  view(block: HeapBlock, count: number): Float32Array {
    return this.heap.view(block, count);
  }

  write(block: HeapBlock, data: ArrayBufferView, offset = 0): void {
    this.assertAlive();
    new Uint8Array(this.heap.memory.buffer, block.offset + offset, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
  }

  async read(block: HeapBlock, bytes: number, offset = 0): Promise<ArrayBuffer> {
    this.assertAlive();
    const copy = new Uint8Array(this.heap.memory.buffer, block.offset + offset, bytes).slice().buffer;
    await this.breathe();
    return copy;
  }

  /**
   * Kernels run synchronously and a read's promise is already settled, so a loop of ops and reads
   * would never give the event loop a turn: a page could not paint progress or take a Cancel click,
   * a worker could not receive "pause", Node could not run a SIGINT handler. Reads and syncs
   * therefore wait for one macrotask once YIELD_EVERY_MS have passed since the last.
   */
  private async breathe(): Promise<void> {
    if (performance.now() - this.lastYield < YIELD_EVERY_MS) return;
    await macrotask();
    this.lastYield = performance.now();
  }

  /** Run `fn` as one kernel: counted, and timed when the profiler is on. */
  kernel<T>(name: string, fn: () => T, flops = 0, bytes = 0): T {
    this.assertAlive();
    this.submits++;
    if (!this.profiler.enabled) return fn();
    const start = performance.now();
    const out = fn();
    this.profiler.record(name, start, performance.now(), flops, bytes);
    return out;
  }

  /** Run the job whose descriptor is at `desc` on every thread, or on this one when `parallel` is false. */
  runJob(desc: number, parallel: boolean): void {
    if (this.simulatedFaults > 0) {
      this.simulatedFaults--;
      throw this.explainWorkerFailure(desc, new WorkerKernelError('a CPU backend worker failed in a kernel (simulated)', 1, 2));
    }
    if (!parallel || !this.threads) return this.kernels.dispatch(desc, 0, 1);
    try {
      this.threads.run(desc, this.kernels.dispatch);
    } catch (e) {
      throw e instanceof WorkerKernelError ? this.explainWorkerFailure(desc, e) : e;
    }
  }

  /**
   * A worker's kernel failed (its message gives both threads' memory sizes). Say which job with
   * which words, where the heap's top is, and whether the same share fails on this thread too: if
   * it does, the job's arguments are wrong; if not, the worker saw memory differently.
   */
  private explainWorkerFailure(desc: number, e: WorkerKernelError): KernelFaultError {
    const words = Array.from(new Int32Array(this.heap.memory.buffer, desc, 24));
    let replay: string;
    try {
      this.kernels.dispatch(desc, e.thread, e.threads);
      replay = 'the same share runs on the calling thread';
    } catch (again) {
      replay = `the same share fails on the calling thread too (${(again as Error).message})`;
    }
    return new KernelFaultError(
      `${e.message}; in ${currentOp()}: job ${words[0]}, words [${words.slice(1).join(', ')}], heap top ${this.heap.allocatedBytes}; ${replay}`,
    );
  }

  /** Test hook: the next `times` jobs fail as a worker's kernel fault does (KernelFaultError). */
  simulateKernelFault(times = 1): void {
    this.simulatedFaults = times;
  }

  get threadCount(): number {
    return this.threads?.size ?? 1;
  }

  /** Nothing is ever queued: every op has finished when it returns. */
  flush(): undefined {
    return undefined;
  }

  async sync(): Promise<void> {
    this.assertAlive();
    await this.breathe();
  }

  memory() {
    const h = this.heap;
    return { liveBuffers: h.liveBuffers, liveBytes: h.liveBytes, pooledBytes: h.pooledBytes, allocatedBytes: h.allocatedBytes };
  }

  destroy(): void {
    this.threads?.stop();
    this.lostError ??= new DeviceLostError('engine-destroyed', '', 'the engine was destroyed by destroyEngine()');
    this.markLost(this.lostError);
  }
}
