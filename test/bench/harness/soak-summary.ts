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
  const fitted = samples
    .filter((s) => s.minute >= input.warmupMinutes)
    .map((s) => ({ x: s.minute, y: s.rssBytes / MB }));
  const perMinute = leastSquaresSlope(fitted);
  const peak = Math.max(...samples.map((s) => s.rssBytes), input.peakRssBytes ?? 0);
  return {
    minutes: last.minute,
    replacements: input.replacements,
    rssStartMb: first.rssBytes / MB,
    rssEndMb: last.rssBytes / MB,
    slopeMbPer10Min: perMinute === undefined ? undefined : perMinute * 10,
    peakMb: peak / MB,
    fittedSamples: fitted.length,
  };
}

/** `soak: M min, R replacements, rss start S MB, rss end E MB, slope X MB/10min, peak P MB`. */
export function soakSummaryLine(summary: SoakSummary): string {
  const mb = (v: number) => v.toFixed(1);
  const slope =
    summary.slopeMbPer10Min === undefined
      ? 'n/a'
      : `${summary.slopeMbPer10Min >= 0 ? '+' : ''}${summary.slopeMbPer10Min.toFixed(2)}`;
  return (
    `soak: ${summary.minutes} min, ${summary.replacements} replacements, ` +
    `rss start ${mb(summary.rssStartMb)} MB, rss end ${mb(summary.rssEndMb)} MB, ` +
    `slope ${slope} MB/10min, peak ${mb(summary.peakMb)} MB`
  );
}
