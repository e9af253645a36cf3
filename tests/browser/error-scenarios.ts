/**
 * Engine fault scenarios (issue 6), free of any test framework so that Node (vitest) and headless
 * Chromium run the very same code. Each scenario throws a descriptive Error when something is off,
 * and checks that the memory counters end where they started.
 */
import * as E from '../../src/engine/index.js';
import { grid1d } from '../../src/engine/testing.js';

type ErrorClass = abstract new (...args: never[]) => Error;

function fail(msg: string): never {
  throw new Error(msg);
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual),
    e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: got ${a}, expected ${e}`);
}

function expectError<T extends ErrorClass>(err: unknown, cls: T, msg: RegExp, what: string): InstanceType<T> {
  if (!(err instanceof cls)) fail(`${what}: expected ${cls.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  if (!msg.test(err.message)) fail(`${what}: message ${JSON.stringify(err.message)} does not match ${msg}`);
  return err as InstanceType<T>;
}

function expectThrows<T extends ErrorClass>(fn: () => unknown, cls: T, msg: RegExp, what: string): InstanceType<T> {
  try {
    fn();
  } catch (e) {
    return expectError(e, cls, msg, what);
  }
  return fail(`${what}: did not throw`);
}

async function expectRejects<T extends ErrorClass>(p: Promise<unknown>, cls: T, msg: RegExp, what: string): Promise<InstanceType<T>> {
  try {
    await p;
  } catch (e) {
    return expectError(e, cls, msg, what);
  }
  return fail(`${what}: resolved instead of rejecting`);
}

const read = async (t: E.Tensor) => [...(await t.read())];

/** Run `body`, then require the engine's live/pooled counters to be back where they were. */
async function memoryStaysTrue(body: () => Promise<void>): Promise<void> {
  const before = E.engine().memory();
  await body();
  const after = E.engine().memory();
  expectEqual(
    { live: after.liveBytes, buffers: after.liveBuffers },
    { live: before.liveBytes, buffers: before.liveBuffers },
    'memory after the scenario',
  );
}

/** A kernel that needs a 256-byte output binding: bound to a 16-byte tensor it is a GPU validation error. */
const tooSmallBinding: E.KernelSpec = {
  name: 'injected_too_small_binding',
  key: '',
  inputs: 0,
  outputs: 1,
  code: () => '@group(0) @binding(0) var<storage, read_write> out: array<f32, 64>;\n' + '@compute @workgroup_size(1) fn main() { out[0] = 1.0; }',
};

