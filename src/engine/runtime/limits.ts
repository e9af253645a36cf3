/**
 * Adapter limits checked in TypeScript, before anything reaches the GPU: WebGPU reports an
 * oversize buffer or dispatch only asynchronously, after it has dropped the whole batch.
 */
import { GpuLimitError } from '../errors.js';

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** The largest buffer a tensor may have: every tensor is bound as a whole storage buffer by some kernel. */
export function tensorByteCap(l: DeviceLimits): number {
  return Math.min(l.maxBufferSize, l.maxStorageBufferBindingSize);
}

export function checkAllocation(l: DeviceLimits, bytes: number, shape?: readonly number[]): void {
  if (bytes <= tensorByteCap(l)) return;
  const [limitName, limit] =
    bytes > l.maxBufferSize ? ['maxBufferSize', l.maxBufferSize] : ['maxStorageBufferBindingSize', l.maxStorageBufferBindingSize];
  throw new GpuLimitError({ op: currentOp(), limitName, limit, shape, bytes });
}

export function checkDispatch(l: DeviceLimits, kernel: string, workgroups: readonly number[], buffers: readonly GPUBuffer[]): void {
  const max = l.maxComputeWorkgroupsPerDimension;
  for (const n of workgroups)
    if (!Number.isInteger(n) || n < 0 || n > max)
      throw new GpuLimitError({ op: kernel, limitName: 'maxComputeWorkgroupsPerDimension', limit: max, workgroups });
  for (const b of buffers)
    if (b.size > l.maxStorageBufferBindingSize)
      throw new GpuLimitError({ op: kernel, limitName: 'maxStorageBufferBindingSize', limit: l.maxStorageBufferBindingSize, bytes: b.size });
}

// ---- Naming the op that asked for an allocation -------------------------------------------------

const labels: string[] = [];

/**
 * Run `fn` with `name` as the op that errors report (autograd labels each backward this way).
 * Without a label the op is read from the call stack, which costs nothing until an error is thrown.
 */
export function withOpLabel<T>(name: string, fn: () => T): T {
  labels.push(name);
  try {
    return fn();
  } finally {
    labels.pop();
  }
}

// The engine's own allocation plumbing, never the op a user would recognise. (Bundlers may rename
// classes, e.g. esbuild's `_Tensor`, hence the underscores in the prefix pattern below.)
const PLUMBING = new Set([
  'empty',
  'fromArray',
  'acquire',
  'allocate',
  'create',
  'createChecked',
  'checkAllocation',
  'currentOp',
  'Storage',
  'Tensor',
  'scalar',
  'hostData',
]);

/**
 * The innermost label, else the outermost caller inside engine/ops/ (`mul` rather than its helper
 * `runBinary`), else the first caller outside the plumbing (bundles lose file paths).
 */
export function currentOp(): string {
  if (labels.length) return labels[labels.length - 1];
  const frames = (new Error().stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => {
      const m = /^\s*at (?:async )?(?:new )?(\S+) \((.*)\)$/.exec(line);
      return m
        ? { name: m[1].replace(/^(?:Module|Object|Function|_*Tensor|_*BufferPool|_*(?:WebGpu|Cpu)?Engine|_*Heap)\./, ''), file: m[2] }
        : undefined;
    });
  const engineDir = /^(.*[\\/]engine[\\/])runtime[\\/]limits\.[tj]s/.exec(frames[0]?.file ?? '')?.[1];
  let start = 0;
  while (start < frames.length && (!frames[start] || PLUMBING.has(frames[start]!.name))) start++;
  if (engineDir) {
    let op: string | undefined;
    for (let i = start; i < frames.length && frames[i]?.file.startsWith(engineDir); i++)
      if (frames[i]!.file.startsWith(`${engineDir}ops`)) op = frames[i]!.name;
    if (op) return op;
  }
  return frames[start]?.name ?? 'allocation';
}
