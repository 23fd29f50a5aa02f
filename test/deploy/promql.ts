/**
 * Just enough PromQL reading for the deployment tests: the metric names an expression selects,
 * the label names it groups or matches on, and a Prometheus text-exposition reader. It is not a
 * parser: it strips strings, ranges and label matchers and keeps bare identifiers that are not
 * functions or keywords, which is exact for the expressions in config/.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** Names of the metrics an expression selects (suffixes such as _bucket kept). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:.])[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\(?))/g)) {
    const [name, paren] = [match[0], match[1]];
    if (paren === '(' || KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name)) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** Label names used in `by (...)` groupings and in `{label=...}` matchers. */
export function labelNames(expr: string): string[] {
  const labels = new Set<string>();
  for (const match of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    for (const label of (match[1] as string).split(',').map((part) => part.trim()))
      if (label) labels.add(label);
  }
  for (const match of expr.matchAll(/\{([^}]*)\}/g)) {
    for (const matcher of (match[1] as string).matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      labels.add(matcher[1] as string);
    }
  }
  return [...labels].sort();
}

export interface Exposition {
  /** metric family name → its TYPE (counter, gauge, histogram, summary, untyped). */
  readonly types: Map<string, string>;
  /** sample name (with suffix) → the label names seen on its samples. */
  readonly samples: Map<string, Set<string>>;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1] as string, type[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!sample) throw new Error(`unreadable exposition line: ${line}`);
    const labels = samples.get(sample[1] as string) ?? new Set<string>();
    for (const label of (sample[3] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="/g))
      labels.add(label[1] as string);
    samples.set(sample[1] as string, labels);
  }
  return { types, samples };
}

/** The family a sample name belongs to: `x_bucket` → `x` when `x` is a histogram, and so on. */
export function familyOf(name: string, exposition: Exposition): string {
  const suffixed = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (suffixed) {
    const type = exposition.types.get(suffixed[1] as string);
    if (type === 'histogram' || (type === 'summary' && suffixed[2] !== 'bucket'))
      return suffixed[1] as string;
  }
  return name;
}
