/**
 * Which build of the kernels runs (scripts/build-wasm.mjs makes both): relaxed SIMD, whose
 * multiply-adds are fused (FMA: one instruction instead of two, and a register freed in the
 * micro-kernels), wherever the runtime accepts it, else portable SIMD. Chromium ships relaxed
 * SIMD; Node 20 has it behind a V8 flag, which the Node entry may turn on (threads-node.ts).
 * Results differ between the builds in the last bits (one rounding instead of two) and never
 * between thread counts within one build.
 */
import { SINGLE_THREAD_KERNELS, SINGLE_THREAD_RELAXED_KERNELS, THREADED_KERNELS, THREADED_RELAXED_KERNELS } from './kernels-wasm.js';
import { EngineError } from '../errors.js';

/** 'auto': relaxed where the runtime validates it; 'portable' forces the fallback (tests use both). */
export type SimdChoice = 'auto' | 'relaxed' | 'portable';

let enableRelaxed: (() => void) | undefined;

/** Node's entry registers how to switch relaxed SIMD on where it is behind a flag. Browsers register nothing. */
export function setRelaxedSimdEnabler(fn: () => void): void {
  enableRelaxed = fn;
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Validating the real module (not a probe) answers exactly "can this runtime take this build". */
function accepts(bytes: Uint8Array): boolean {
  try {
    return WebAssembly.validate(bytes as BufferSource);
  } catch {
    return false;
  }
}

/** The choice in effect: the option, else SRGAN_CPU_SIMD in Node, else 'auto'. */
export function simdChoice(opt: SimdChoice | undefined): SimdChoice {
  if (opt) return opt;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SRGAN_CPU_SIMD;
  return env === 'relaxed' || env === 'portable' || env === 'auto' ? env : 'auto';
}

/** The kernel module's bytes for this runtime, and whether they are the relaxed-SIMD build. */
export function kernelBytes(threaded: boolean, choice: SimdChoice): { bytes: Uint8Array; relaxed: boolean } {
  if (choice !== 'portable') {
    const relaxed = decode(threaded ? THREADED_RELAXED_KERNELS : SINGLE_THREAD_RELAXED_KERNELS);
    let ok = accepts(relaxed);
    if (!ok && enableRelaxed) {
      enableRelaxed();
      ok = accepts(relaxed);
    }
    if (ok) return { bytes: relaxed, relaxed: true };
    if (choice === 'relaxed')
      throw new EngineError("simd: 'relaxed': this runtime does not accept WebAssembly relaxed SIMD; use 'auto' or 'portable'");
  }
  return { bytes: decode(threaded ? THREADED_KERNELS : SINGLE_THREAD_KERNELS), relaxed: false };
}
