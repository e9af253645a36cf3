/**
 * One SRGAN training step, as in the paper (BasicSR's `optimize_parameters`):
 *   phase 1 (SRResNet): G minimises the pixel MSE between G(LR) and HR;
 *   phase 2 (GAN): one D step on real HR vs detached G(LR) (BCE), then one G step on
 *   contentWeight·l_content + advWeight·(−log D(G(LR))).
 * The trainer owns the networks and their Adam optimizers; data, files and the UI are outside it
 * (the Node run loop and the browser worker both drive `trainStep`). Everything it needs to resume
 * exactly — weights, running statistics, Adam moments, step, learning-rate scale, the weight
 * average — goes through `snapshot` / `restore`, as plain bytes that either side can store.
 *
 * With `emaDecay` > 0 the trainer also keeps an exponential moving average of the generator's
 * weights (BasicSR's `net_g_ema`), updated after every generator step. The average is what the
 * run shows and ships: sample grids, the held-out evaluation and the exported generator.
 */
import * as E from '../../engine/index.js';
import type { Tensor } from '../../engine/index.js';
import { fromUnitRange, withConfigDefaults, type SrganConfig } from '../config.js';
import { Generator } from '../models/generator.js';
import { runGenerator } from '../serve/inference.js';
import { ConfigError, ModelFileError, SrganError } from '../errors.js';
import { Discriminator } from '../models/discriminator.js';
import type { Vgg19Features } from '../models/vgg19.js';
import { discriminatorLoss, perceptualLoss, textureTerms, type TextureTerms } from '../losses.js';
import { makeLr } from '../data/degrade.js';
import { planStep, totalSteps, type Phase } from './schedule.js';

/** A batch of HR crops on the host: [B, 3, H, W], values in [0, 1]. */
export interface HrBatch {
  data: Float32Array;
  shape: readonly [number, number, number, number];
  /** The LR made on the host by a degradation (src/srgan/data/degradations); absent: made here by makeLr. */
  lowRes?: { data: Float32Array; shape: readonly [number, number, number, number] };
}

/** One row of the loss log (the CSV columns). Losses not computed in a phase are NaN. */
export interface StepLog {
  step: number;
  phase: Phase;
  g_content: number;
  g_adv: number;
  /** The feature-matching term (NaN when the run has none). */
  g_fm: number;
  /** The phase-pattern term (NaN when the run has none). */
  g_phase: number;
  /** The flat-region term (NaN when the run has none). */
  g_flat: number;
  d_real: number;
  d_fake: number;
  lr: number;
  ms: number;
}

/** Serialisable trainer state: three safetensors files (four with a weight average) and a small JSON. */
export interface TrainerSnapshot {
  generator: Uint8Array;
  discriminator: Uint8Array;
  optimizer: Uint8Array;
  /** The generator's weight average (config.emaDecay > 0), a generator checkpoint like `generator`. */
  generatorAverage?: Uint8Array;
  state: TrainerState;
}

/** The generator a snapshot ships (for upscaling): the weight average when there is one. */
export function exportedGenerator(s: TrainerSnapshot): Uint8Array {
  return s.generatorAverage ?? s.generator;
}

export interface TrainerState {
  format: 'srgan-webgpu/trainer@1';
  step: number;
  phase: Phase;
  lrScale: number;
  config: SrganConfig;
  /** Updates folded into the weight average (its warm-up depends on it). */
  averageUpdates?: number;
  /** Opaque state of the data source's RNG, stored by the run loop. */
  data?: unknown;
}

/** Thrown by `trainStep` when a loss is NaN or ±Inf; the step's updates have already been applied. */
export class NonFiniteLossError extends SrganError {
  constructor(
    readonly step: number,
    readonly log: StepLog,
  ) {
    super(`non-finite loss at step ${step}: ${JSON.stringify(log)}`);
    this.name = 'NonFiniteLossError';
  }
}

