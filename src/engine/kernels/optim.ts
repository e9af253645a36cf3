/**
 * Fused optimizer updates: one dispatch per parameter reads the gradient and the optimizer state
 * and writes parameter and state in place. Step-dependent scalars (learning rate, bias
 * corrections) come from a small storage buffer written once per step and shared by every
 * parameter, so the per-parameter uniforms (sizes, constant hyper-parameters) stay cached.
 */
import { gridBuiltins, linearIndex } from './common.js';
import type { KernelSource } from './bindings.js';

export function adamKernel(wg: number): KernelSource {
  return {
    inputs: ['G', 'S'],
    outputs: ['W', 'M', 'V'],
    uniform: 'P',
    code: () => `
struct P { n: u32, decoupled: u32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32 }
// S = [lr, 1 / (1 - beta1^t), 1 / (1 - beta2^t)]
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let lr = S[0];
  var w = W[i];
  var g = G[i];
  if (u.decoupled == 1u) { w = w * (1.0 - lr * u.weightDecay); }   // AdamW
  else { g = g + u.weightDecay * w; }                                // Adam with L2
  let m = u.beta1 * M[i] + (1.0 - u.beta1) * g;
  let v = u.beta2 * V[i] + (1.0 - u.beta2) * g * g;
  M[i] = m;
  V[i] = v;
  W[i] = w - lr * (m * S[1]) / (sqrt(v * S[2]) + u.eps);
}`,
  };
}

export function sgdKernel(wg: number): KernelSource {
  return {
    inputs: ['G', 'S'],
    outputs: ['W', 'B'],
    uniform: 'P',
    code: () => `
struct P { n: u32, nesterov: u32, momentum: f32, dampening: f32, weightDecay: f32, first: u32 }
// S = [lr]
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  let w = W[i];
  var d = G[i] + u.weightDecay * w;
  if (u.momentum != 0.0) {
    // PyTorch: the first step initialises the buffer with the gradient itself.
    let b = select(u.momentum * B[i] + (1.0 - u.dampening) * d, d, u.first == 1u);
    B[i] = b;
    d = select(b, d + u.momentum * b, u.nesterov == 1u);
  }
  W[i] = w - S[0] * d;
}`,
  };
}

export function weightAverageKernel(wg: number): KernelSource {
  return {
    inputs: ['W', 'S'],
    outputs: ['A'],
    uniform: 'P',
    code: () => `
struct P { n: u32 }
// S = [decay, 1 - decay] for this update
@compute @workgroup_size(${wg})
fn main(${gridBuiltins}) {
  let i = ${linearIndex(wg)};
  if (i >= u.n) { return; }
  // With decay = 0 this is an exact copy of w (a reset).
  A[i] = S[0] * A[i] + S[1] * W[i];
}`,
  };
}
