/**
 * Go durations: the one parser and the printers of the `time.Duration` strings that Consul's API
 * and Go-style command-line flags use ("15s", "1m30s", "500ms").
 *
 * Invariants:
 * - `parseGoDuration` returns milliseconds, or undefined for anything Go's time.ParseDuration rejects
 *   (a bare number other than "0" included).
 * - `formatGoDuration` prints what Go's Duration.String() prints for whole milliseconds.
 * - `goDuration` prints the short form we send to Consul: whole seconds as `15s`, else `ms`.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function parseGoDuration(text: string): number | undefined {
  let rest = text.trim();
  if (rest === '') return undefined;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  let matched = false;
  while (rest.length > 0) {
    const found = part.exec(rest);
    if (!found) return undefined;
    total += Number(found[1]) * UNIT_MS[found[2]!]!;
    rest = rest.slice(found[0].length);
    matched = true;
  }
  return matched ? sign * total : undefined;
}

export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  let out = '';
  if (hours > 0) out += `${hours}h`;
  if (hours > 0 || minutes > 0) out += `${minutes}m`;
  return `${out}${seconds}s`;
}

/** A Go duration string for Consul: whole seconds as `15s`, anything else in `ms`. */
export function goDuration(ms: number): string {
  const rounded = Math.round(ms);
  return rounded % 1000 === 0 ? `${rounded / 1000}s` : `${rounded}ms`;
}
