/**
 * Small statistics over measured samples: nearest-rank percentiles, medians, and the CPU of the
 * resync bursts seen in a steady-state window.
 */
import { type CallRecord } from '../../../envtest/call-log.js';
import { type ProcSampler } from './proc-stats.js';

/** Nearest-rank percentile (p in 0..100) of `values`; undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface ResyncCpu {
  /** Bursts of ECS calls (gaps > 1 s between bursts) in the window. */
  readonly bursts: number;
  /** Median CPU ms of one burst: from 100 ms before its first ECS call to 1 s after its last. */
  readonly medianCpuMs: number | undefined;
  /** The same, less the process's idle CPU rate (outside bursts) over the burst's window. */
  readonly medianNetCpuMs: number | undefined;
  /** CPU ms per second outside the bursts. */
  readonly idleCpuMsPerS: number | undefined;
}

/** CPU of each full relist ("resync" for ours, "poll" for consul-ecs) seen as an ECS call burst. */
export function resyncCpu(
  records: readonly CallRecord[],
  sampler: ProcSampler,
  from: number,
  to: number,
): ResyncCpu {
  const calls = records.filter((r) => r.at >= from && r.at <= to).map((r) => r.at);
  const bursts: Array<[number, number]> = [];
  for (const at of calls) {
    const last = bursts[bursts.length - 1];
    if (last && at - last[1] <= 1000) last[1] = at;
    else bursts.push([at, at]);
  }
  // Only bursts whose whole window lies inside [from, to] are measured.
  const windows = bursts
    .map(([start, end]) => [start - 100, end + 1000] as const)
    .filter(([start, end]) => start >= from && end <= to);
  const cpuOf = (start: number, end: number) => {
    const a = sampler.cpuAt(start);
    const b = sampler.cpuAt(end);
    return a === undefined || b === undefined ? undefined : (b - a) * 1000;
  };
  const raw = windows.map(([s, e]) => cpuOf(s, e)).filter((v): v is number => v !== undefined);
  const total = cpuOf(from, to);
  const burstMs = windows.reduce((sum, [s, e]) => sum + (e - s), 0);
  const idleMs = to - from - burstMs;
  const idle =
    total !== undefined && idleMs > 1000
      ? (total - raw.reduce((a, b) => a + b, 0)) / (idleMs / 1000)
      : undefined;
  const net = windows
    .map(([s, e], i) =>
      raw[i] !== undefined && idle !== undefined ? raw[i] - idle * ((e - s) / 1000) : undefined,
    )
    .filter((v): v is number => v !== undefined);
  return {
    bursts: windows.length,
    medianCpuMs: percentile(raw, 50),
    medianNetCpuMs: percentile(net, 50),
    idleCpuMsPerS: idle,
  };
}
