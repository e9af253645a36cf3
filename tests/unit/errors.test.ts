/** Engine faults (issue 6) on the real adapter in Node; tests/browser/errors.test.ts runs the same scenarios in Chromium. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { BatchTracker } from '../../src/engine/testing.js';
import { errorScenarios } from '../browser/error-scenarios.js';

describe('engine faults are typed, clear, and lose no unrelated work', () => {
  beforeAll(async () => {
    await E.initEngine({ backend: 'webgpu', log: () => {} });
  });
  afterAll(() => E.destroyEngine());
  for (const [name, run] of Object.entries(errorScenarios)) it(name, run, 60_000);
});

/**
 * The batch bookkeeping on a scripted device: a real GPU cannot be made to run out of memory on
 * demand, so the asynchronous out-of-memory path (and inheritance through data) is checked here.
 */
describe('BatchTracker attributes scripted GPU errors to batches and their dependents', () => {
  function scriptedDevice() {
    const scopes: GPUErrorFilter[] = [];
    const next = new Map<GPUErrorFilter, string>();
    const device = {
      pushErrorScope: (f: GPUErrorFilter) => void scopes.push(f),
      popErrorScope: () => {
        const f = scopes.pop()!;
        const msg = next.get(f);
        next.delete(f);
        return Promise.resolve(msg ? ({ message: msg } as GPUError) : null);
      },
    } as unknown as GPUDevice;
    return { device, fail: (f: GPUErrorFilter, msg: string) => next.set(f, msg), depth: () => scopes.length };
  }

  it('an out-of-memory batch fails with OutOfMemoryError; a batch that read its output inherits it; others run', async () => {
    const { device, fail, depth } = scriptedDevice();
    const failures: E.EngineError[] = [];
    let allocations: Promise<E.OutOfMemoryError | undefined>[] = [];
    const tracker = new BatchTracker(
      device,
      () => {
        const a = allocations;
        allocations = [];
        return a;
      },
      (_, e) => failures.push(e),
      () => ({ liveBytes: 1 << 20, pooledBytes: 0 }),
    );
    const [a, b, c, d] = [{}, {}, {}, {}] as GPUBuffer[];
    tracker.record('conv', [], [a]);
    tracker.record('conv', [], [a]);
    fail('out-of-memory', 'Out of memory creating a uniform');
    const first = tracker.close();
    tracker.record('relu', [a], [b]); // reads the failed batch's output
    const second = tracker.close();
    tracker.record('add', [c], [d]); // shares nothing with it
    const third = tracker.close();
    const err = await first.final;
    expect(err).toBeInstanceOf(E.OutOfMemoryError);
    expect(err!.message).toMatch(/batch \[conv ×2\]: out of GPU memory with 1 MiB live and 0 B pooled/);
    expect(await second.final).toBe(err);
    expect(await third.final).toBeNull();
    expect(failures).toEqual([err]); // reported once, by the batch that failed itself
    expect(depth()).toBe(3); // the next window's scopes are open, nothing leaked
  });

  it('a failed allocation outranks the validation errors it causes', async () => {
    const { device, fail } = scriptedDevice();
    const oom = new E.OutOfMemoryError('allocation', 4096, 0, 0, 'scripted');
    const checks = [Promise.resolve<E.OutOfMemoryError | undefined>(oom)];
    const tracker = new BatchTracker(
      device,
      () => checks.splice(0),
      () => {},
      () => ({ liveBytes: 0, pooledBytes: 0 }),
    );
    tracker.record('matmul', [], [{} as GPUBuffer]);
    fail('validation', 'Buffer is invalid');
    expect(await tracker.close().final).toBe(oom);
    fail('validation', 'Binding too small');
    tracker.record('fill', [], [{} as GPUBuffer]);
    const err = await tracker.close().final;
    expect(err).toBeInstanceOf(E.GpuBatchError);
    expect((err as E.GpuBatchError).kernels).toEqual(['fill']);
  });
});
