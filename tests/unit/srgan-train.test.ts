/**
 * The training loop on the real adapter: both phases learn, resume is bit-exact, a NaN loss is
 * recovered from without saving it, a lost device is survived, and memory stays flat.
 * Shapes are small (32-px crops, batch 2) and the discriminator narrow, so the file runs in a few
 * minutes on a software adapter; the networks are the real ones.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { makeConfig, type SrganConfig } from '../../src/srgan/config.js';
import { PhotoDataset } from '../../src/srgan/data/dataset.js';
import { readImageFolder } from '../../src/srgan/data/folder-node.js';
import type { HostImage } from '../../src/srgan/image/types.js';
import { runSession, type BatchSource, type SessionOptions } from '../../src/srgan/train/session.js';
import { Trainer, type HrBatch, type StepLog } from '../../src/srgan/train/trainer.js';
import type { Generator } from '../../src/srgan/models/generator.js';
import { RunFiles } from '../../src/srgan/store/run-store.js';
import { NodeRunStore } from '../../src/srgan/store/run-store-node.js';
import { planStep } from '../../src/srgan/train/schedule.js';
import { useEngine } from '../helpers/gpu.js';

const SMALL_D = { channels: [8, 8, 16, 16, 16, 16, 16, 16], dense: 32 };
const config = (over: Partial<SrganConfig> = {}) =>
  makeConfig('tiny', { hrCrop: 32, batch: 2, phase1Steps: 4, phase2Steps: 3, lrDecayAt: [], ...over, discriminator: SMALL_D });

let faces: HostImage[] | undefined;
async function dataset(seed = 5): Promise<PhotoDataset> {
  faces ??= (await readImageFolder('data/faces')).slice(0, 6);
  return PhotoDataset.fromImages(faces, { crop: 32, batch: 2, seed, prefetch: 1 });
}
const tmp = () => mkdtemp(join(tmpdir(), 'srgan-train-'));
const quiet = () => {};
/** A training session into a run folder (the CLI's store). */
type FolderRun = Omit<SessionOptions, 'store' | 'openData'> & { out: string; data: BatchSource };
const runTraining = ({ out, data, ...o }: FolderRun) => runSession({ ...o, store: new NodeRunStore(out), openData: () => data });

describe('schedule', () => {
  it('splits phases and decays the rate at fractions of each phase', () => {
    const cfg = makeConfig('tiny', { phase1Steps: 90, phase2Steps: 30, lr: 1e-3, lrDecayAt: [2 / 3], lrDecay: 0.5 });
    expect(planStep(cfg, 0)).toEqual({ phase: 1, inPhase: 0, lr: 1e-3 });
    expect(planStep(cfg, 59).lr).toBe(1e-3);
    expect(planStep(cfg, 60).lr).toBe(5e-4);
    expect(planStep(cfg, 90)).toEqual({ phase: 2, inPhase: 0, lr: 1e-3 });
    expect(planStep(cfg, 110, 0.5)).toEqual({ phase: 2, inPhase: 20, lr: 2.5e-4 });
  });
});

