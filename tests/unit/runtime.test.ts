import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';
import { sizeClass } from '../../src/engine/testing.js';

describe('runtime', () => {
  const eng = useEngine('webgpu'); // WebGPU machinery: submits, limits, timestamp queries

  it('acquires the real adapter with its real limits', () => {
    const a = eng().adapter;
    expect(a.runtime).toBe('node');
    expect(a.limits.maxStorageBufferBindingSize).toBeGreaterThan(128 * 1024 * 1024); // above the default
    expect(a.limits.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16384);
  });

  it('tidy frees intermediates and keeps the result; the pool reuses freed buffers', async () => {
    const x = E.tensor([1, 2, 3, 4]);
    const before = eng().memory();
    const y = E.tidy(() => E.sum(E.square(E.addScalar(x, 1))));
    expect(eng().memory().liveBuffers).toBe(before.liveBuffers + 1);
    expect(await y.item()).toBe(4 + 9 + 16 + 25);
    y.dispose();
    expect(eng().memory().liveBytes).toBe(before.liveBytes);
    const allocated = eng().memory().allocatedBytes;
    E.tidy(() => E.sum(E.square(E.addScalar(x, 1)))).dispose();
    expect(eng().memory().allocatedBytes).toBe(allocated);
    x.dispose();
  });

  it('tidy frees everything when the function throws', () => {
    const before = eng().memory().liveBuffers;
    expect(() =>
      E.tidy(() => {
        E.zeros([8]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(eng().memory().liveBuffers).toBe(before);
  });

  it('size classes waste at most 12.5% above 1 MiB', () => {
    for (const n of [1, 17, 1000, (1 << 20) + 1, 3_000_000, 123_456_789]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      if (n > 1 << 20) expect(c / n).toBeLessThanOrEqual(1.125);
    }
  });

  it('shape errors are thrown in TypeScript with the op name and both shapes', () => {
    const a = E.zeros([2, 3]);
    expect(() => E.mul(a, E.zeros([4]))).toThrow('mul: shapes [2, 3] and [4] cannot be broadcast together');
    expect(() => E.permute(a, [0, 0])).toThrow(/permute/);
    expect(() => E.slice(a, [0, 2], [2, 2])).toThrow(/slice: axis 1 range \[2, 4\) is outside \[2, 3\]/);
    expect(() => E.concat([a, E.zeros([3, 3])], 1)).toThrow(/concat: \[3, 3\] does not match \[2, 3\]/);
    expect(() => E.sum(a, 2)).toThrow(/sum: axis 2 out of range/);
    expect(() => a.reshapeView([4, 2])).toThrow(/reshape: cannot view \[2, 3\]/);
  });

  it('seeded random tensors are reproducible', async () => {
    const a = await E.randNormal([16], 0, 1, 42).read();
    const b = await E.randNormal([16], 0, 1, 42).read();
    const c = await E.randNormal([16], 0, 1, 43).read();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('the profiler times each kernel by name when enabled and records nothing when off', async () => {
    const x = E.randUniform([64, 64], -1, 1, 1);
    E.tidy(() => E.sum(E.relu(x))).dispose();
    await eng().sync();
    expect(await eng().profiler.report()).toEqual([]);
    E.tidy(() => E.relu(x)).dispose(); // leaves the untimed shared pass open: enabling must cope
    eng().profiler.enable();
    for (let i = 0; i < 3; i++) E.tidy(() => E.sum(E.relu(x))).dispose();
    await eng().sync();
    const rows = await eng().profiler.report();
    eng().profiler.enable(false);
    const relu = rows.find((r) => r.kernel === 'relu');
    expect(relu?.calls).toBe(3);
    // A full sum is one or more chunked passes (the count depends on the size), the same for each call.
    const sums = rows.find((r) => r.kernel === 'reduce_sum')?.calls ?? 0;
    expect(sums).toBeGreaterThanOrEqual(3);
    expect(sums % 3).toBe(0);
    expect(relu!.totalMs).toBeGreaterThan(0);
    expect(relu!.gbps).toBeGreaterThan(0);
    expect(E.formatProfile(rows)).toMatch(/relu\s+3/);
    eng().profiler.reset();
    x.dispose();
  });
});
