/** The shape of a `srgan` subcommand, and option parsing shared by all of them. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** A usage error: printed as one line with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with errors turned into UsageError. */
export function parseOptions<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`srgan ${command}: ${(e as Error).message} (see srgan ${command} --help)`);
  }
}

/** A positive integer option, or the default. */
export function intOption(command: string, name: string, v: string | undefined, dflt?: number): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`srgan ${command}: --${name} must be a non-negative integer, got "${v}"`);
  return n;
}

export function numberOption(command: string, name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`srgan ${command}: --${name} must be a number, got "${v}"`);
  return n;
}

export function required<T>(command: string, name: string, v: T | undefined): T {
  if (v === undefined || v === '') throw new UsageError(`srgan ${command}: --${name} is required (see srgan ${command} --help)`);
  return v;
}