describe('trainer', () => {
  useEngine();
  it('phase 1 reduces the pixel loss and phase 2 trains D to separate real from fake', async () => {
    const fixed = await (await dataset()).next();
    const t = new Trainer(config({ phase1Steps: 15, phase2Steps: 8, lr: 2e-3 }));
    const logs: StepLog[] = [];
    for (let i = 0; i < 23; i++) logs.push(await t.trainStep(fixed));
    const p1 = logs.filter((l) => l.phase === 1),
      p2 = logs.filter((l) => l.phase === 2);
    // The residual-over-bicubic model starts at bicubic quality, so most of the error is detail a
    // few steps cannot learn: a steady few-percent drop on a fixed batch is the signal here.
    expect(p1[p1.length - 1].g_content).toBeLessThan(0.97 * p1[0].g_content);
    // D's loss (real + fake) on a fixed batch: the mean of the last two steps below the first two.
    const dLoss = (ls: StepLog[]) => ls.reduce((a, l) => a + l.d_real + l.d_fake, 0) / ls.length;
    expect(dLoss(p2.slice(-2))).toBeLessThan(dLoss(p2.slice(0, 2)));
    for (const l of p2) expect(Number.isFinite(l.g_adv) && Number.isFinite(l.g_content)).toBe(true);
    t.dispose();
  }, 600_000);

  it('keeps an exponential moving average of the generator, which grids and exports use', async () => {
    const batch = await (await dataset()).next();
    const t = new Trainer(config({ phase1Steps: 2, phase2Steps: 2, emaDecay: 0.9, lr: 2e-3 }));
    const read = async (g: Generator) => g.stateDict().get('head.0.weight')!.read();
    let ref = Float64Array.from(await read(t.generator));
    expect([...(await read(t.inferenceGenerator))]).toEqual([...ref].map(Math.fround)); // starts as a copy
    for (let n = 1; n <= 4; n++) {
      // through both phases: D steps leave the average alone
      await t.trainStep(batch);
      const w = await read(t.generator),
        d = Math.min(0.9, (1 + n) / (10 + n));
      ref = ref.map((a, i) => d * a + (1 - d) * w[i]);
    }
    const got = await read(t.inferenceGenerator),
      w = await read(t.generator);
    let worst = 0,
      apart = 0;
    for (let i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - ref[i]));
      apart = Math.max(apart, Math.abs(got[i] - w[i]));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(apart).toBeGreaterThan(1e-4); // the average lags the trained weights

    // Turning the average on at a resume starts it from the checkpoint's weights.
    const plain = new Trainer(config());
    await plain.trainStep(batch);
    const snap = await plain.snapshot();
    expect(snap.generatorAverage).toBeUndefined();
    const resumed = new Trainer(config({ emaDecay: 0.999 }));
    resumed.restore(snap);
    expect([...(await read(resumed.inferenceGenerator))]).toEqual([...(await read(plain.generator))]);
    expect(resumed.average!.weights.updates).toBe(0);
    for (const x of [t, plain, resumed]) x.dispose();
  }, 600_000);

  it("adds the texture terms (phase pattern, flat region) to G's loss in both phases when asked, and logs them", async () => {
    const batch = await (await dataset()).next();
    const head = async (t: Trainer) => t.generator.stateDict().get('tail.weight')!.read();
    const plain = new Trainer(config({ phase1Steps: 1, phase2Steps: 1 }));
    const phased = new Trainer(config({ phase1Steps: 1, phase2Steps: 1, phasePatternWeight: 1e4, flatRegionWeight: 10 }));
    expect([...(await head(phased))]).toEqual([...(await head(plain))]); // the same start
    const logsPlain = [await plain.trainStep(batch), await plain.trainStep(batch)];
    const logsPhased = [await phased.trainStep(batch), await phased.trainStep(batch)];
    for (const l of logsPlain) {
      expect(l.g_phase).toBeNaN();
      expect(l.g_flat).toBeNaN();
    }
    for (const l of logsPhased) {
      expect(l.g_phase).toBeGreaterThan(0);
      expect(l.g_flat).toBeGreaterThan(0);
    }
    expect(logsPhased.map((l) => l.phase)).toEqual([1, 2]);
    // The same first content loss (same weights, same batch), but the term moved the weights differently.
    expect(logsPhased[0].g_content).toBe(logsPlain[0].g_content);
    const a = await head(plain),
      b = await head(phased);
    expect(a.some((v, i) => Math.abs(v - b[i]) > 1e-6)).toBe(true);
    plain.dispose();
    phased.dispose();
  }, 600_000);

  it('rejects a batch of the wrong shape before the GPU sees it', async () => {
    const t = new Trainer(config());
    const bad: HrBatch = { data: new Float32Array(2 * 3 * 30 * 30), shape: [2, 3, 30, 30] };
    await expect(t.trainStep(bad)).rejects.toThrow(/multiples of 4/);
    t.dispose();
  });
});

