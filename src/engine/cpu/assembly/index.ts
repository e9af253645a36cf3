// The CPU backend's WebAssembly module. Threads (workers) call `dispatch` with a job descriptor
// in shared memory: its first word names the job, the rest are that job's arguments.
import { convForward, convWgrad } from './conv';
import { gemmJob } from './matmul';
import { directForward, directWgrad } from './direct';
import { padPlanes } from './pad';
import { mapJob, shuffleJob, resizeJob } from './elementwise';
import { preluJob } from './prelu';

export { packA, packB, MR, NR } from './gemm';
export { convForward, convWgrad, wgradScratchBytes, CONV_SCRATCH_BYTES } from './conv';
export { gemmJob, GEMM_SCRATCH_BYTES } from './matmul';
export { directForward, directWgrad, directScratchBytes } from './direct';
// The hot loops, exported only so that binaryen keeps each a function of its own: inlined into
// their single caller, their loops would sit deeper, where V8 unrolls them and spills (see gemm.ts).
export { microKernel, microKernel5, microKernel4, microKernel2 } from './gemm';
export { forwardStep, wgradPair } from './direct';
export { preluForward, preluInputGrad } from './prelu';
export { channelMoments, channelAffine } from './channels';

export const JOB_CONV_FORWARD: i32 = 1;
export const JOB_CONV_WGRAD: i32 = 2;
export const JOB_GEMM: i32 = 3;
export const JOB_DIRECT_FORWARD: i32 = 4;
export const JOB_DIRECT_WGRAD: i32 = 5;
export const JOB_PAD: i32 = 6;
export const JOB_MAP: i32 = 7;
export const JOB_SHUFFLE: i32 = 8;
export const JOB_RESIZE: i32 = 9;
export const JOB_PRELU: i32 = 10;

export function dispatch(desc: usize, tid: i32, nt: i32): void {
  const job = load<i32>(desc);
  if (job == JOB_CONV_FORWARD) convForward(desc + 4, tid, nt);
  else if (job == JOB_CONV_WGRAD) convWgrad(desc + 4, tid, nt);
  else if (job == JOB_GEMM) gemmJob(desc + 4, tid, nt);
  else if (job == JOB_DIRECT_FORWARD) directForward(desc + 4, tid, nt);
  else if (job == JOB_DIRECT_WGRAD) directWgrad(desc + 4, tid, nt);
  else if (job == JOB_PAD) padPlanes(desc + 4, tid, nt);
  else if (job == JOB_MAP) mapJob(desc + 4, tid, nt);
  else if (job == JOB_SHUFFLE) shuffleJob(desc + 4, tid, nt);
  else if (job == JOB_RESIZE) resizeJob(desc + 4, tid, nt);
  else if (job == JOB_PRELU) preluJob(desc + 4, tid, nt);
  else unreachable();
}
