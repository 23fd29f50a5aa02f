/**
 * The benchmark report: one table per cluster size (our controller polling-only, ours with events
 * and pre-provisioning, consul-ecs v0.4.3, and the ratios), printed and written into BENCHMARKS.md
 * between markers, so the quick and the full run each keep their own section.
 *
 * Invariants: every number shown is taken from a RunResult of this run; a figure that was not
 * measured is shown as "n/m", and a ratio with a zero denominator as "∞ (0)". Derived figures say so.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

import { type Api, type CallCounts } from './bench-world.js';
import { type ControllerKind, type PhaseFigures, type RunResult, type WorkloadSpec } from './run-workload.js';
import { percentile } from './stats.js';

export const LABELS: Record<ControllerKind, string> = {
  'ours-polling': 'ours, polling-only',
  'ours-events': 'ours, events + pre-provisioning',
  'consul-ecs': 'consul-ecs v0.4.3',
  'consul-ecs-sim': 'SIMULATION of consul-ecs v0.4.3 (binary unavailable)',
};

/** The baseline column: the real binary, or its simulation when that is what ran. */
function legacyKind(size: SizeResult): ControllerKind {
  return size.runs.some((r) => r.kind === 'consul-ecs-sim') ? 'consul-ecs-sim' : 'consul-ecs';
}

const APIS: readonly Api[] = ['ECS', 'SM', 'Consul', 'SQS'];

export interface SizeResult {
  readonly spec: WorkloadSpec;
  readonly runs: readonly RunResult[];
  /** Our resync period in events mode, minutes (for the derived amortised rate). */
  readonly eventsResyncMinutes: number;
  /** The CLI's -service-resync-interval with events, in minutes. */
  readonly eventsServiceResyncMinutes: number;
}

const total = (calls: Record<string, number>, ops?: readonly string[]) =>
  Object.entries(calls)
    .filter(([op]) => ops === undefined || ops.includes(op))
    .reduce((sum, [, n]) => sum + n, 0);

const perMinute = (phase: PhaseFigures | undefined, api: Api | 'ConsulLists', ops?: readonly string[]) =>
  phase ? total(phase.calls[api], ops) / (phase.seconds / 60) : undefined;

