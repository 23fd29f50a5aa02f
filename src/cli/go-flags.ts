/**
 * A Go-`flag`-compatible command-line parser, so the consul-ecs command lines of the Terraform
 * module work unchanged: `-name value`, `-name=value`, `--name`, and bare `-flag` for booleans.
 *
 * Invariants: every error names the flag; unknown flags, missing values and malformed values are
 * UsageErrors (exit 2); a flag given twice keeps its last value unless it is repeatable.
 */
import { parseGoDuration } from '../time/go-duration.js';
import { UsageError } from './command.js';

export type FlagKind = 'string' | 'bool' | 'duration' | 'int';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly help: string;
  readonly default?: string;
  readonly repeatable?: boolean;
}

export type ParsedFlags = ReadonlyMap<string, readonly string[]>;

export function parseGoFlags(args: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const values = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      throw new UsageError(`unexpected argument "${arg}" (flags start with -)`);
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (spec.kind === 'bool') value = 'true';
    else if (i + 1 < args.length) value = args[++i];
    else throw new UsageError(`flag needs an argument: -${name}`);
    validate(spec, value);
    const list = spec.repeatable ? (values.get(name) ?? []) : [];
    list.push(value);
    values.set(name, list);
  }
  return values;
}

function validate(spec: FlagSpec, value: string): void {
  if (spec.kind === 'bool' && !/^(1|0|t|f|true|false|TRUE|FALSE|True|False)$/.test(value)) {
    throw new UsageError(`invalid boolean value "${value}" for flag -${spec.name}`);
  }
  if (spec.kind === 'int' && !/^\d+$/.test(value)) {
    throw new UsageError(`invalid value "${value}" for flag -${spec.name}: not a whole number`);
  }
  if (spec.kind === 'duration') parseDuration(value, spec.name);
}

/**
 * Parses a flag's Go duration such as "30s", "2m", "1h30m", "500ms" or "0" into milliseconds;
 * a negative or unparsable one is a UsageError naming the flag.
 */
export function parseDuration(value: string, flag: string): number {
  const ms = /^[0-9.]/.test(value) ? parseGoDuration(value) : undefined;
  if (ms === undefined) {
    throw new UsageError(`invalid duration "${value}" for flag -${flag} (use e.g. 30s, 2m, 1h30m)`);
  }
  return ms;
}

export function flagValue(flags: ParsedFlags, spec: FlagSpec): string | undefined {
  const list = flags.get(spec.name);
  return list?.[list.length - 1] ?? spec.default;
}

export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  return specs
    .map((spec) => {
      const type = spec.kind === 'bool' ? '' : ` ${spec.kind}`;
      const fallback = spec.default !== undefined ? ` (default ${spec.default})` : '';
      return `  -${spec.name}${type}\n        ${spec.help}${fallback}`;
    })
    .join('\n');
}
