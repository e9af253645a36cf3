/**
 * Which phase a global step belongs to, and its learning rate. Phase 1 (SRResNet, MSE only) runs
 * for `phase1Steps`, then phase 2 (the GAN) for `phase2Steps`. Within a phase the rate is
 * multiplied by `lrDecay` at each listed fraction of that phase (the paper: 1e-4, then 1e-5 for the
 * second half of the GAN phase). `lrScale` is the trainer's own factor, halved on every NaN recovery.
 */
import type { SrganConfig } from '../config.js';

export type Phase = 1 | 2;

export interface StepPlan {
  phase: Phase;
  /** Step index within its phase (0-based). */
  inPhase: number;
  lr: number;
}

export function totalSteps(cfg: SrganConfig): number {
  return cfg.phase1Steps + cfg.phase2Steps;
}

export function planStep(cfg: SrganConfig, step: number, lrScale = 1): StepPlan {
  const phase: Phase = step < cfg.phase1Steps ? 1 : 2;
  const inPhase = phase === 1 ? step : step - cfg.phase1Steps;
  const length = phase === 1 ? cfg.phase1Steps : cfg.phase2Steps;
  const decays = cfg.lrDecayAt.filter((f) => inPhase >= Math.round(f * length)).length;
  return { phase, inPhase, lr: cfg.lr * cfg.lrDecay ** decays * lrScale };
}