export class Trainer {
  readonly generator: Generator;
  readonly discriminator: Discriminator;
  readonly optG: E.Adam;
  readonly optD: E.Adam;
  /** Global step: the number of steps done. */
  step = 0;
  /** Halved on every NaN recovery; multiplies the scheduled learning rate. */
  lrScale = 1;
  /** The generator's weight average and the generator that holds it (config.emaDecay > 0). */
  readonly average?: { generator: Generator; weights: E.WeightAverage };

  readonly config: SrganConfig;

  constructor(
    config: SrganConfig,
    readonly vgg?: Vgg19Features,
  ) {
    config = this.config = withConfigDefaults(config);
    if (config.content === 'vgg' && !vgg)
      throw new ConfigError('trainer: content "vgg" needs VGG19 weights (pass a Vgg19Features); use content "mse" without them');
    E.nn.manualSeed(config.seed);
    this.generator = new Generator(config.generator);
    this.discriminator = new Discriminator(config.discriminator, config.hrCrop);
    const betas: [number, number] = [config.beta1, config.beta2];
    this.optG = new E.Adam(this.generator.parameters(), { lr: config.lr, betas });
    this.optD = new E.Adam(this.discriminator.parameters(), { lr: config.lr, betas });
    // Configs saved before the average existed have no emaDecay: no average.
    if (config.emaDecay > 0) {
      const generator = new Generator(config.generator).eval();
      const weights = new E.WeightAverage(pairByName(generator, this.generator), { decay: config.emaDecay });
      weights.reset();
      this.average = { generator, weights };
    }
  }

  /** The generator to show and ship: the weight average when there is one, else the trained weights. */
  get inferenceGenerator(): Generator {
    return this.average?.generator ?? this.generator;
  }

  /** Start the weight average over from the current weights (after loading other starting weights). */
  resetAverage(): void {
    this.average?.weights.reset();
  }

  get phase(): Phase {
    return planStep(this.config, this.step).phase;
  }

  get done(): boolean {
    return this.step >= totalSteps(this.config);
  }

  /** HR [0,1] batch → (LR [0,1], HR in the generator's output range), both owned by the caller's scope. */
  private prepare(batch: HrBatch): { lowRes: Tensor; target: Tensor } {
    const [b, c, h, w] = batch.shape;
    const s = this.config.generator.scale;
    if (c !== 3 || h % s !== 0 || w % s !== 0 || batch.data.length !== b * c * h * w)
      throw new E.ShapeError(`trainer: HR batch must be [B, 3, H, W] with H and W multiples of ${s}, got [${batch.shape.join(', ')}]`);
    const hr = E.tensor(batch.data, [...batch.shape]);
    const lr = batch.lowRes;
    if (lr && (lr.shape[0] !== b || lr.shape[1] !== 3 || lr.shape[2] * s !== h || lr.shape[3] * s !== w))
      throw new E.ShapeError(`trainer: the LR batch [${lr.shape.join(', ')}] does not match the HR batch [${batch.shape.join(', ')}] at ×${s}`);
    const lowRes = lr ? E.tensor(lr.data, [...lr.shape]) : makeLr(hr, s);
    const { scale, shift } = fromUnitRange(this.config.generator.outputRange);
    const target = scale === 1 && shift === 0 ? hr : E.addScalar(E.mulScalar(hr, scale), shift);
    return { lowRes, target };
  }

