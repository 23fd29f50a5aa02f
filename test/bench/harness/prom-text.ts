/**
 * Prometheus text exposition: just enough parsing to read a few series from our controller's
 * /metrics (no types, no help, no escapes inside label values beyond \").
 */
export type Series = ReadonlyMap<string, number>;

/** Every sample line as `name{labels}` → value. */
export function parsePromText(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    const value = Number(line.slice(space + 1));
    if (!Number.isNaN(value)) series.set(line.slice(0, space), value);
  }
  return series;
}

/** The value of `name` (exact key, labels included), or undefined. */
export function seriesValue(series: Series, key: string): number | undefined {
  return series.get(key);
}

/** Sum of every series named `name`, whatever its labels. */
export function seriesSum(series: Series, name: string): number {
  let total = 0;
  for (const [key, value] of series) {
    if (key === name || key.startsWith(`${name}{`)) total += value;
  }
  return total;
}
