/**
 * The soak's verdict on memory, as pure functions of its minute samples: a least-squares slope of
 * RSS over time after the warm-up, and the one-line summary.
 *
 * Invariants:
 * - Samples are (minute, RSS bytes); minute 0 is the soak's start (the controller has converged),
 *   minute k is k minutes of replacements later. The input order does not matter.
 * - The slope is fitted over the samples at minute >= `warmupMinutes` only, in MB per 10 minutes
 *   (MB = 2^20 bytes); with fewer than two such samples (or all at one minute) it is undefined.
 * - Start and end are the RSS of the earliest and the latest sample; the peak is the highest of
 *   the samples and of `peakRssBytes` (the soak's own finer-grained maximum), when given.
 * - The floor line fits the same slope to each minute's lowest reading (RSS read every second,
 *   heap in use scraped every 10 s), which garbage-collection timing disturbs much less than a
 *   reading at one instant: a leak raises the floor, a late GC only the instant.
 */
export interface SoakSample {
  readonly minute: number;
  readonly rssBytes: number;
}

export interface SoakSummary {
  /** Minutes of soak covered by the samples (the latest sample's minute). */
  readonly minutes: number;
  readonly replacements: number;
  readonly rssStartMb: number;
  readonly rssEndMb: number;
  /** Least-squares slope after the warm-up, MB per 10 minutes; undefined without two points. */
  readonly slopeMbPer10Min: number | undefined;
  readonly peakMb: number;
  /** How many samples the slope was fitted over. */
  readonly fittedSamples: number;
}

const MB = 1_048_576;

/** Least-squares slope dy/dx of the points; undefined with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? undefined : sxy / sxx;
}

export interface MinuteValue {
  readonly minute: number;
  readonly bytes: number;
}

/** Least-squares slope of `bytes` over the minutes >= `warmupMinutes`, in MB per 10 minutes. */
export function slopeMbPer10Min(points: readonly MinuteValue[], warmupMinutes: number): number | undefined {
  const perMinute = leastSquaresSlope(
    points.filter((p) => p.minute >= warmupMinutes).map((p) => ({ x: p.minute, y: p.bytes / MB })),
  );
  return perMinute === undefined ? undefined : perMinute * 10;
}

export function soakSummary(input: {
  readonly samples: readonly SoakSample[];
  readonly replacements: number;
  readonly warmupMinutes: number;
  readonly peakRssBytes?: number;
}): SoakSummary {
  if (input.samples.length === 0) throw new Error('a soak summary needs at least one sample');
  const samples = [...input.samples].sort((a, b) => a.minute - b.minute);
  const first = samples[0] as SoakSample;
  const last = samples[samples.length - 1] as SoakSample;
  const points = samples.map((s) => ({ minute: s.minute, bytes: s.rssBytes }));
  const peak = Math.max(...samples.map((s) => s.rssBytes), input.peakRssBytes ?? 0);
  return {
    minutes: last.minute,
    replacements: input.replacements,
    rssStartMb: first.rssBytes / MB,
    rssEndMb: last.rssBytes / MB,
    slopeMbPer10Min: slopeMbPer10Min(points, input.warmupMinutes),
    peakMb: peak / MB,
    fittedSamples: points.filter((p) => p.minute >= input.warmupMinutes).length,
  };
}

const signed = (slope: number | undefined) =>
  slope === undefined ? 'n/a' : `${slope >= 0 ? '+' : ''}${slope.toFixed(2)}`;

/**
 * `soak floors (lowest reading of each minute, from minute W): rss slope X MB/10min (A → B MB),
 * heap used slope Y MB/10min (C → D MB)`, A/C and B/D being the first and last fitted floors.
 */
export function floorLine(
  rssFloors: readonly MinuteValue[],
  heapFloors: readonly MinuteValue[],
  warmupMinutes: number,
): string {
  const part = (name: string, floors: readonly MinuteValue[]) => {
    const fitted = [...floors].filter((f) => f.minute >= warmupMinutes).sort((a, b) => a.minute - b.minute);
    const first = fitted[0];
    const last = fitted[fitted.length - 1];
    const range =
      first && last ? ` (${(first.bytes / MB).toFixed(1)} → ${(last.bytes / MB).toFixed(1)} MB)` : '';
    return `${name} slope ${signed(slopeMbPer10Min(fitted, warmupMinutes))} MB/10min${range}`;
  };
  return (
    `soak floors (lowest reading of each minute, from minute ${warmupMinutes}): ` +
    `${part('rss', rssFloors)}, ${part('heap used', heapFloors)}`
  );
}

/** `soak: M min, R replacements, rss start S MB, rss end E MB, slope X MB/10min, peak P MB`. */
export function soakSummaryLine(summary: SoakSummary): string {
  const mb = (v: number) => v.toFixed(1);
  const slope = signed(summary.slopeMbPer10Min);
  return (
    `soak: ${summary.minutes} min, ${summary.replacements} replacements, ` +
    `rss start ${mb(summary.rssStartMb)} MB, rss end ${mb(summary.rssEndMb)} MB, ` +
    `slope ${slope} MB/10min, peak ${mb(summary.peakMb)} MB`
  );
}
