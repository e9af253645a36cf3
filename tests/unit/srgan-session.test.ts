/**
 * The training session on both run stores: a folder (Node) and IndexedDB (fake-indexeddb here; the
 * real one is driven in Chromium by tests/browser/app-runs.test.ts). Fresh start, resume, init-from
 * with block growth and NaN recovery write the same files to both; a refused IndexedDB write changes
 * nothing. Tiny shapes: 32-px crops, batch 2, a narrow D.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import * as E from '../../src/engine/index.js';
import { makeConfig, type SrganConfig } from '../../src/srgan/config.js';
import { generatorFromSafetensors, generatorToSafetensors } from '../../src/srgan/store/checkpoint.js';
import { PhotoDataset } from '../../src/srgan/data/dataset.js';
import { readImageFolder } from '../../src/srgan/data/folder-node.js';
import type { HostImage } from '../../src/srgan/image/types.js';
import { Generator } from '../../src/srgan/models/generator.js';
import { runSession, type BatchSource, type SessionOptions } from '../../src/srgan/train/session.js';
import { RunFiles, type RunStore } from '../../src/srgan/store/run-store.js';
import { NodeRunStore } from '../../src/srgan/store/run-store-node.js';
import { BrowserRunStore, createRun, getRun, listRuns, runSize, type RunsDbOptions } from '../../src/srgan/store/run-store-browser.js';
import { useEngine } from '../helpers/gpu.js';

useEngine();

const SMALL_D = { channels: [8, 8, 16, 16, 16, 16, 16, 16], dense: 32 };
const config = (over: Partial<SrganConfig> = {}) =>
  makeConfig('tiny', {
    hrCrop: 32,
    batch: 2,
    phase1Steps: 4,
    phase2Steps: 0,
    lrDecayAt: [],
    ...over,
    discriminator: SMALL_D,
    generator: { blocks: 2, channels: 8, ...over.generator },
  });

let faces: HostImage[] | undefined, heldout: HostImage[] | undefined;
async function images(): Promise<{ faces: HostImage[]; heldout: HostImage[] }> {
  faces ??= (await readImageFolder('data/faces')).slice(0, 4);
  heldout ??= (await readImageFolder('data/faces/heldout')).slice(0, 2);
  return { faces, heldout };
}
const openData = async (c: SrganConfig) =>
  PhotoDataset.fromImages((await images()).faces, { crop: c.hrCrop, batch: c.batch, seed: c.seed, prefetch: 1 });

/** A fresh IndexedDB (fake-indexeddb's, in memory) and a new run in it. */
async function idbStore(): Promise<{ store: BrowserRunStore; db: RunsDbOptions }> {
  const db: RunsDbOptions = { factory: new IDBFactory(), keyRange: IDBKeyRange };
  const meta = await createRun({ name: 'test run', preset: 'tiny', total: 0, data: 'bundled' }, db);
  const node = new NodeRunStore('unused'); // its PNG encoder (the browser's is OffscreenCanvas)
  return { store: new BrowserRunStore(meta.id, { ...db, encodePng: (g) => node.encodePng(g) }), db };
}
const folderStore = async () => new NodeRunStore(await mkdtemp(join(tmpdir(), 'srgan-session-')));

async function session(store: RunStore, o: Partial<SessionOptions> = {}) {
  const r = await runSession({
    store,
    config: config(),
    openData,
    heldout: (await images()).heldout,
    checkpointEvery: 2,
    sampleEvery: 2,
    log: () => {},
    ...o,
  });
  r.dispose();
  return r;
}
/** The store's files, minus those that differ by platform or time (loss.png: Node only; the summary's times). */
const comparable = async (s: RunStore) => (await s.list('')).filter((n) => !['loss.png', 'summary.md', 'summary.json'].includes(n));
const bytes = async (s: RunStore, n: string) => Buffer.from((await s.read(n))!);