function num(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return 'n/m';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function ratio(theirs: number | undefined, ours: number | undefined): string {
  if (theirs === undefined || ours === undefined) return 'n/m';
  if (ours === 0) return theirs === 0 ? '1× (0 = 0)' : '∞ (0)';
  return `${num(theirs / ours, 1)}×`;
}

type Row = [string, ...Array<number | undefined | string>];

/** Rows of figures: label, then one value per controller; `ratioOf` says whether to add ratios. */
function rows(size: SizeResult): Array<{ row: Row; ratio: boolean }> {
  const by = (kind: ControllerKind) => size.runs.find((r) => r.kind === kind);
  const kinds: ControllerKind[] = ['ours-polling', 'ours-events', legacyKind(size)];
  const simulated = (r: RunResult) => r.kind === 'consul-ecs-sim';
  const each = (f: (r: RunResult) => number | string | undefined) =>
    kinds.map((k) => {
      const r = by(k);
      return r ? f(r) : undefined;
    });
  const out: Array<{ row: Row; ratio: boolean }> = [];
  const add = (label: string, f: (r: RunResult) => number | string | undefined, withRatio = true) =>
    out.push({ row: [label, ...each(f)], ratio: withRatio });
  const churnRate = size.spec.churnPerSecond;
  for (const api of APIS) add(`Steady: ${api} calls/min`, (r) => perMinute(r.steady, api));
  add('Steady: ECS ListTasks/min', (r) => perMinute(r.steady, 'ECS', ['ListTasks']));
  add('Steady: ECS DescribeTasks/min', (r) => perMinute(r.steady, 'ECS', ['DescribeTasks']));
  add('Steady: Consul token/policy plain list calls/min', (r) =>
    perMinute(r.steady, 'ConsulLists', ['plain']),
  );
  add('Steady: Consul token/policy blocking-watch returns/min', (r) =>
    perMinute(r.steady, 'ConsulLists', ['blocking']),
  );
  // Derived: a task relist costs the same ECS calls in both modes, and so does a service relist;
  // the polling run does both every resync, the events run relists tasks every
  // `eventsResyncMinutes` and services every `eventsServiceResyncMinutes` (the CLI defaults). So the
  // events run's steady rate plus each relist's calls (measured in the polling run's steady window)
  // divided by its period.
  const pages = Math.max(1, Math.ceil(size.spec.tasks / 100));
  const SERVICE_OPS = ['ListServices', 'DescribeServices', 'DescribeTaskDefinition'];
  const relistsOf = (r: RunResult | undefined) =>
    r?.steady ? (r.steady.calls.ECS.ListTasks ?? 0) / pages : 0;
  const perResyncOf = (r: RunResult | undefined) => {
    const n = relistsOf(r);
    return r?.steady && n > 0 ? total(r.steady.calls.ECS) / n : undefined;
  };
  const polling = by('ours-polling');
  const perResync = perResyncOf(polling);
  const serviceCallsPerRelist =
    polling?.steady && relistsOf(polling) > 0
      ? SERVICE_OPS.reduce((sum, op) => sum + (polling.steady?.calls.ECS[op] ?? 0), 0) / relistsOf(polling)
      : undefined;
  add('Steady: ECS calls per full resync/poll (events: from the polling run)', (r) =>
    r.kind === 'ours-events' ? perResync : perResyncOf(r),
  );
  add(
    `Steady: ECS calls/min, events mode with its task relist (${size.eventsResyncMinutes} min) and service relist (${size.eventsServiceResyncMinutes} min) amortised (derived)`,
    (r) => {
      const measured = perMinute(r.steady, 'ECS');
      if (r.kind !== 'ours-events' || measured === undefined) return measured;
      if (perResync === undefined || serviceCallsPerRelist === undefined) return undefined;
      const taskCalls = perResync - serviceCallsPerRelist;
      return (
        measured +
        taskCalls / size.eventsResyncMinutes +
        serviceCallsPerRelist / size.eventsServiceResyncMinutes
      );
    },
  );
  for (const api of APIS)
    add(`Churn (${churnRate} stops/s): ${api} calls/min`, (r) => perMinute(r.churn, api));
  for (const api of APIS) {
    add(
      `Burst (${size.spec.burst} new services): ${api} calls in ${size.spec.burstWindowMs / 1000} s`,
      (r) => (r.burst ? total(r.burst.calls[api]) : undefined),
    );
  }
  add(
    'Burst: first tasks started without ResourceInitializationError',
    (r) =>
      r.burst
        ? `${r.burst.firstTaskOk}/${r.burst.services} (${num((100 * r.burst.firstTaskOk) / r.burst.services, 0)}%)`
        : undefined,
    false,
  );
  const ttt = (p: number) => (r: RunResult) =>
    r.burst
      ? (percentile(r.burst.timeToToken, p) ?? `none ready in ${size.spec.burstWindowMs / 1000} s`)
      : undefined;
  add('Burst: time to token p50, s (external)', ttt(50));
  add('Burst: time to token p99, s (external, of the services that got one)', ttt(99));
  add('Burst: services without a token at the end', (r) => r.burst?.notReady, false);
  for (const [i, burstSize] of size.spec.followUpBursts.entries()) {
    const of = (r: RunResult) => r.followUpBursts?.[i];
    add(
      `Burst of ${burstSize} (after it, one at a time): first tasks ok; time to token p99, s`,
      (r) => {
        const outcome = of(r);
        if (!outcome) return undefined;
        const p99 = percentile(outcome.timeToToken, 99);
        return `${outcome.firstTaskOk}/${outcome.services}; ${p99 === undefined ? 'none ready' : num(p99, 2)}`;
      },
      false,
    );
  }
  const sim = 'n/a (simulation)';
  add('Full resync (ours) / poll (consul-ecs): CPU ms, median', (r) =>
    simulated(r) ? sim : r.steady?.resync.medianCpuMs,
  );
  add('… less idle CPU, ms (derived)', (r) => (simulated(r) ? sim : r.steady?.resync.medianNetCpuMs));
  add('… resyncs/polls measured in the steady window', (r) => r.steady?.resync.bursts, false);
  add('Peak RSS, MB (VmHWM)', (r) =>
    simulated(r) ? sim : r.peakRssOverall !== undefined ? r.peakRssOverall / 2 ** 20 : undefined,
  );
  add(
    'Event-loop lag p99, ms (max over steady/churn/burst)',
    (r) => {
      const lags = [r.steady?.lagP99, r.churn?.lagP99, r.burst?.lagP99].filter(
        (v): v is number => v !== undefined,
      );
      return lags.length > 0
        ? Math.max(...lags) * 1000
        : r.kind === 'consul-ecs'
          ? 'n/a (Go)'
          : simulated(r)
            ? sim
            : undefined;
    },
    false,
  );
  add('Startup to all seeded tokens ready, s', (r) =>
    r.converge
      ? r.converge.complete
        ? r.converge.seconds
        : `not in ${num(r.converge.seconds, 0)} s`
      : undefined,
  );
  add('Startup: ECS calls', (r) => (r.converge ? total(r.converge.calls.ECS) : undefined));
  return out;
}

export function tableOf(size: SizeResult): string {
  const header = `| ${size.spec.tasks.toLocaleString('en-US')} tasks / ${size.spec.services} services | ${LABELS['ours-polling']} | ${LABELS['ours-events']} | ${LABELS[legacyKind(size)]} | consul-ecs ÷ ours polling | consul-ecs ÷ ours events |`;
  const lines = [header, '|---|---:|---:|---:|---:|---:|'];
  for (const { row, ratio: withRatio } of rows(size)) {
    const [label, polling, events, legacy] = row;
    const cell = (v: number | string | undefined) => (typeof v === 'string' ? v : num(v, 2));
    const r = (a: unknown, b: unknown) =>
      withRatio && typeof a !== 'string' && typeof b !== 'string'
        ? ratio(a as number | undefined, b as number | undefined)
        : '';
    lines.push(
      `| ${label} | ${cell(polling)} | ${cell(events)} | ${cell(legacy)} | ${r(legacy, polling)} | ${r(legacy, events)} |`,
    );
  }
  const errors = size.runs
    .filter((r) => r.error)
    .map((r) => `- ${LABELS[r.kind]}: **error**: ${r.error?.split('\n')[0]}`);
  return [...lines, ...(errors.length > 0 ? ['', ...errors] : [])].join('\n');
}

/** Per-operation call counts of every phase, as a compact list. */
export function detailsOf(size: SizeResult): string {
  const lines: string[] = [];
  for (const run of size.runs) {
    lines.push(`- ${LABELS[run.kind]}:`);
    for (const [name, phase] of [
      ['startup', run.converge],
      ['steady', run.steady],
      ['churn', run.churn],
      ['burst', run.burst],
    ] as const) {
      if (!phase) continue;
      const ops = (calls: CallCounts) =>
        [...APIS, 'ConsulLists' as const]
          .map((api) => Object.entries(calls[api]).map(([op, n]) => `${api} ${op} ${n}`))
          .flat()
          .join(', ') || 'none';
      lines.push(
        `  - ${name} (${num(phase.seconds, 1)} s, CPU ${num(phase.cpuMs, 0)} ms, peak RSS ${phase.peakRss === undefined ? 'n/m' : num(phase.peakRss / 2 ** 20, 0)} MB): ${ops(phase.calls)}`,
      );
    }
  }
  return lines.join('\n');
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), ${num(totalmem() / 2 ** 30, 1)} GiB memory, Linux ${release()}, Node ${process.version}`;
}

/** Replaces (or appends) the section between `<!-- bench:<key> -->` markers in `file`. */
export function writeSection(file: string, key: string, body: string): void {
  const start = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const section = `${start}\n${body}\n${end}`;
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench` (see test/bench/README.md); do not edit between the markers.\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i
      ? text.slice(0, i) + section + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}