  async trainStep(batch: HrBatch): Promise<StepLog> {
    const t0 = performance.now();
    const plan = planStep(this.config, this.step, this.lrScale);
    this.optG.lr = plan.lr;
    this.optD.lr = plan.lr * this.config.dLrScale;
    const losses = E.tidy(() => {
      const { lowRes, target } = this.prepare(batch);
      const out: Record<string, Tensor> = {};
      if (plan.phase === 2) this.discriminatorStep(lowRes, target, out);
      this.generatorStep(lowRes, target, plan.phase, out);
      return out;
    });

    // One read-back per step: the scalars travel together.
    const names = Object.keys(losses);
    const packed = E.tidy(() => E.concat(names.map((k) => E.reshape(losses[k], [1]))));
    for (const t of Object.values(losses)) t.dispose();
    const read = await packed.read();
    packed.dispose();
    const values: Record<string, number> = Object.fromEntries(names.map((k, i) => [k, read[i]]));
    this.step++;
    const log: StepLog = {
      step: this.step,
      phase: plan.phase,
      lr: plan.lr,
      ms: performance.now() - t0,
      g_content: values.g_content ?? NaN,
      g_adv: values.g_adv ?? NaN,
      g_fm: values.g_fm ?? NaN,
      g_phase: values.g_phase ?? NaN,
      g_flat: values.g_flat ?? NaN,
      d_real: values.d_real ?? NaN,
      d_fake: values.d_fake ?? NaN,
    };
    if (Object.values(values).some((v) => !Number.isFinite(v))) throw new NonFiniteLossError(this.step, log);
    return log;
  }

  /** D on real HR vs G(LR), with no graph through G. */
  private discriminatorStep(lowRes: Tensor, target: Tensor, out: Record<string, Tensor>): void {
    this.optD.zeroGrad();
    const fake = E.noGrad(() => this.generator.forward(lowRes));
    const d = discriminatorLoss(this.discriminator.forward(target), this.discriminator.forward(fake), this.config.ganLoss);
    E.backward(d.total);
    this.optD.step();
    out.d_real = d.real.detach();
    out.d_fake = d.fake.detach();
  }

  private generatorStep(lowRes: Tensor, target: Tensor, phase: Phase, out: Record<string, Tensor>): void {
    this.optG.zeroGrad();
    // D is frozen during the G step: the adversarial term's backward then computes no gradients
    // for D's weights (half the cost of D's backward), only the path through D to G's output.
    const dParams = this.discriminator.parameters();
    for (const p of dParams) p.requiresGrad = false;
    try {
      const sr = this.generator.forward(lowRes);
      if (phase === 1) {
        // SRResNet: pixel MSE (plus the texture terms when the run asks for them).
        const content = E.mseLoss(sr, target);
        const texture = textureTerms(sr, target, this.config);
        E.backward(texture.total ? E.add(content, texture.total) : content);
        out.g_content = content.detach();
        this.logTextureTerms(texture, out);
      } else {
        // The relativistic loss compares with D's logits on the real batch, feature matching with
        // D's block outputs on it (no graph: D is frozen and HR is data).
        const matching = this.config.featureMatchWeight > 0;
        const fake = this.discriminator.forwardWithFeatures(sr);
        const real = matching || this.config.ganLoss === 'ragan' ? this.discriminator.forwardWithFeatures(target) : undefined;
        const loss = perceptualLoss(
          sr,
          target,
          {
            fakeLogits: fake.logits,
            realLogits: real?.logits,
            ...(matching ? { fakeFeatures: fake.features, realFeatures: real!.features } : {}),
          },
          this.config,
          this.vgg,
        );
        E.backward(loss.total);
        out.g_content = loss.content;
        out.g_adv = loss.adversarial;
        if (loss.featureMatch) out.g_fm = loss.featureMatch;
        this.logTextureTerms(loss, out);
      }
    } finally {
      for (const p of dParams) p.requiresGrad = true;
    }
    this.optG.step();
    this.average?.weights.update();
  }

  private logTextureTerms(t: Omit<TextureTerms, 'total'>, out: Record<string, Tensor>): void {
    if (t.phasePattern) out.g_phase = t.phasePattern;
    if (t.flatRegion) out.g_flat = t.flatRegion;
  }

  /** SR for an LR batch in [0, 1] (eval mode, no graph), for grids and metrics: the inference generator's. */
  enhance(lowRes: Tensor): Tensor {
    return runGenerator(this.inferenceGenerator, lowRes);
  }

