/**
 * runSoak: our controller (the real CLI, events mode) under a long, steady stream of task
 * replacements, to show whether its memory stays flat (issue 13).
 *
 * Phases: seed `tasks` running mesh tasks in `services` ECS services (bench-world) → start the
 * controller with `-events-queue-url` (the CLI's default resync with events, 10 min) → wait until
 * every seeded service's secret holds a token that exists in Consul → for `minutes`, replace
 * `replacePerSecond` tasks a second: stop one RUNNING task at random, and its service starts a new
 * one (envtest ECS's scheduler), so services and tokens stay constant while task ARNs churn.
 *
 * Invariants:
 * - The replacement loop is driven by the wall clock: slot k is due at start + k / rate s; a
 *   stall catches up at most one second of slots, older ones are dropped and counted (`lagged`).
 *   Every turn sleeps at least 1 ms and the loop ends at the deadline: no unbounded request loop.
 *   It picks from an index of RUNNING task ARNs kept from ECS's change listener (O(1) a change and
 *   a pick), never from a scan of every task ever created.
 * - Every minute (minute 0 is the soak's start) one sample: the controller's RSS and VmHWM from
 *   /proc, its heap in use, cached ECS tasks and applied events from its /metrics (a scrape bounded
 *   by a 10 s timeout; a failed scrape leaves those fields empty), the SQS backlog, the replacements
 *   so far, and the harness's own RSS and CPU. Between samples RSS is read every second (for the
 *   peak and the minute's lowest RSS) and the heap in use scraped every 10 s (the minute's lowest).
 * - envtest keeps every task change, event, launch attempt and call record, and every stopped task
 *   (tests assert on history; ECS lists stopped tasks for an hour). The soak reads none of them:
 *   every minute it drops those histories and the tasks stopped more than 2 minutes ago (the
 *   controller lists only desiredStatus RUNNING, and envtest's service scheduler scans every task
 *   on each replacement), so the harness's memory and CPU do not grow with the replacements.
 * - Controller log lines are counted by level; the last warnings and errors are kept.
 * - The controller and every server are stopped in `finally`.
 */
import { BenchWorld, type CallCounts, countsBetween } from './bench-world.js';
import { type ControllerHandle, startOurController } from './controllers.js';
import { cpuSeconds, peakRssBytes, rssBytes } from './proc-stats.js';
import { parsePromText, type Series } from './prom-text.js';
import { seed, seededService, sleep, until } from './run-workload.js';
import { type SoakSummary, soakSummary, soakSummaryLine } from './soak-summary.js';

export interface SoakSpec {
  readonly tasks: number;
  readonly services: number;
  readonly replacePerSecond: number;
  readonly minutes: number;
  /** Minutes left out of the slope fit. */
  readonly warmupMinutes: number;
  readonly convergeMaxMs: number;
  readonly provisioningMs: number;
  readonly pendingMs: number;
  readonly ecsReadRate: number;
  /** -resync-interval; omitted: the CLI's default with events (10m). */
  readonly resyncInterval?: string;
}

export interface SoakMinute {
  readonly minute: number;
  readonly rss: number;
  /** The lowest RSS read (every second) since the previous sample. */
  readonly rssMin: number;
  readonly hwm: number | undefined;
  readonly heapUsed: number | undefined;
  /** The lowest heap in use scraped (every 10 s) since the previous sample. */
  readonly heapMin: number | undefined;
  readonly tasksCached: number | undefined;
  readonly eventsApplied: number | undefined;
  readonly replacements: number;
  /** Messages visible in the queue (not yet received by the controller). */
  readonly backlog: number;
  /** Controller CPU over the minute, % of one core. */
  readonly cpuPercent: number | undefined;
  readonly harnessRss: number;
  readonly harnessCpuPercent: number | undefined;
}

export interface SoakResult {
  readonly convergeSeconds?: number;
  readonly samples: readonly SoakMinute[];
  readonly summary?: SoakSummary;
  readonly replacements: number;
  /** Slots dropped because the loop fell more than a second behind. */
  readonly lagged: number;
  /** Services (of the seeded ones) whose token was not ready after the soak. */
  readonly servicesWithoutToken?: number;
  readonly calls?: CallCounts;
  readonly logs: ControllerLogs;
  readonly error?: string;
}

