/**
 * What a bench section says about the run itself, so figures can be compared across machines and
 * commits: the commit measured, and the machine's load average while it ran.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

import { percentile } from './stats.js';

/** `HEAD`'s commit, and whether the tree held uncommitted changes; `unknown` outside a git clone. */
export function measuredCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short=12', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown (not a git clone)';
  }
}

/** Samples the 1-minute load average every `everyMs` until stopped. */
export class LoadAverageSampler {
  private readonly samples: number[] = [loadavg()[0] ?? 0];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly everyMs = 10_000) {
    this.timer = setInterval(() => this.samples.push(loadavg()[0] ?? 0), everyMs);
    this.timer.unref();
  }

  /** `min / median / max` of the samples so far, to two decimals. */
  summary(): string {
    const fixed = (value: number | undefined) => (value ?? 0).toFixed(2);
    const { samples } = this;
    const [min, max] = [Math.min(...samples), Math.max(...samples)];
    return `${fixed(min)} / ${fixed(percentile(samples, 50))} / ${fixed(max)} (min / median / max of ${samples.length} samples, every ${this.everyMs / 1000} s)`;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
