import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { useEngine } from '../helpers/gpu.js';

const ev = (kernel: string, submit: number, index: number, startUs: number, durUs: number, flops = 0, bytes = 0): E.KernelEvent => ({
  kernel,
  submit,
  index,
  startUs,
  durUs,
  flops,
  bytes,
});

describe('Chrome trace export', () => {
  const eng = useEngine('webgpu'); // WebGPU machinery: submits, limits, timestamp queries

  it('writes kernels as complete slices and each submit as a span over its kernels', () => {
    const t = E.chromeTrace([ev('matmul', 0, 0, 0, 10, 2e6), ev('relu', 0, 1, 12, 3, 0, 4096), ev('adam', 1, 0, 40, 5)]);
    const slices = t.traceEvents.filter((e) => e.ph === 'X');
    const kernels = slices.filter((e) => e.cat === 'kernel');
    expect(kernels.map((e) => [e.name, e.ts, e.dur, e.args!.submit, e.args!.index])).toEqual([
      ['matmul', 0, 10, 0, 0],
      ['relu', 12, 3, 0, 1],
      ['adam', 40, 5, 1, 0],
    ]);
    expect(kernels[0].args!.gflops).toBeCloseTo(200); // 2e6 flops in 10 µs = 2e11 flop/s
    expect(kernels[1].args!.bytes).toBe(4096);
    const submits = slices.filter((e) => e.cat === 'submit');
    expect(submits.map((e) => [e.name, e.ts, e.dur, e.args!.dispatches])).toEqual([
      ['submit 0', 0, 15, 2],
      ['submit 1', 40, 5, 1],
    ]);
    // Kernels and submits sit on different tracks of one process, each track named by metadata.
    expect(new Set(kernels.map((e) => e.tid)).size).toBe(1);
    expect(submits[0].tid).not.toBe(kernels[0].tid);
    const names = t.traceEvents.filter((e) => e.ph === 'M').map((e) => `${e.name}=${e.args!.name}`);
    expect(names).toEqual(expect.arrayContaining(['thread_name=kernels', 'thread_name=submits']));
    expect(t.displayTimeUnit).toBe('ms');
    // The text form parses back to the same object (what Perfetto reads).
    expect(JSON.parse(E.chromeTraceJson([ev('relu', 0, 0, 1, 2)]))).toEqual(E.chromeTrace([ev('relu', 0, 0, 1, 2)]));
  });

  it('captures real dispatches on the adapter: ordered, non-negative, one submit per flush', async () => {
    const p = eng().profiler;
    expect(p.supported).toBe(true); // SwiftShader and real GPUs here both have timestamp-query
    const x = E.randUniform([32, 32], -1, 1, 1);
    await eng().sync();
    p.reset();
    p.enable();
    for (let i = 0; i < 2; i++) {
      E.tidy(() => E.sum(E.relu(x))).dispose();
      eng().flush();
    }
    await eng().sync();
    const events = await p.events();
    p.enable(false);
    p.reset();
    x.dispose();
    // Two flushes of the same work: two submits with the same kernels, indexed from 0 inside each.
    const first = events.filter((e) => e.submit === 0),
      second = events.filter((e) => e.submit === 1);
    expect(first.length + second.length).toBe(events.length);
    expect(first[0].kernel).toBe('relu');
    expect(second.map((e) => e.kernel)).toEqual(first.map((e) => e.kernel));
    expect(first.map((e) => e.index)).toEqual([...first.keys()]);
    for (const e of events) expect(e.startUs).toBeGreaterThanOrEqual(0);
    expect(events[2].startUs).toBeGreaterThanOrEqual(events[0].startUs);
    const trace = E.chromeTrace(events, eng().adapter);
    expect(trace.traceEvents.filter((e) => e.cat === 'submit')).toHaveLength(2);
    expect(trace.otherData.adapter).toBe(E.describeAdapter(eng().adapter));
  });
});
