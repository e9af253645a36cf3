/**
 * The shape of a `srgan` subcommand, and the one option table per command that both parses the
 * command line (through commander) and writes its --help, so the two cannot drift.
 */
import { Command as Commander, CommanderError, Option } from 'commander';
import { ConfigError } from '../srgan/errors.js';

/** One option: `--name` (and `-x` when `short` is set), a string value or a flag. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias, without the dash. */
  short?: string;
  /** The value's name in --help (FILE, N, DIR …); strings only. */
  arg?: string;
  /** What the option does, as one paragraph (--help wraps it). */
  help: string;
  /** Accepted values, checked while parsing (listed in --help). */
  choices?: readonly string[];
}

export type OptionTable = Record<string, OptionSpec>;

/** Parsed options, keyed by their long names: strings stay strings (see intOption), flags are booleans. */
export type OptionValues<O extends OptionTable> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface Command {
  name: string;
  /** The synopsis after `srgan NAME`, e.g. `-i IMG|DIR -o OUT|DIR [options]`. */
  usage: string;
  /** Paragraphs printed after the option list (exit codes, protocols, examples). */
  notes?: string;
  options: OptionTable;
  run(argv: string[]): Promise<number>;
}

/** A usage error: printed as one line with a pointer to --help, exit code 2 (a ConfigError of the command line). */
export class UsageError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Fixed, so that --help is the same on every terminal and docs/cli.md can be checked against it. */
const HELP_WIDTH = 100;

function commanderFor(command: string, options: OptionTable, usage = '[options]', summary = ''): Commander {
  const cmd = new Commander(`srgan ${command}`)
    .usage(usage)
    .description(summary)
    .helpOption(false) // `srgan` answers --help itself, before the command's module is loaded
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, getOutHelpWidth: () => HELP_WIDTH, getErrHelpWidth: () => HELP_WIDTH })
    .configureHelp({ helpWidth: HELP_WIDTH });
  for (const [name, spec] of Object.entries(options)) {
    const flags = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` <${spec.arg ?? 'VALUE'}>` : ''}`;
    const opt = new Option(flags, spec.help);
    if (spec.choices) opt.choices(spec.choices);
    cmd.addOption(opt);
  }
  return cmd;
}

/**
 * Parse `argv` against the table. An option that takes a value takes the next word whatever it is,
 * so `--steps -5` reaches the option's own check ("must be a non-negative integer") as one line.
 */
export function parseOptions<O extends OptionTable>(command: string, argv: string[], options: O): OptionValues<O> {
  const cmd = commanderFor(command, options);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const message = e.message.replace(/^error: /, '').replace(/\n+/g, ' ');
    throw new UsageError(`srgan ${command}: ${message} (see srgan ${command} --help)`);
  }
  const parsed = cmd.opts();
  const values: Record<string, unknown> = {};
  for (const opt of cmd.options) {
    const v = parsed[opt.attributeName()];
    if (v !== undefined) values[opt.long!.slice(2)] = v;
  }
  return values as OptionValues<O>;
}

/** `srgan NAME --help`, from the same table that parses. */
export function helpText(cmd: Command, summary: string): string {
  const text = commanderFor(cmd.name, cmd.options, cmd.usage, `srgan ${cmd.name}: ${summary}`)
    .addOption(new Option('-h, --help', 'print this help'))
    .helpInformation();
  return (cmd.notes ? `${text}\n${cmd.notes}\n` : text).trimEnd();
}

/** A non-negative integer option, or the default. */
export function intOption(command: string, name: string, v: string | undefined, dflt?: number): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new UsageError(`srgan ${command}: --${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/** A positive integer option (a size or a count that cannot be 0), or the default. */
export function positiveIntOption(command: string, name: string, v: string | undefined, dflt?: number): number | undefined {
  const n = intOption(command, name, v, dflt);
  if (n === 0) throw new UsageError(`srgan ${command}: --${name} must be a positive integer, got "${v}"`);
  return n;
}

export function numberOption(command: string, name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`srgan ${command}: --${name} must be a number, got "${v}"`);
  return n;
}

export function required<T>(command: string, name: string, v: T | undefined): T {
  if (v === undefined || v === '') throw new UsageError(`srgan ${command}: --${name} is required (see srgan ${command} --help)`);
  return v;
}