  async snapshot(data?: unknown): Promise<TrainerSnapshot> {
    const meta = { srgan_config: JSON.stringify(this.config), step: String(this.step) };
    const moments = new Map<string, Tensor>();
    for (const [prefix, model, opt] of [
      ['generator', this.generator, this.optG],
      ['discriminator', this.discriminator, this.optD],
    ] as const)
      for (const [name, p] of model.namedParameters()) {
        const [m, v] = opt.slotsOf(p);
        if (m && v) {
          moments.set(`${prefix}.${name}.exp_avg`, m);
          moments.set(`${prefix}.${name}.exp_avg_sq`, v);
        }
      }
    const optMeta = { g_steps: String(this.optG.stepCount), d_steps: String(this.optD.stepCount) };
    return {
      generator: await E.saveCheckpoint(this.generator, meta),
      discriminator: await E.saveCheckpoint(this.discriminator, meta),
      optimizer: await E.tensorsToSafetensors(moments, optMeta),
      ...(this.average
        ? { generatorAverage: await E.saveCheckpoint(this.average.generator, { ...meta, average_decay: String(this.config.emaDecay) }) }
        : {}),
      state: {
        format: 'srgan-webgpu/trainer@1',
        step: this.step,
        phase: this.phase,
        lrScale: this.lrScale,
        config: this.config,
        ...(this.average ? { averageUpdates: this.average.weights.updates } : {}),
        data,
      },
    };
  }

  /** Load a snapshot into this trainer (its config must describe the same networks). */
  restore(s: TrainerSnapshot): void {
    if (s.state.format !== 'srgan-webgpu/trainer@1') throw new ModelFileError(`trainer: unknown state format ${String(s.state.format)}`);
    if (
      JSON.stringify(s.state.config.generator) !== JSON.stringify(this.config.generator) ||
      JSON.stringify(s.state.config.discriminator) !== JSON.stringify(this.config.discriminator)
    )
      throw new ModelFileError('trainer: the checkpoint was made for different networks (generator/discriminator config differ)');
    // Validate and decode everything before changing anything.
    const moments = E.decodeSafetensors(s.optimizer);
    const byName = new Map(moments.tensors.map((t) => [t.name, t]));
    E.loadCheckpoint(this.generator, s.generator);
    E.loadCheckpoint(this.discriminator, s.discriminator);
    for (const [prefix, model, opt] of [
      ['generator', this.generator, this.optG],
      ['discriminator', this.discriminator, this.optD],
    ] as const)
      for (const [name, p] of model.namedParameters()) {
        const m = byName.get(`${prefix}.${name}.exp_avg`),
          v = byName.get(`${prefix}.${name}.exp_avg_sq`);
        if (m && v) opt.setSlots(p, [E.tensor(m.data, p.shape), E.tensor(v.data, p.shape)]);
      }
    if (this.average) {
      // A snapshot without an average (taken before --ema was turned on) starts one from its weights.
      if (!s.generatorAverage) this.average.weights.reset();
      else {
        E.loadCheckpoint(this.average.generator, s.generatorAverage);
        this.average.weights.updates = s.state.averageUpdates ?? 0;
      }
    }
    this.optG.stepCount = Number(moments.metadata.g_steps ?? 0);
    this.optD.stepCount = Number(moments.metadata.d_steps ?? 0);
    this.step = s.state.step;
    this.lrScale = s.state.lrScale;
  }

  dispose(): void {
    this.optG.dispose();
    this.optD.dispose();
    this.generator.dispose();
    this.discriminator.dispose();
    this.average?.generator.dispose();
  }
}

/** [average, weight] pairs of two generators of one config, matched by name: parameters and running statistics. */
function pairByName(average: Generator, trained: Generator): [Tensor, Tensor][] {
  const weights = trained.stateDict();
  return [...average.stateDict()].map(([name, t]): [Tensor, Tensor] => [t, weights.get(name)!]);
}