export interface ControllerLogs {
  lines: number;
  warn: number;
  error: number;
  /** The last warning and error lines (at most 10). */
  readonly last: string[];
}

const MB = 1_048_576;

/** ARNs of tasks that are RUNNING and meant to keep running, with O(1) add, delete and pick. */
export class RunningTasks {
  private readonly arns: string[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.arns.length;
  }

  add(arn: string): void {
    if (this.index.has(arn)) return;
    this.index.set(arn, this.arns.length);
    this.arns.push(arn);
  }

  delete(arn: string): void {
    const i = this.index.get(arn);
    if (i === undefined) return;
    this.index.delete(arn);
    const last = this.arns.pop() as string;
    if (last !== arn) {
      this.arns[i] = last;
      this.index.set(last, i);
    }
  }

  pick(random: () => number = Math.random): string | undefined {
    return this.arns[Math.floor(random() * this.arns.length)];
  }
}

const STOPPED_KEPT_MS = 120_000;

/** Drops what envtest keeps for tests and the soak never reads: histories, long-stopped tasks. */
function forgetHistory(world: BenchWorld): void {
  const clear = (list: readonly unknown[] | undefined) => {
    if (list) (list as unknown[]).length = 0;
  };
  clear(world.ecs.events?.published);
  clear(world.ecs.state.taskChanges);
  clear(world.ecs.state.launchAttempts);
  for (const server of [world.ecs, world.sm, world.consul, world.sqs]) clear(server?.calls.all());
  const before = world.ecs.state.clock.now() - STOPPED_KEPT_MS;
  const tasks = world.ecs.state.tasks;
  for (const [arn, task] of tasks)
    if (task.lastStatus === 'STOPPED' && (task.stoppedAt ?? Infinity) < before) tasks.delete(arn);
}

function countLine(logs: ControllerLogs, line: string): void {
  logs.lines += 1;
  const level = line.includes('"level":"error"') ? 'error' : line.includes('"level":"warn"') ? 'warn' : '';
  if (level === '') return;
  logs[level] += 1;
  logs.last.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
  if (logs.last.length > 10) logs.last.shift();
}

async function scrape(url: string): Promise<Series | undefined> {
  if (url === '') return undefined;
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return parsePromText(await response.text());
  } catch {
    return undefined;
  }
}

/** Sum of the series whose key starts with `prefix` (labels included), undefined if none. */
function seriesStarting(series: Series | undefined, prefix: string): number | undefined {
  if (!series) return undefined;
  let total: number | undefined;
  for (const [key, value] of series) if (key.startsWith(prefix)) total = (total ?? 0) + value;
  return total;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : (bytes / MB).toFixed(1));
const pct = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(0));

export function minuteLine(s: SoakMinute): string {
  return (
    `soak minute ${s.minute}: rss ${mb(s.rss)} MB (minute's low ${mb(s.rssMin)}), VmHWM ${mb(s.hwm)} MB, ` +
    `heap used ${mb(s.heapUsed)} MB (minute's low ${mb(s.heapMin)}), ` +
    `tasks cached ${s.tasksCached ?? 'n/a'}, events applied ${s.eventsApplied ?? 'n/a'}, ` +
    `replacements ${s.replacements}, queue backlog ${s.backlog}, controller cpu ${pct(s.cpuPercent)}%, ` +
    `harness rss ${mb(s.harnessRss)} MB, harness cpu ${pct(s.harnessCpuPercent)}%`
  );
}

/** The minute samples as a Markdown table. */
export function minuteTable(samples: readonly SoakMinute[], every = 1): string {
  const rows = samples.filter((s, i) => s.minute % every === 0 || i === samples.length - 1);
  return [
    '| min | RSS MB | RSS low MB | VmHWM MB | heap used MB | heap low MB | tasks cached | events applied | replacements | queue backlog | controller CPU % | harness RSS MB | harness CPU % |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (s) =>
        `| ${s.minute} | ${mb(s.rss)} | ${mb(s.rssMin)} | ${mb(s.hwm)} | ${mb(s.heapUsed)} | ${mb(s.heapMin)} | ` +
        `${s.tasksCached ?? 'n/a'} | ` +
        `${s.eventsApplied ?? 'n/a'} | ${s.replacements} | ${s.backlog} | ${pct(s.cpuPercent)} | ` +
        `${mb(s.harnessRss)} | ${pct(s.harnessCpuPercent)} |`,
    ),
  ].join('\n');
}

