/**
 * Typed engine errors. Each one says what went wrong, with the numbers that matter, and what to
 * do about it, so a trainer can tell "shrink the batch" from "reload the checkpoint".
 * (ShapeError, for bad shapes, lives in shape.ts; NoAdapterError in runtime/device.ts.)
 */

/** Base class: `instanceof EngineError` catches every engine fault below. */
export class EngineError extends Error {
  override name = 'EngineError';
}

/** Human-readable size: 5.2 GB, 1 GiB, 96 B. Powers of two get binary units (that is what limits are). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log2(Math.max(n, 1)) / 10));
  if (i > 0 && n % 1024 ** i === 0) return `${n / 1024 ** i} ${units[i]}`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

export interface LimitDetails {
  /** The op (or kernel) that asked for it. */
  op: string;
  /** Which adapter limit: maxBufferSize, maxStorageBufferBindingSize or maxComputeWorkgroupsPerDimension. */
  limitName: string;
  limit: number;
  shape?: readonly number[];
  bytes?: number;
  workgroups?: readonly number[];
}

/**
 * A tensor, binding or dispatch larger than this adapter allows. Thrown in TypeScript before
 * anything is created or recorded, so the engine's state and memory counters are untouched.
 */
export class GpuLimitError extends EngineError {
  override name = 'GpuLimitError';
  readonly op: string;
  readonly limitName: string;
  readonly limit: number;
  readonly shape?: readonly number[];
  readonly bytes?: number;
  readonly workgroups?: readonly number[];

  constructor(d: LimitDetails) {
    const what = d.workgroups
      ? `a dispatch of ${d.workgroups.join('×')} workgroups`
      : `${d.shape ? `a ${fmtShape(d.shape)} tensor` : 'a buffer'} of ${formatBytes(d.bytes ?? 0)} (${d.bytes} bytes)`;
    const limit = d.workgroups ? `${d.limit} per dimension` : `${formatBytes(d.limit)} (${d.limit} bytes)`;
    super(
      `${d.op}: ${what} exceeds this adapter's ${d.limitName} of ${limit}. ` +
        'Use a smaller batch, or split the work into tiles (e.g. upscale with a smaller tile size).',
    );
    this.op = d.op;
    this.limitName = d.limitName;
    this.limit = d.limit;
    this.shape = d.shape;
    this.bytes = d.bytes;
    this.workgroups = d.workgroups;
  }
}

/**
 * The GPU reported an error (validation or internal) while running a batch of kernels. The whole
 * batch was dropped by the GPU, so every read that depends on it rejects with this error.
 */
export class GpuBatchError extends EngineError {
  override name = 'GpuBatchError';
  constructor(
    /** WebGPU error filter the error came through: 'validation' or 'internal'. */
    readonly kind: string,
    /** Kernel names in the failed batch, in recording order (repeats collapsed). */
    readonly kernels: readonly string[],
    readonly gpuMessage: string,
  ) {
    super(
      `GPU ${kind} error in a batch of kernels [${kernels.join(', ') || 'none: uploads/allocations only'}]; ` +
        `the whole batch was dropped and reads that depend on it fail: ${gpuMessage.trim()}`,
    );
  }
}

/** The GPU could not allocate memory, even after the engine freed its idle pooled buffers and retried. */
export class OutOfMemoryError extends EngineError {
  override name = 'OutOfMemoryError';
  constructor(
    readonly op: string,
    readonly bytes: number,
    /** Bytes held by live tensors when it failed. */
    readonly liveBytes: number,
    /** Bytes held idle in the buffer pool when it failed. */
    readonly pooledBytes: number,
    detail = '',
  ) {
    super(
      `${op}: out of GPU memory${bytes ? ` allocating ${formatBytes(bytes)}` : ''} with ${formatBytes(liveBytes)} live and ` +
        `${formatBytes(pooledBytes)} pooled${detail ? ` (${detail})` : ''}. Dispose tensors you no longer need ` +
        '(E.tidy), or use a smaller batch or tile size.',
    );
  }
}

/**
 * The GPU device is gone (driver reset, `device.destroy()`, or `destroyEngine()`). Pending and later
 * ops reject with this; tensors made on the lost device cannot be used again. Recover with
 * `await initEngine()` (a new device) and recreate tensors, e.g. by reloading the last checkpoint.
 */
export class DeviceLostError extends EngineError {
  override name = 'DeviceLostError';
  constructor(
    /** GPUDeviceLostInfo.reason ('destroyed' or 'unknown'), or 'engine-destroyed' for destroyEngine(). */
    readonly reason: string,
    readonly gpuMessage: string,
    context = 'the GPU device was lost',
  ) {
    super(
      `${context} (${reason}${gpuMessage ? `: ${gpuMessage}` : ''}). Call \`await initEngine()\` for a new ` +
        'device, then recreate your tensors (e.g. reload the last checkpoint).',
    );
  }
}

/**
 * A CPU backend kernel failed on a worker thread (a WebAssembly trap: "memory access out of bounds").
 * The job's outputs are incomplete, so whatever the op was computing is suspect; the engine and
 * its pool keep working. The message names the job, its descriptor and what a replay on the
 * calling thread did. A training run goes back to its last good state, as after a GPU batch error.
 */
export class KernelFaultError extends EngineError {
  override name = 'KernelFaultError';
}

/** `backward` through a graph whose nodes a previous `backward` already released (PyTorch's retain_graph error). */
export class GraphFreedError extends EngineError {
  override name = 'GraphFreedError';
}
