/**
 * Logger: structured JSON lines with levels.
 *
 * Invariants:
 * - One record is one line of JSON: `{"time":…,"level":…,"msg":…, …fields}`; time comes from the
 *   injected clock.
 * - Records below the configured level are never formatted.
 * - Every record passes through `redact` before it is written: credential-named fields never
 *   reach the sink, whoever logs them.
 * - Writing never throws into the caller.
 */
import { type Clock } from '../time/clock.js';
import { redact } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record. */
  child(fields: LogFields): Logger;
}

export interface JsonLoggerOptions {
  readonly clock: Clock;
  readonly level?: LogLevel;
  readonly sink?: (line: string) => void;
  /** `json` (default): one JSON object a line; `text`: `time level msg key=value…`. */
  readonly format?: 'json' | 'text';
}

export function parseLogLevel(value: string): LogLevel {
  const level = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`unknown log level "${value}": use one of ${LOG_LEVELS.join(', ')}`);
  }
  return level as LogLevel;
}

export class JsonLogger implements Logger {
  private readonly minimum: number;
  private readonly sink: (line: string) => void;

  constructor(
    private readonly options: JsonLoggerOptions,
    private readonly bound: LogFields = {},
  ) {
    this.minimum = LOG_LEVELS.indexOf(options.level ?? 'info');
    this.sink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
  }

  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.options, { ...this.bound, ...fields });
  }

  private write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (LOG_LEVELS.indexOf(level) < this.minimum) return;
    try {
      const record = {
        time: new Date(this.options.clock.now()).toISOString(),
        level,
        msg,
        ...(redact({ ...this.bound, ...fields }) as Record<string, unknown>),
      };
      this.sink(this.options.format === 'text' ? formatText(record) : JSON.stringify(record));
    } catch {
      // A log line that cannot be written must not break the caller.
    }
  }
}

/** A logger that drops everything (for tests that do not look at logs). */
export const SILENT_LOGGER: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => SILENT_LOGGER,
};

function formatText(record: Record<string, unknown>): string {
  const { time, level, msg, ...fields } = record;
  const pairs = Object.entries(fields).map(
    ([key, value]) =>
      `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`,
  );
  return [time, String(level).toUpperCase().padEnd(5), msg, ...pairs].join(' ');
}