export async function runSoak(spec: SoakSpec, log: (line: string) => void): Promise<SoakResult> {
  const world = await BenchWorld.start({
    events: true,
    provisioningMs: spec.provisioningMs,
    pendingMs: spec.pendingMs,
  });
  let controller: ControllerHandle | undefined;
  let replacements = 0;
  let lagged = 0;
  const samples: SoakMinute[] = [];
  const logs: ControllerLogs = { lines: 0, warn: 0, error: 0, last: [] };
  const result: { -readonly [K in keyof SoakResult]: SoakResult[K] } = {
    samples,
    replacements,
    lagged,
    logs,
  };
  const unsubscribe: Array<() => void> = [];
  try {
    await seed(world, spec);
    const seeded = [...Array(spec.services).keys()].map(seededService);
    log(`soak: seeded ${world.runningTasks()} running tasks in ${spec.services} services`);
    world.startEvents();

    const convergeStart = Date.now();
    const c = (controller = await startOurController(world, {
      events: true,
      ecsReadRate: spec.ecsReadRate,
      ...(spec.resyncInterval !== undefined ? { resyncInterval: spec.resyncInterval } : {}),
      onLine: (line) => countLine(logs, line),
    }));
    let exitCode: number | null | undefined;
    void c.exited.then((code) => (exitCode = code));
    const alive = () => {
      if (exitCode !== undefined)
        throw new Error(`the controller exited with ${exitCode}:\n${c.logs.slice(-15).join('\n')}`);
    };
    const waiting = new Set(seeded);
    let lastReport = Date.now();
    const complete = await until(
      () => {
        for (const svc of waiting) if (world.tokenReady(svc)) waiting.delete(svc);
        if (Date.now() - lastReport >= 30_000) {
          lastReport = Date.now();
          log(`soak: converging, ${seeded.length - waiting.size}/${seeded.length} tokens ready`);
        }
        return waiting.size === 0 || exitCode !== undefined;
      },
      spec.convergeMaxMs,
      100,
    );
    alive();
    result.convergeSeconds = (Date.now() - convergeStart) / 1000;
    if (!complete) {
      throw new Error(
        `${waiting.size} of ${seeded.length} services had no token after ${result.convergeSeconds.toFixed(0)} s`,
      );
    }
    log(`soak: every seeded service has its token after ${result.convergeSeconds.toFixed(1)} s`);

    // The index of RUNNING tasks, kept from ECS's change listener from here on.
    const running = new RunningTasks();
    for (const task of world.ecs.state.tasks.values())
      if (task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING') running.add(task.arn);
    unsubscribe.push(
      world.ecs.state.onTaskChange((change) => {
        if (change.desiredStatus !== 'RUNNING') running.delete(change.taskArn);
        else if (change.lastStatus === 'RUNNING') running.add(change.taskArn);
      }),
    );
    forgetHistory(world);
    const queue = world.sqs?.state.requireQueue(world.queueUrl ?? '');
    const backlog = () => (queue && world.sqs ? world.sqs.state.counts(queue).visible : 0);

    const start = Date.now();
    const end = start + spec.minutes * 60_000;
    const callsBefore = world.counts();
    let peak = rssBytes(c.pid) ?? 0;
    let rssMin = Infinity;
    let heapMin = Infinity;
    const heapOf = (metrics: Series | undefined) =>
      seriesStarting(metrics, 'nodejs_heap_size_used_bytes') ??
      seriesStarting(metrics, 'process_resident_memory_bytes');
    const readRss = () => {
      const rss = rssBytes(c.pid);
      if (rss !== undefined) [peak, rssMin] = [Math.max(peak, rss), Math.min(rssMin, rss)];
    };
    const readHeap = async () => {
      const metrics = await scrape(c.opsUrl);
      heapMin = Math.min(heapMin, heapOf(metrics) ?? Infinity);
      return metrics;
    };
    let previous = { at: start, cpu: cpuSeconds(c.pid), harnessCpu: process.cpuUsage() };
    const sample = async (minute: number): Promise<void> => {
      const metrics = await readHeap();
      const at = Date.now();
      const cpu = cpuSeconds(c.pid);
      const harnessCpu = process.cpuUsage();
      const seconds = (at - previous.at) / 1000;
      const rss = rssBytes(c.pid);
      if (rss === undefined) return; // exited: `alive()` reports it
      readRss();
      const s: SoakMinute = {
        minute,
        rss,
        rssMin,
        hwm: peakRssBytes(c.pid),
        heapUsed: heapOf(metrics),
        heapMin: Number.isFinite(heapMin) ? heapMin : undefined,
        tasksCached: seriesStarting(metrics, 'informer_objects{informer="ecs-tasks'),
        eventsApplied: seriesStarting(metrics, 'ecs_task_events_total{result="applied"'),
        replacements,
        backlog: backlog(),
        cpuPercent:
          cpu !== undefined && previous.cpu !== undefined && seconds > 0
            ? ((cpu - previous.cpu) / seconds) * 100
            : undefined,
        harnessRss: process.memoryUsage.rss(),
        harnessCpuPercent:
          seconds > 0
            ? ((harnessCpu.user + harnessCpu.system - previous.harnessCpu.user - previous.harnessCpu.system) /
                1e6 /
                seconds) *
              100
            : undefined,
      };
      previous = { at, cpu, harnessCpu };
      [rssMin, heapMin] = [Infinity, Infinity];
      samples.push(s);
      log(minuteLine(s));
    };
    await sample(0);

    // Heap scrapes every 10 s and minute samples, concurrently with the replacements.
    const sampler = (async () => {
      for (let tick = 1; tick <= spec.minutes * 6 && exitCode === undefined; tick += 1) {
        await sleep(Math.max(0, start + tick * 10_000 - Date.now()));
        if (tick % 6 !== 0) {
          await readHeap();
          continue;
        }
        forgetHistory(world);
        await sample(tick / 6);
      }
    })();

    const gapMs = 1000 / spec.replacePerSecond;
    let slot = 0;
    let nextPeakRead = start + 1000;
    while (exitCode === undefined) {
      const now = Date.now();
      if (now >= end) break;
      const due = Math.floor((now - start) / gapMs) + 1;
      if (due - slot > spec.replacePerSecond) {
        lagged += due - slot - spec.replacePerSecond;
        slot = due - spec.replacePerSecond;
      }
      for (; slot < due; slot += 1) {
        const arn = running.pick();
        if (arn === undefined) continue;
        running.delete(arn);
        if (world.ecs.state.terminateTask(arn, 'Task stopped by the soak', 'UserInitiated'))
          replacements += 1;
      }
      if (now >= nextPeakRead) {
        readRss();
        nextPeakRead = now + 1000;
      }
      await sleep(Math.max(1, start + slot * gapMs - Date.now()));
    }
    await sampler;
    alive();
    result.calls = countsBetween(callsBefore, world.counts());
    result.replacements = replacements;
    result.lagged = lagged;
    // Give the last replacements' new tasks time to start, then check every service's token.
    await sleep(spec.provisioningMs + spec.pendingMs + 2_000);
    result.servicesWithoutToken = seeded.filter((svc) => !world.tokenReady(svc)).length;
    result.summary = soakSummary({
      samples: samples.map((s) => ({ minute: s.minute, rssBytes: s.rss })),
      replacements,
      warmupMinutes: spec.warmupMinutes,
      peakRssBytes: peak,
    });
    log(soakSummaryLine(result.summary));
  } catch (error) {
    result.error = (error as Error).message;
    result.replacements = replacements;
    result.lagged = lagged;
    log(`soak: error: ${result.error}`);
  } finally {
    for (const stop of unsubscribe) stop();
    await controller?.stop();
    await world.close();
  }
  return result;
}
