/**
 * ProcStats: CPU time and resident memory of a process, read from Linux /proc, so our controller
 * (Node) and consul-ecs (Go) are measured the same way.
 *
 * Invariants:
 * - CPU is utime + stime of /proc/<pid>/stat in clock ticks, converted with the kernel's
 *   USER_HZ (`getconf CLK_TCK`, read once; 100 when getconf is missing).
 * - RSS is VmRSS of /proc/<pid>/status; peak RSS is VmHWM. Both in bytes.
 * - A process that has exited reads as undefined, never as zero.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

function statusField(pid: number, field: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const rssBytes = (pid: number): number | undefined => statusField(pid, 'VmRSS');
export const peakRssBytes = (pid: number): number | undefined => statusField(pid, 'VmHWM');

export interface ProcSample {
  /** Date.now() of the sample. */
  readonly at: number;
  readonly cpu: number;
  readonly rss: number;
}

/** Samples a process every `everyMs` until stopped; bounded by the process's life. */
export class ProcSampler {
  readonly samples: ProcSample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): ProcSample | undefined {
    const cpu = cpuSeconds(this.pid);
    const rss = rssBytes(this.pid);
    if (cpu === undefined || rss === undefined) return undefined;
    const sample = { at: Date.now(), cpu, rss };
    this.samples.push(sample);
    return sample;
  }

  /** Samples taken within [from, to]. */
  between(from: number, to: number): ProcSample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }

  /** The CPU reading of the last sample at or before `at` (or the first one after it). */
  cpuAt(at: number): number | undefined {
    let best: ProcSample | undefined;
    for (const s of this.samples) {
      if (s.at <= at) best = s;
      else return (best ?? s).cpu;
    }
    return best?.cpu;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
