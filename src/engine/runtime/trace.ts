/**
 * Chrome trace export of the profiler's timed dispatches (the JSON Object Format that Perfetto and
 * chrome://tracing open). Kernels are complete ('X') slices on a "kernels" track; each submit is
 * a slice on its own track spanning its first to last kernel, so batching is visible at a glance.
 */
import { describeAdapter, type AdapterSummary } from './device.js';
import type { KernelEvent } from './profiler.js';
export type { KernelEvent } from './profiler.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

const PID = 1;
const KERNELS = 1;
const SUBMITS = 2;

export function chromeTrace(events: readonly KernelEvent[], adapter?: AdapterSummary): ChromeTrace {
  const gpuName = adapter ? describeAdapter(adapter) : 'GPU';
  const meta = (name: string, tid: number, value: string): TraceEvent => ({ name, ph: 'M', pid: PID, tid, args: { name: value } });
  const out: TraceEvent[] = [
    meta('process_name', KERNELS, `WebGPU: ${gpuName}`),
    meta('thread_name', KERNELS, 'kernels'),
    meta('thread_name', SUBMITS, 'submits'),
  ];
  const spans = new Map<number, { start: number; end: number; dispatches: number }>();
  for (const e of events) {
    const args: Record<string, unknown> = { submit: e.submit, index: e.index };
    if (e.flops) args.flops = e.flops;
    if (e.bytes) args.bytes = e.bytes;
    // µs and flops/µs: GFLOPS = flops / µs / 1e3.
    if (e.flops && e.durUs > 0) args.gflops = +(e.flops / e.durUs / 1e3).toFixed(3);
    out.push({ name: e.kernel, cat: 'kernel', ph: 'X', pid: PID, tid: KERNELS, ts: e.startUs, dur: e.durUs, args });
    const s = spans.get(e.submit);
    const end = e.startUs + e.durUs;
    if (!s) spans.set(e.submit, { start: e.startUs, end, dispatches: 1 });
    else {
      s.start = Math.min(s.start, e.startUs);
      s.end = Math.max(s.end, end);
      s.dispatches++;
    }
  }
  for (const [submit, s] of spans)
    out.push({
      name: `submit ${submit}`,
      cat: 'submit',
      ph: 'X',
      pid: PID,
      tid: SUBMITS,
      ts: s.start,
      dur: s.end - s.start,
      args: { submit, dispatches: s.dispatches },
    });
  const otherData: Record<string, string> = { generator: 'srgan-webgpu' };
  if (adapter) otherData.adapter = gpuName;
  return { traceEvents: out, displayTimeUnit: 'ms', otherData };
}

/** The trace as the JSON text to save (e.g. `srgan.trace.json`). */
export function chromeTraceJson(events: readonly KernelEvent[], adapter?: AdapterSummary): string {
  return JSON.stringify(chromeTrace(events, adapter));
}
