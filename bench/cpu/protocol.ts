/**
 * The line protocol between bench/run-cpu.ts and its runtimes: each runtime is a persistent child
 * process (one per runtime, because the engine holds one backend per process and PyTorch lives in
 * Python) that reads one JSON request per line on stdin and answers one JSON line on stdout. Each
 * child reads its own clock around the work alone, so neither the pipe nor JSON is timed. Logs go
 * to stderr, which is passed through.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** A raw little-endian float32 file and its NCHW shape. */
export interface ArraySpec {
  file: string;
  shape: number[];
}

/** A raw float32 file (a copy: a Buffer from Node's pool may not be 4-byte aligned). */
export function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Everything a runtime needs to build one case from files, with no code shared between languages. */
export interface CaseSpec {
  key: string;
  kind: 'infer' | 'train';
  /** The engine's GeneratorConfig (the PyTorch twin reads the same JSON). */
  config: Record<string, unknown>;
  /** safetensors under the engine's state-dict names. */
  weights: string;
  inputs: { lr: ArraySpec; hr?: ArraySpec };
  /** Where `check` writes an inference output (raw float32), for the agreement check. */
  outFile: string;
  learningRate?: number;
  /** The exported ONNX model (onnxruntime only). */
  onnx?: string;
}

export type Request =
  { op: 'setup'; case: CaseSpec } | { op: 'check' | 'time' | 'dispose'; key: string } | { op: 'export'; key: string; path: string } | { op: 'quit' };

export interface Reply {
  ok: boolean;
  error?: string;
  ms?: number;
  loss?: number;
  outFile?: string;
  /** The first line a peer prints: what it runs on. */
  runtime?: string;
  threads?: number;
}

/** One child process; requests are answered in order, one at a time. */
export class Peer {
  private lines: AsyncIterator<string>;
  private proc: ChildProcessWithoutNullStreams;
  private exited?: string;
  hello?: Reply;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ) {
    this.proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => process.stderr.write(d.toString().replace(/^(?=.)/gm, `[${name}] `)));
    this.proc.on('exit', (code, signal) => (this.exited = `exited (${signal ?? code})`));
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  /** The peer's first line says it is ready (a model runtime may take seconds to import). */
  async ready(): Promise<Reply> {
    this.hello = await this.next();
    return this.hello;
  }

  private async next(): Promise<Reply> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`${this.name}: ${this.exited ?? 'closed its output'}`);
    return JSON.parse(value) as Reply;
  }

  async send(req: Request): Promise<Reply> {
    if (this.exited) throw new Error(`${this.name}: ${this.exited}`);
    this.proc.stdin.write(JSON.stringify(req) + '\n');
    const reply = await this.next();
    if (!reply.ok) throw new Error(`${this.name} ${req.op}: ${reply.error}`);
    return reply;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin.write(JSON.stringify({ op: 'quit' }) + '\n');
    const timer = setTimeout(() => this.proc.kill(), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

/** Serve the protocol from a Node child: `handle` answers each request; the first line is `hello`. */
export async function serve(hello: Reply, handle: (req: Request) => Promise<Omit<Reply, 'ok'>>): Promise<void> {
  process.stdout.write(JSON.stringify(hello) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as Request;
    if (req.op === 'quit') break;
    let reply: Reply;
    try {
      reply = { ok: true, ...(await handle(req)) };
    } catch (e) {
      reply = { ok: false, error: (e as Error).stack ?? String(e) };
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
  }
}