export const errorScenarios: Record<string, () => Promise<void>> = {
  async 'oversize allocation throws GpuLimitError at the op and loses no other work'() {
    await memoryStaysTrue(async () => {
      const x = E.variable(E.tensor([1, 2, 3], [3]));
      E.tidy(() => E.backward(E.sum(E.mul(x, x))));
      const a = E.zeros([300, 1, 1000]),
        b = E.zeros([1, 1000, 1000]);
      const before = E.engine().memory();
      const submits = E.engine().submits;
      const err = expectThrows(
        () => E.zeros([1300, 1000, 1000]),
        E.GpuLimitError,
        /zeros: a \[1300, 1000, 1000\] tensor of 5\.2 GB \(5200000000 bytes\) exceeds this adapter's maxBufferSize.*smaller batch/,
        'E.zeros',
      );
      expectEqual([err.op, err.bytes, err.limitName, err.limit], ['zeros', 5.2e9, 'maxBufferSize', E.engine().limits.maxBufferSize], 'error fields');
      expectThrows(() => E.zeros([70000, 70000]), E.GpuLimitError, /19\.6 GB/, 'E.zeros([70000, 70000])');
      // An op whose output (not its inputs) is too big: broadcasting two small tensors.
      const opErr = expectThrows(() => E.mul(a, b), E.GpuLimitError, /\[300, 1000, 1000\] tensor of 1\.2 GB/, 'broadcast mul');
      // In a bundle stack frames carry no file, so the op may be named by its helper (runBinary).
      if (!/^(mul|runBinary)$/.test(opErr.op)) fail(`the error names ${opErr.op}, not mul`);
      expectEqual(E.engine().memory(), before, 'memory counters after refused allocations');
      expectEqual(E.engine().submits, submits, 'submits after refused allocations (nothing reached the GPU)');
      a.dispose();
      b.dispose();
      expectEqual(await read(x.grad!), [2, 4, 6], 'x.grad');
      x.dispose();
    });
  },

  async 'too many workgroups throws GpuLimitError before any pipeline is built'() {
    await memoryStaysTrue(async () => {
      const max = E.engine().limits.maxComputeWorkgroupsPerDimension;
      const out = E.zeros([4]);
      let compiled = 0;
      const spec: E.KernelSpec = { ...tooSmallBinding, name: 'huge_dispatch', code: () => (compiled++, tooSmallBinding.code()) };
      const submits = E.engine().submits;
      const err = expectThrows(
        () => E.engine().runKernel(spec, { buffers: [out.buffer], workgroups: [1, 1, max + 1] }),
        E.GpuLimitError,
        new RegExp(`huge_dispatch: a dispatch of 1×1×${max + 1} workgroups exceeds this adapter's maxComputeWorkgroupsPerDimension of ${max}`),
        'runKernel',
      );
      expectEqual(err.workgroups, [1, 1, max + 1], 'error workgroups');
      // A 1-D grid folded into 2-D that still does not fit (2^33 items, one per workgroup).
      expectThrows(
        () => E.engine().runKernel(spec, { buffers: [out.buffer], workgroups: grid1d(2 ** 33, 1, max) }),
        E.GpuLimitError,
        /maxComputeWorkgroupsPerDimension/,
        'folded grid',
      );
      expectEqual([compiled, E.engine().submits], [0, submits], 'shader compilations and submits');
      const later = E.addScalar(out, 1);
      expectEqual(await read(later), [1, 1, 1, 1], 'a later op');
      out.dispose();
      later.dispose();
    });
  },

  async 'a GPU validation error mid-batch rejects every read that depends on it, and only those'() {
    await memoryStaysTrue(async () => {
      const a = E.tensor([1, 2, 3]);
      const earlier = E.mul(a, a);
      expectEqual(await read(earlier), [1, 4, 9], 'read before');
      // One batch: a training step's gradients, the faulty kernel, and an unrelated op.
      const x = E.variable(E.tensor([1, 2, 3]));
      E.tidy(() => E.backward(E.sum(E.mul(x, x))));
      const small = E.zeros([4]);
      E.engine().runKernel(tooSmallBinding, { buffers: [small.buffer], workgroups: [1] });
      const sameBatch = E.add(a, a);
      const err = await expectRejects(
        x.grad!.read(),
        E.GpuBatchError,
        /GPU validation error in a batch of kernels \[.*mul_bwd.*injected_too_small_binding.*\].*too small/,
        'x.grad',
      );
      expectEqual(err.kind, 'validation', 'error kind');
      const again = await expectRejects(sameBatch.read(), E.GpuBatchError, /injected_too_small_binding/, 'same batch');
      if (again !== err) fail('reads of one failed batch reject with different errors');
      // Work recorded later on top of the dropped results fails too, rather than reading stale memory.
      const dependent = E.mulScalar(x.grad!, 2);
      if ((await expectRejects(dependent.read(), E.GpuBatchError, /injected/, 'dependent')) !== err) fail('dependent read: another error');
      // Other batches are unaffected and the engine stays usable.
      expectEqual(await read(earlier), [1, 4, 9], 'read after (earlier batch)');
      const later = E.addScalar(a, 1);
      expectEqual(await read(later), [2, 3, 4], 'an unrelated op after the failure');
      for (const t of [a, earlier, x, small, sameBatch, dependent, later]) t.dispose();
    });
  },

  async 'an allocation that fails frees the idle pool and retries once, then throws OutOfMemoryError'() {
    await memoryStaysTrue(async () => {
      const pool = E.engine().pool;
      E.zeros([50_000]).dispose(); // idle in the pool
      const m0 = E.engine().memory();
      if (m0.pooledBytes === 0) fail('the pool holds no idle buffer to free');
      pool.simulateOutOfMemory(1);
      const t = E.fill([3001], 7); // a size class the pool has no idle buffer of
      expectEqual(
        (await read(t)).every((v) => v === 7),
        true,
        'values after the retry',
      );
      const m1 = E.engine().memory();
      expectEqual(m1.pooledBytes, 0, 'pooled bytes after the pool was freed');
      expectEqual(m1.liveBytes - m0.liveBytes, 16384, 'live bytes after the retry');
      expectEqual(m1.allocatedBytes, m0.allocatedBytes - m0.pooledBytes + 16384, 'allocated bytes after the retry');
      pool.simulateOutOfMemory(2);
      const err = expectThrows(
        () => E.fill([100_003], 1),
        E.OutOfMemoryError,
        /fill: out of GPU memory allocating .* live and 0 B pooled.*retried/,
        'second failure',
      );
      expectEqual([err.liveBytes, err.pooledBytes], [m1.liveBytes, 0], 'error fields');
      expectEqual(E.engine().memory(), m1, 'memory after the failed allocation');
      t.dispose();
    });
  },

  async 'backward twice through a released graph throws GraphFreedError'() {
    await memoryStaysTrue(async () => {
      const x = E.variable(E.tensor([1, 2, 3]));
      const y = E.mul(x, x);
      const loss = E.sum(y);
      E.backward(loss);
      expectThrows(() => E.backward(loss), E.GraphFreedError, /the graph was already freed/, 'second backward');
      expectThrows(
        () => E.tidy(() => E.backward(E.sum(E.mulScalar(y, 2)))),
        E.GraphFreedError,
        /output of mul/,
        'backward through a freed intermediate',
      );
      expectEqual(await read(x.grad!), [2, 4, 6], 'x.grad (not accumulated twice)');
      for (const t of [x, y, loss]) t.dispose();
    });
  },

  async 'a lost device rejects pending and later ops; initEngine then gives a working engine'() {
    const old = E.engine();
    const seen: E.DeviceLostError[] = [];
    const unsubscribe = E.onDeviceLost((e) => seen.push(e));
    const a = E.tensor([1, 2, 3]);
    const pending = E.mul(a, a).read();
    (old as E.WebGpuEngine).device.destroy();
    await expectRejects(pending, E.DeviceLostError, /device was lost.*initEngine/, 'pending read');
    const lost = await old.lost;
    expectEqual([lost.reason, seen.length], ['destroyed', 1], 'lost reason and listener calls');
    expectThrows(() => E.zeros([3]), E.DeviceLostError, /initEngine/, 'a later op');
    await expectRejects(a.read(), E.DeviceLostError, /Tensor#\d+ \[3\] lives on a GPU device that is gone/, 'reading a tensor of the lost device');
    const fresh = await E.initEngine({ backend: 'webgpu', log: () => {} });
    unsubscribe();
    if (fresh === old) fail('initEngine returned the lost engine');
    await memoryStaysTrue(async () => {
      // Inside tidy, so the output the op allocated before it met the stale input is freed.
      expectThrows(
        () => E.tidy(() => E.add(a, a)),
        E.DeviceLostError,
        /Tensor#\d+ \[3\] lives on a GPU device that is gone/,
        'an old tensor on the new engine',
      );
      a.dispose(); // still allowed: it only returns the buffer to the dead pool
      const b = E.tensor([1, 2, 3]);
      const c = E.mul(b, b);
      expectEqual(await read(c), [1, 4, 9], 'on the new device');
      b.dispose();
      c.dispose();
    });
  },

  async 'a binding beyond maxStorageBufferBindingSize is refused (device asked for the 128 MiB default)'() {
    E.destroyEngine();
    // WebGPU never goes below its defaults: 128 MiB bindings, 256 MiB buffers.
    const small = await E.initEngine({ backend: 'webgpu', log: () => {}, limits: { maxStorageBufferBindingSize: 128 << 20 } });
    try {
      const limit = small.limits.maxStorageBufferBindingSize;
      if (limit >= small.limits.maxBufferSize) fail(`binding limit ${limit} is not below the buffer limit: nothing to test`);
      await memoryStaysTrue(async () => {
        const n = limit / 4 + 256; // 1 KiB over the binding limit, well within maxBufferSize
        const err = expectThrows(
          () => E.zeros([n]),
          E.GpuLimitError,
          new RegExp(`zeros: a \\[${n}\\] tensor of .* exceeds this adapter's maxStorageBufferBindingSize of ${limit >> 20} MiB`),
          'an unbindable tensor',
        );
        expectEqual([err.limit, err.bytes], [limit, 4 * n], 'error fields');
        // A raw buffer bound by a kernel is checked too (it never reaches the GPU: this object is not one).
        const fake = { size: limit + 1024 } as GPUBuffer;
        expectThrows(
          () => small.runKernel(tooSmallBinding, { buffers: [fake], workgroups: [1] }),
          E.GpuLimitError,
          /injected_too_small_binding: a buffer of .* maxStorageBufferBindingSize/,
          'a kernel binding',
        );
        const ok = E.ones([1000]);
        expectEqual((await read(ok))[999], 1, 'a tensor that fits');
        ok.dispose();
      });
    } finally {
      E.destroyEngine();
      await E.initEngine({ backend: 'webgpu', log: () => {} });
    }
  },
};
