/**
 * `npm run bench:cpu`: issue 25's targets on this machine's CPU, every runtime in one run, taking
 * turns run by run (A B C D, D C B A, …), medians. Runtimes, each a persistent child process
 * (bench/cpu/protocol.ts): ours on the CPU backend, ours on WebGPU (SwiftShader where there is no
 * GPU), onnxruntime-node (CPU EP, the model exported from the PyTorch twin), PyTorch CPU.
 * All load the same weights, and their outputs are checked against PyTorch's before any timing.
 *   npx tsx bench/run-cpu.ts [--cases infer_paper_128,...] [--runs 5] [--webgpu-runs 1] [--json FILE]
 * Prints a table, notes (agreement, skipped cells), then the JSON result as the last stdout line.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelCases } from './cpu/cases.js';
import { parseCpuArgs, type CpuBenchOptions, type RuntimeName } from './cpu/options.js';
import { Peer, readF32, type CaseSpec } from './cpu/protocol.js';
import { cell, formatCpuTable, formatNotes, maxAbsDiff, ratiosOf, roundCount, roundOrder, type CaseRow } from './cpu/schedule.js';
import { sixMegapixelPhoto, timeCliUpscale } from './cpu/upscale.js';

const log = (m: string) => process.stderr.write(`bench-cpu: ${m}\n`);
const firstLine = (e: unknown) =>
  String((e as Error).message ?? e)
    .split('\n')[0]
    .slice(0, 300);

/** Debian's python3 has python3-torch; a pyenv shim first on PATH may not. BENCH_PYTHON overrides. */
function python(): string {
  return process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

function startPeer(name: RuntimeName): Peer {
  const node = (args: string[]) => new Peer(name, process.execPath, ['--import', 'tsx', 'bench/peers/node-peer.ts', ...args]);
  if (name === 'ours-cpu') return node(['ours', '--backend', 'cpu']);
  if (name === 'ours-webgpu') return node(['ours', '--backend', 'webgpu']);
  if (name === 'onnxruntime') return node(['ort']);
  // OpenMP and OpenBLAS pools sized like the others' (the peer also calls torch.set_num_threads).
  const threads = String(cpus().length);
  return new Peer(name, python(), ['bench/peers/torch_peer.py'], { OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads });
}

/**
 * Set a case up on every runtime and check each against PyTorch (the reference, and the ONNX
 * exporter), so that every number in the table is the same computation. Returns the runtimes
 * that may be timed; the others get a `skipped` reason in `row`.
 */
async function prepare(spec: CaseSpec, peers: Map<RuntimeName, Peer>, row: CaseRow, dir: string, tol: number): Promise<RuntimeName[]> {
  const torch = peers.get('torch');
  const ready: RuntimeName[] = [];
  let reference: { out?: Float32Array; loss?: number } | undefined;
  // PyTorch first: it is the reference and the ONNX exporter.
  const order = [...peers.keys()].sort((a, b) => Number(b === 'torch') - Number(a === 'torch'));
  for (const name of order) {
    const peer = peers.get(name)!;
    try {
      if (name === 'onnxruntime') {
        if (spec.kind !== 'infer') {
          row[name] = { skipped: 'no training in onnxruntime-node' };
          continue;
        }
        if (!torch || !ready.includes('torch')) {
          row[name] = { skipped: 'needs the PyTorch twin to export the ONNX model' };
          continue;
        }
        spec = { ...spec, onnx: join(dir, `${spec.key}.onnx`) };
        await torch.send({ op: 'export', key: spec.key, path: spec.onnx! });
      }
      const started = performance.now();
      await peer.send({ op: 'setup', case: { ...spec, outFile: join(dir, `${spec.key}.${name}.f32`) } });
      const check = await peer.send({ op: 'check', key: spec.key });
      log(`${spec.key}: ${name} set up and checked in ${((performance.now() - started) / 1e3).toFixed(1)} s`);
      const got = { out: check.outFile ? readF32(check.outFile) : undefined, loss: check.loss };
      if (name === 'torch') reference = got;
      else if (reference) {
        const diff =
          got.out && reference.out ? maxAbsDiff(got.out, reference.out) : Math.abs(got.loss! - reference.loss!) / Math.abs(reference.loss!);
        const agreement = got.out ? 'output' : 'first loss';
        row[name] = { maxAbsDiff: Number(diff.toPrecision(3)), agreement };
        if (!(diff <= tol)) {
          row[name] = { skipped: `disagrees with torch: ${agreement} |Δ| ${diff.toExponential(2)} > ${tol}`, maxAbsDiff: diff, agreement };
          continue;
        }
      }
      ready.push(name);
    } catch (e) {
      row[name] = { skipped: firstLine(e) };
      log(`${spec.key}: ${name}: ${firstLine(e)}`);
    }
  }
  return ready;
}

/** Warm-up, then rounds in alternating order; a runtime that fails mid-way keeps its reason. */
async function time(spec: CaseSpec, names: RuntimeName[], peers: Map<RuntimeName, Peer>, row: CaseRow, o: CpuBenchOptions): Promise<void> {
  const runs = names.map((n) => (n === 'ours-webgpu' ? o.webgpuRuns : o.runs));
  const samples = names.map(() => [] as number[]);
  const failed = new Set<number>();
  const once = async (i: number) => {
    if (failed.has(i)) return undefined;
    try {
      return (await peers.get(names[i])!.send({ op: 'time', key: spec.key })).ms!;
    } catch (e) {
      failed.add(i);
      row[names[i]] = { ...row[names[i]], skipped: firstLine(e) };
      return undefined;
    }
  };
  // The check step warmed every runtime up; SwiftShader's steps are too long for more.
  for (let i = 0; i < names.length; i++) if (names[i] !== 'ours-webgpu') for (let w = 0; w < o.warmup; w++) await once(i);
  for (let r = 0; r < roundCount(runs); r++) {
    const done: string[] = [];
    for (const i of roundOrder(runs, r)) {
      const ms = await once(i);
      if (ms !== undefined) samples[i].push(ms);
      done.push(`${names[i]} ${ms?.toFixed(0) ?? 'failed'}${ms === undefined ? '' : ' ms'}`);
    }
    log(`${spec.key}: round ${r + 1}/${roundCount(runs)}: ${done.join(', ')}`);
  }
  names.forEach((n, i) => {
    if (!failed.has(i) && samples[i].length) row[n] = { ...row[n], ...cell(samples[i]) };
  });
}

async function upscaleRow(o: CpuBenchOptions, dir: string): Promise<CaseRow> {
  const row: CaseRow = {};
  const { file, source } = await sixMegapixelPhoto(dir);
  log(`upscale_6mp: 3000×2000 from ${source}`);
  const backends = (['cpu', 'webgpu'] as const).filter((b) => o.runtimes.includes(`ours-${b}`) && (b === 'cpu' || o.upscaleWebgpu));
  for (const b of backends) {
    try {
      const { ms, bytes } = await timeCliUpscale(file, join(dir, `x4-${b}.png`), b, b === 'cpu' ? 20 * 60e3 : 90 * 60e3);
      row[`ours-${b}`] = cell([ms]);
      log(`upscale_6mp: ${b} ${(ms / 1e3).toFixed(1)} s (12000×8000 PNG, ${(bytes / 2 ** 20).toFixed(0)} MiB)`);
    } catch (e) {
      row[`ours-${b}`] = { skipped: firstLine(e) };
    }
    rmSync(join(dir, `x4-${b}.png`), { force: true });
  }
  if (!o.upscaleWebgpu && o.runtimes.includes('ours-webgpu'))
    row['ours-webgpu'] = { skipped: 'not run (about half an hour on SwiftShader; --upscale-webgpu runs it)' };
  return row;
}

async function main(): Promise<number> {
  const o = parseCpuArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
  const peers = new Map<RuntimeName, Peer>();
  const rows: Record<string, CaseRow> = {};
  const runtimes: Record<string, string> = {};
  try {
    const modelKeys = o.cases.filter((c) => c !== 'upscale_6mp');
    if (modelKeys.length)
      for (const name of o.runtimes) {
        const peer = startPeer(name);
        try {
          const hello = await peer.ready();
          runtimes[name] = `${hello.runtime}${hello.threads ? `, ${hello.threads} threads` : ''}`;
          peers.set(name, peer);
          log(`${name}: ${runtimes[name]}`);
        } catch (e) {
          runtimes[name] = `unavailable: ${firstLine(e)}`;
          log(`${name}: ${runtimes[name]}`);
        }
      }
    for (const spec of modelCases(dir, modelKeys)) {
      const row: CaseRow = (rows[spec.key] = {});
      for (const name of o.runtimes) if (!peers.has(name)) row[name] = { skipped: runtimes[name] };
      const ready = await prepare(spec, peers, row, dir, o.tol);
      await time(spec, ready, peers, row, o);
      for (const name of ready)
        await peers
          .get(name)!
          .send({ op: 'dispose', key: spec.key })
          .catch(() => undefined);
    }
    await Promise.all([...peers.values()].map((p) => p.close()));
    peers.clear();
    if (o.cases.includes('upscale_6mp')) rows.upscale_6mp_x4 = await upscaleRow(o, dir);
  } finally {
    await Promise.all([...peers.values()].map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version };
  process.stdout.write(`machine: ${machine.cpus} × ${machine.model}; runs ${o.runs} (ours-webgpu ${o.webgpuRuns}), interleaved, medians\n`);
  for (const [name, what] of Object.entries(runtimes)) process.stdout.write(`  ${name}: ${what}\n`);
  process.stdout.write(formatCpuTable(rows, o.runtimes) + '\n');
  for (const note of formatNotes(rows)) process.stdout.write(`  ${note}\n`);
  const result = { machine, runtimes, options: o, cases: rows, ratios: Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, ratiosOf(r)])) };
  const line = JSON.stringify(result);
  if (o.json) writeFileSync(o.json, line + '\n');
  process.stdout.write(line + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench-cpu: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
