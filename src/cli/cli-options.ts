import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isCalendarDate } from '../core/calendar-date.js';
import { LoyaltyLakeError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';

/** A command line the CLI cannot act on: it exits 2 without touching any lake. */
export class UsageError extends LoyaltyLakeError {
  /** Whether the usage text helps (a mistyped command or option) or only buries the message (a bad value, a --lake that is no lake). */
  readonly withUsage: boolean;

  constructor(message: string, options: { readonly withUsage?: boolean } = {}) {
    super(message);
    this.name = 'UsageError';
    this.withUsage = options.withUsage ?? true;
  }
}

export const COMMANDS = ['run', 'demo', 'report'] as const;
export type Command = (typeof COMMANDS)[number];

/** The command line, checked: every value has its type, or parsing threw a UsageError naming the bad one. */
export interface CommandLine {
  readonly command: Command | 'help' | 'version';
  readonly lake?: string;
  readonly asOf?: string;
  readonly churnWindowDays?: number;
  readonly memoryLimit?: string;
  readonly seed?: number;
  readonly out?: string;
  readonly create: boolean;
  readonly publishCurrent: boolean;
}

/** Options each command accepts; any other is a usage error (a flag for another command is a mistake, not a no-op). */
const ACCEPTS: Record<Command, readonly string[]> = {
  run: ['lake', 'as-of', 'churn-window-days', 'memory-limit', 'create', 'publish-current'],
  demo: ['lake', 'seed', 'as-of', 'churn-window-days', 'memory-limit'],
  report: ['lake', 'out', 'memory-limit'],
};

/** Parses `argv` (without node and the script); throws a UsageError for anything it cannot act on. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv;
  const flags = { create: false, publishCurrent: false };
  if (first === '--version' || first === 'version') return { command: 'version', ...flags };
  if (first === '--help' || first === '-h' || first === 'help') return { command: 'help', ...flags };
  if (first === undefined) throw new UsageError('no command given');
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}'`);
  const command = first as Command;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        lake: { type: 'string' },
        'as-of': { type: 'string' },
        'churn-window-days': { type: 'string' },
        'memory-limit': { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        create: { type: 'boolean' },
        'publish-current': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    // node:util's own messages ("Unknown option '--colour'", "Unexpected argument 'x'") are clear as they are.
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { command: 'help', ...flags };
  const misplaced = Object.keys(values).filter((name) => !ACCEPTS[command].includes(name));
  if (misplaced.length > 0) throw new UsageError(`${command} does not take ${misplaced.map((name) => `--${name}`).join(', ')}`);
  const text = (name: string) => values[name] as string | undefined;
  return {
    command,
    lake: text('lake'),
    asOf: isoDate('--as-of', text('as-of')),
    churnWindowDays: wholeNumber('--churn-window-days', text('churn-window-days'), 1),
    memoryLimit: memorySize('--memory-limit', text('memory-limit')),
    seed: wholeNumber('--seed', text('seed'), 0),
    out: text('out'),
    create: values.create === true,
    publishCurrent: values['publish-current'] === true,
  };
}

/** A calendar date written YYYY-MM-DD that exists (2024-02-30 does not). */
function isoDate(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isCalendarDate(value)) {
    throw new UsageError(`${flag} must be a date YYYY-MM-DD, got '${value}'`, { withUsage: false });
  }
  return value;
}

/** A whole number ≥ `min` written in digits only ('1e2', '90.0' and ' 90' are refused rather than guessed at). */
function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, got '${value}'`, { withUsage: false });
  return number;
}

/** A size DuckDB's memory_limit reads: a number and a unit (2GB, 1.5 GB, 512MiB); DuckDB's own error for a bad one is only "Failed to set config". */
function memorySize(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?\s*([kmgt](ib|b)?|b)$/i.test(value)) throw new UsageError(`${flag} must be a size such as 2GB or 512MiB, got '${value}'`, { withUsage: false });
  return value;
}

/** The version in the package's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