describe('run loop', () => {
  useEngine();
  it('resumes bit-exactly: k + (N − k) steps equal N steps in one run, across both phases', async () => {
    const cfg = config();
    const straight = await tmp(),
      split = await tmp();
    const a = await runTraining({ config: cfg, data: await dataset(), out: straight, checkpointEvery: 100, log: quiet });
    a.trainer.dispose();
    const b1 = await runTraining({ config: cfg, data: await dataset(), out: split, untilStep: 5, checkpointEvery: 100, log: quiet });
    b1.trainer.dispose();
    const b2 = await runTraining({ config: cfg, data: await dataset(), out: split, resume: true, checkpointEvery: 100, log: quiet });
    b2.trainer.dispose();
    expect(b2.stepsRun).toBe(2);
    const files = ['generator.safetensors', 'discriminator.safetensors', 'optimizer.safetensors'];
    for (const f of files) {
      const x = await readFile(join(straight, 'checkpoints', 'step-000007', f));
      const y = await readFile(join(split, 'checkpoints', 'step-000007', f));
      expect(Buffer.compare(x, y), f).toBe(0);
    }
    const log = await new RunFiles(new NodeRunStore(split)).readLog();
    expect(log.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("resumes a weight average bit-exactly and exports it as the run's generator", async () => {
    const cfg = config({ emaDecay: 0.9 });
    const straight = await tmp(),
      split = await tmp();
    (await runTraining({ config: cfg, data: await dataset(), out: straight, checkpointEvery: 100, log: quiet })).trainer.dispose();
    (await runTraining({ config: cfg, data: await dataset(), out: split, untilStep: 5, checkpointEvery: 100, log: quiet })).trainer.dispose();
    (await runTraining({ config: cfg, data: await dataset(), out: split, resume: true, checkpointEvery: 100, log: quiet })).trainer.dispose();
    const at = (dir: string, f: string) => readFile(join(dir, 'checkpoints', 'step-000007', f));
    const average = await at(split, 'generator-average.safetensors');
    expect(Buffer.compare(average, await at(straight, 'generator-average.safetensors'))).toBe(0);
    expect(JSON.parse((await at(split, 'state.json')).toString()).averageUpdates).toBe(7);
    expect(Buffer.compare(await readFile(join(split, 'generator.safetensors')), average)).toBe(0);
    expect(Buffer.compare(await at(split, 'generator.safetensors'), average)).not.toBe(0);
  });

  it('recovers from a NaN loss: never saves it, goes back to the last checkpoint and halves the rate', async () => {
    const inner = await dataset();
    let handed = 0;
    const poisoned: BatchSource = {
      get state() {
        return inner.state;
      },
      restore: (s) => inner.restore(s as never),
      next: async () => {
        const b = await inner.next();
        if (++handed === 4) b.data[7] = NaN; // one corrupt batch: its loss is NaN
        return b;
      },
    };
    const said: string[] = [];
    const out = await tmp();
    const r = await runTraining({
      config: config({ phase1Steps: 6, phase2Steps: 0 }),
      data: poisoned,
      out,
      checkpointEvery: 2,
      log: (m) => said.push(m),
    });
    expect(r.recoveries.nan).toBe(1);
    expect(r.trainer.step).toBe(6);
    expect(r.trainer.lrScale).toBe(0.5);
    expect(said.join('\n')).toMatch(/step 4: loss is not finite; back to the checkpoint at step 2, learning rate ×0.5/);
    const g = E.decodeSafetensors(await readFile(join(out, 'generator.safetensors')));
    for (const t of g.tensors) expect(t.data.every(Number.isFinite), t.name).toBe(true);
    expect((await r.files.readLog()).every((l) => Number.isFinite(l.g_content))).toBe(true);
    r.trainer.dispose();
  });

  it("survives a CPU worker's kernel fault: the step is redone from the last checkpoint, and the report counts it", async () => {
    const eng = E.engine();
    if (eng.kind !== 'cpu') throw new Error('expected the CPU backend (no hardware GPU here)');
    const said: string[] = [];
    const out = await tmp();
    const r = await runTraining({
      config: config({ phase1Steps: 5, phase2Steps: 0 }),
      data: await dataset(),
      out,
      checkpointEvery: 2,
      log: (m) => said.push(m),
      onStep: (log) => {
        if (log.step === 3 && said.length === 0) eng.simulateKernelFault();
      },
    });
    expect(r.recoveries.kernelFault).toBe(1);
    expect(r.trainer.step).toBe(5);
    expect(said.join('\n')).toMatch(
      /step 4: CPU kernel fault \(a CPU backend worker failed in a kernel \(simulated\); in .*job \d+, words .*\); back to the checkpoint at step 2/,
    );
    expect(Number.isFinite(r.logs[r.logs.length - 1].g_content)).toBe(true);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toMatch(/CPU kernel faults \| 0 \/ 0 \/ 0 \/ 1/);
    r.trainer.dispose();
  });

  it('keeps GPU memory flat over 100 training steps', async () => {
    const data = await dataset();
    const t = new Trainer(config({ phase1Steps: 2, phase2Steps: 200, emaDecay: 0.999 }));
    for (let i = 0; i < 4; i++) await t.trainStep(await data.next()); // into phase 2: every kernel and slot exists
    await E.engine().sync();
    const before = { ...E.engine().memory(), tensors: E.liveTensorCount() };
    for (let i = 0; i < 100; i++) await t.trainStep(await data.next());
    await E.engine().sync();
    const after = { ...E.engine().memory(), tensors: E.liveTensorCount() };
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.tensors).toBe(before.tensors);
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
    t.dispose();
  }, 600_000);
});

// A device loss is a WebGPU event: this block opens the adapter whichever backend 'auto' picks.
describe('run loop on WebGPU', () => {
  useEngine('webgpu');

  it('survives a lost GPU device: re-acquires one and resumes from the last checkpoint', async () => {
    const said: string[] = [];
    const r = await runTraining({
      config: config({ phase1Steps: 5, phase2Steps: 0 }),
      data: await dataset(),
      out: await tmp(),
      checkpointEvery: 2,
      log: (m) => said.push(m),
      onStep: (log) => {
        if (log.step === 3 && said.length === 0) (E.engine() as E.WebGpuEngine).device.destroy();
      },
    });
    expect(r.recoveries.deviceLost).toBe(1);
    expect(r.trainer.step).toBe(5);
    expect(said.join('\n')).toMatch(/GPU device lost .* resuming from step 2/);
    expect(Number.isFinite(r.logs[r.logs.length - 1].g_content)).toBe(true);
    r.trainer.dispose();
  });
});