describe('training session', () => {
  it('fresh, then resumed: the same files in a folder and in IndexedDB, and exactly one step log', async () => {
    const folder = await folderStore(),
      { store: idb, db } = await idbStore();
    for (const s of [folder, idb]) await session(s, { untilStep: 3 });
    for (const s of [folder, idb]) expect((await session(s, { resume: true })).stepsRun).toBe(1);
    const names = await comparable(folder);
    expect(names).toEqual(await comparable(idb));
    expect(names).toEqual(
      expect.arrayContaining([
        'checkpoints/latest.json',
        'checkpoints/step-000004/state.json',
        'generator.safetensors',
        'loss.csv',
        'loss.svg',
        'samples/step-000000.png',
        'samples/step-000002.png',
        'samples/step-000004.png',
      ]),
    );
    // Two step folders are kept: the last one and the one before it.
    expect(new Set(names.filter((n) => n.startsWith('checkpoints/step-')).map((n) => n.split('/')[1]))).toEqual(
      new Set(['step-000003', 'step-000004']),
    );
    for (const n of names.filter((n) => n.endsWith('.safetensors'))) expect(Buffer.compare(await bytes(folder, n), await bytes(idb, n)), n).toBe(0);
    for (const s of [folder, idb]) expect((await new RunFiles(s).readLog()).map((l) => l.step)).toEqual([1, 2, 3, 4]);
    expect(await folder.list('')).toContain('loss.png');
    // The run's record follows its checkpoints: step, total, size.
    const [meta] = await listRuns(db);
    expect(meta).toMatchObject({ step: 4, total: 4, preset: 'tiny', name: 'test run' });
    const files = await idb.list('');
    let size = 0;
    for (const n of files) size += (await idb.read(n))!.byteLength;
    expect(runSize(meta)).toBe(size);
  }, 600_000);

  it('refuses a fresh start over a checkpoint, and a resume without one', async () => {
    const { store } = await idbStore();
    await expect(runSession({ store, config: config(), openData, resume: true })).rejects.toThrow(/holds no checkpoint to resume/);
    await session(store, { untilStep: 1 });
    await expect(runSession({ store, config: config(), openData })).rejects.toThrow(/already holds a checkpoint/);
  }, 300_000);

  it('starts from a smaller generator file with grown blocks, computing what the file did', async () => {
    const small = new Generator(config().generator);
    const file = await generatorToSafetensors(small, config());
    const x = E.randUniform([1, 3, 8, 8], 0, 1, 3);
    const want = await E.noGrad(() => small.eval().forward(x)).read();
    for (const store of [await folderStore(), (await idbStore()).store]) {
      const said: string[] = [];
      await session(store, {
        config: config({ generator: { blocks: 3, channels: 8 } as SrganConfig['generator'] }),
        initGenerator: { bytes: file, source: 'small.safetensors' },
        untilStep: 1,
        log: (m) => said.push(m),
      });
      expect(said.join('\n')).toMatch(/initialised the generator from small\.safetensors \(2 of 3 blocks/);
      const grown = generatorFromSafetensors((await store.read('checkpoints/step-000000/generator.safetensors'))!).generator;
      expect(grown.cfg.blocks).toBe(3);
      const got = await E.noGrad(() => grown.forward(x)).read();
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(worst).toBeLessThan(1e-5);
      grown.dispose();
    }
    small.dispose();
    x.dispose();
  }, 300_000);

  it('starts the discriminator from a file: the first checkpoint holds its weights; a D of another shape is refused, named', async () => {
    const first = await folderStore();
    await session(first, { config: config({ phase1Steps: 0, phase2Steps: 2 }), untilStep: 2 });
    const dFile = (await first.read('checkpoints/step-000002/discriminator.safetensors'))!;
    const store = await folderStore(),
      said: string[] = [];
    await session(store, {
      config: config({ phase1Steps: 0, phase2Steps: 2, seed: 7 }),
      untilStep: 0,
      initDiscriminator: { bytes: dFile, source: 'trained-d.safetensors' },
      log: (m) => said.push(m),
    });
    expect(said.join('\n')).toMatch(/initialised the discriminator from trained-d\.safetensors/);
    const loaded = E.decodeSafetensors((await store.read('checkpoints/step-000000/discriminator.safetensors'))!);
    const trained = E.decodeSafetensors(dFile);
    expect(loaded.tensors.map((t) => [t.name, Array.from(t.data)])).toEqual(trained.tensors.map((t) => [t.name, Array.from(t.data)]));
    const wider = makeConfig('tiny', {
      ...config({ phase1Steps: 0, phase2Steps: 2 }),
      discriminator: { ...SMALL_D, channels: [4, 8, 16, 16, 16, 16, 16, 16] },
    });
    await expect(
      session(await folderStore(), { config: wider, untilStep: 0, initDiscriminator: { bytes: dFile, source: 'trained-d.safetensors' } }),
    ).rejects.toThrow(/trained-d\.safetensors: a discriminator of another network \(8,8,16,16,16,16,16,16 channels.*\) than this run's \(4,8,16/);
    // Same tensors, another network: blur downsampling instead of strides.
    const blur = makeConfig('tiny', { ...config({ phase1Steps: 0, phase2Steps: 2 }), discriminator: { ...SMALL_D, downsample: 'blur' } });
    await expect(
      session(await folderStore(), { config: blur, untilStep: 0, initDiscriminator: { bytes: dFile, source: 'trained-d.safetensors' } }),
    ).rejects.toThrow(/stride downsampling\) than this run's \(.*blur downsampling\)/);
  }, 300_000);

  it('recovers from a NaN loss in IndexedDB as in a folder: nothing non-finite is saved', async () => {
    const poisoned = async (c: SrganConfig): Promise<BatchSource> => {
      const inner = await openData(c);
      let handed = 0;
      return {
        get state() {
          return inner.state;
        },
        restore: (s) => inner.restore(s as never),
        next: async () => {
          const b = await inner.next();
          if (++handed === 4) b.data[7] = NaN;
          return b;
        },
      };
    };
    for (const store of [await folderStore(), (await idbStore()).store]) {
      const said: string[] = [];
      const r = await session(store, { config: config({ phase1Steps: 5, phase2Steps: 0 }), openData: poisoned, log: (m) => said.push(m) });
      expect(r.recoveries.nan).toBe(1);
      expect(r.trainer.step).toBe(5);
      expect(said.join('\n')).toMatch(/step 4: loss is not finite; back to the checkpoint at step 2, learning rate ×0.5/);
      const log = await new RunFiles(store).readLog();
      expect(log.map((l) => l.step)).toEqual([1, 2, 3, 4, 5]);
      expect(log.every((l) => Number.isFinite(l.g_content))).toBe(true);
      for (const t of E.decodeSafetensors((await store.read('generator.safetensors'))!).tensors) expect(t.data.every(Number.isFinite)).toBe(true);
    }
  }, 300_000);

  it('a refused IndexedDB write changes nothing: the last checkpoint stays whole', async () => {
    const { store, db } = await idbStore();
    await session(store, { untilStep: 2 });
    const before = await getRun(store.id, db);
    const latest = await bytes(store, 'checkpoints/latest.json');
    // A value IndexedDB cannot store fails the transaction after the first file was queued.
    const bad = { not: 'bytes', f: () => 0 } as unknown as Uint8Array;
    await expect(
      store.commit([
        ['checkpoints/latest.json', new Uint8Array([1, 2])],
        ['generator.safetensors', bad],
      ]),
    ).rejects.toThrow();
    expect(Buffer.compare(await bytes(store, 'checkpoints/latest.json'), latest)).toBe(0);
    expect(await getRun(store.id, db)).toEqual(before);
    expect((await new RunFiles(store).readLatest())!.state.step).toBe(2);
  }, 300_000);

  it('turns the single run an older app saved (IndexedDB version 1) into a saved run', async () => {
    const factory = new IDBFactory();
    const state = { format: 'srgan-webgpu/trainer@1', step: 42, phase: 1, lrScale: 1, config: config() };
    const snapshot = { generator: new Uint8Array([1, 2, 3]), discriminator: new Uint8Array([4]), optimizer: new Uint8Array([5, 6]), state };
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('srgan-webgpu', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('runs');
      req.onsuccess = () => {
        const tx = req.result.transaction('runs', 'readwrite');
        tx.objectStore('runs').put({ snapshot, logs: [], total: 4, data: 'bundled', savedAt: 1_700_000_000_000 }, 'latest');
        tx.oncomplete = () => {
          req.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });
    const db = { factory, keyRange: IDBKeyRange };
    const [meta, ...more] = await listRuns(db);
    expect(more).toHaveLength(0);
    expect(meta).toMatchObject({ step: 42, total: 4, preset: 'tiny', data: 'bundled' });
    const files = new RunFiles(new BrowserRunStore(meta.id, db));
    const latest = await files.readLatest();
    expect(latest?.state.step).toBe(42);
    expect([...latest!.optimizer]).toEqual([5, 6]);
    expect([...(await files.store.read('generator.safetensors'))!]).toEqual([1, 2, 3]);
  });

  it('reads a run folder written before the session (the shipped base run resumes)', async () => {
    const files = new RunFiles(new NodeRunStore('models/default/base-run'));
    const latest = await files.readLatest();
    expect(latest?.state.format).toBe('srgan-webgpu/trainer@1');
    expect(
      Buffer.compare(
        Buffer.from(latest!.generator),
        await readFile(
          join(
            'models/default/base-run/checkpoints',
            JSON.parse(await readFile('models/default/base-run/checkpoints/latest.json', 'utf8')).dir,
            'generator.safetensors',
          ),
        ),
      ),
    ).toBe(0);
  });
});