/**
 * One line per run of ours, for checking the scale goals without reading tables:
 * `scale: 10000 tasks, ours-events, startup C calls in S s, resync R calls X ms cpu, peak rss M MB,
 * steady rss N MB`. A resync's calls are counted from the steady window (ECS calls per ListTasks
 * pass) and its CPU is the median over whole resyncs seen there; "n/m" when the window held none
 * (events mode resyncs every 10 min).
 */
export function scaleLines(size: SizeResult): string[] {
  const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/m' : (bytes / 2 ** 20).toFixed(0));
  const pages = Math.max(1, Math.ceil(size.spec.tasks / 100));
  return size.runs
    .filter((run) => run.kind.startsWith('ours'))
    .map((run) => {
      const resyncs = run.steady ? (run.steady.calls.ECS.ListTasks ?? 0) / pages : 0;
      const perResync = run.steady && resyncs > 0 ? Math.round(total(run.steady.calls.ECS) / resyncs) : 'n/m';
      const cpu = run.steady?.resync.medianCpuMs;
      const startup = run.converge
        ? `startup ${total(run.converge.calls.ECS)} calls in ${run.converge.seconds.toFixed(1)} s${run.converge.complete ? '' : ' (incomplete)'}`
        : 'startup n/m';
      return (
        `scale: ${size.spec.tasks} tasks, ${run.kind}, ${startup}, resync ${perResync} calls ` +
        `${cpu === undefined ? 'n/m' : cpu.toFixed(0)} ms cpu, peak rss ${mb(run.peakRssOverall)} MB, ` +
        `steady rss ${mb(run.steady?.endRss)} MB`
      );
    });
}
