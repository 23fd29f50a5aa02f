/**
 * runWorkload: one controller against one fresh BenchWorld, through the phases of the benchmark:
 * seed → start the controller → converge → steady state → churn → burst of new services.
 *
 * Invariants:
 * - Every figure comes from this run: call counts from the envtest servers' counters (the workload
 *   is driven in-process and never counted), CPU and RSS from /proc, event-loop lag from the
 *   controller's /metrics, first-task outcomes from envtest ECS's launch attempts, readiness of a
 *   token from the envtest Secrets Manager and Consul state (read in-process, not counted).
 * - Every wait is bounded; the controller and every server are stopped in `finally`.
 */
import { type BenchWorld, BenchWorld as World, type CallCounts, countsBetween } from './bench-world.js';
import {
  type ControllerHandle,
  startConsulEcs,
  startOurController,
  startSimulatedConsulEcs,
} from './controllers.js';
import { peakRssBytes, ProcSampler } from './proc-stats.js';
import { percentile, type ResyncCpu, resyncCpu } from './stats.js';
import { type LatencyProfile } from './latency-profile.js';

/** `consul-ecs` is the real v0.4.3 binary; `consul-ecs-sim` the labelled simulation of it. */
export type ControllerKind = 'ours-polling' | 'ours-events' | 'consul-ecs' | 'consul-ecs-sim';

export interface WorkloadSpec {
  readonly tasks: number;
  readonly services: number;
  /** New mesh services created at once in the burst phase. */
  readonly burst: number;
  readonly steadyMs: number;
  readonly churnMs: number;
  /** Task stops per second during churn (each replaced by its service). */
  readonly churnPerSecond: number;
  readonly convergeMaxMs: number;
  /** Length of the burst window (calls are counted over all of it, whenever the tokens are ready). */
  readonly burstWindowMs: number;
  /** Sizes of smaller bursts run one after another after the main one (time to token by size). */
  readonly followUpBursts: readonly number[];
  readonly provisioningMs: number;
  readonly pendingMs: number;
  /** Our -resync-interval in polling mode (events mode uses the CLI default, 10m). */
  readonly pollingResync: string;
  /** Our -ecs-read-rate; the CLI default (10/s, burst 50) when unset. */
  readonly ecsReadRate?: number;
  /** Our -secrets-write-rate; the CLI default (40/s) when unset. */
  readonly secretsWriteRate?: number;
  /** Our -concurrency (service-token workers); the CLI default (4) when unset. */
  readonly concurrency?: number;
  /** Delays the envtest servers add to every call; none when unset. */
  readonly latency?: LatencyProfile;
}

export interface PhaseFigures {
  readonly seconds: number;
  readonly calls: CallCounts;
  /** Highest RSS sampled in the phase, bytes. */
  readonly peakRss: number | undefined;
  /** RSS sampled at the end of the phase, bytes. */
  readonly endRss: number | undefined;
  readonly cpuMs: number | undefined;
  /** p99 event-loop delay over the phase, seconds (ours only). */
  readonly lagP99: number | undefined;
}

/** What a burst of new services gave, measured outside the controller. */
export interface BurstOutcome {
  readonly services: number;
  /** Services whose first task reached RUNNING (no ResourceInitializationError). */
  readonly firstTaskOk: number;
  /** Services whose first task's outcome was decided in the window. */
  readonly firstTaskDecided: number;
  /** Secret + token ready, seconds after the service's first task was created (0 when before it). */
  readonly timeToToken: readonly number[];
  readonly readyBeforeFirstTask: number;
  readonly notReady: number;
}

export type BurstFigures = PhaseFigures & BurstOutcome;

export interface RunResult {
  readonly kind: ControllerKind;
  readonly error?: string;
  readonly converge?: PhaseFigures & { readonly complete: boolean };
  readonly steady?: PhaseFigures & { readonly resync: ResyncCpu };
  readonly churn?: PhaseFigures & { readonly stops: number };
  readonly burst?: BurstFigures;
  /** The `followUpBursts`, in order, each started once the one before it was decided. */
  readonly followUpBursts?: readonly BurstOutcome[];
  readonly peakRssOverall?: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean, maxMs: number, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(everyMs);
  }
  return check();
}

/** The name of the i-th seeded service. */
export const seededService = (i: number): string => `svc-${String(i).padStart(5, '0')}`;

/** Creates `services` mesh services of `tasks / services` tasks each; resolves once all run. */
export async function seed(world: BenchWorld, spec: Pick<WorkloadSpec, 'tasks' | 'services'>): Promise<void> {
  const perService = Math.max(1, Math.round(spec.tasks / spec.services));
  for (let i = 0; i < spec.services; i += 1) {
    world.createMeshService(seededService(i), perService, false);
    if (i % 50 === 49) await sleep(0);
  }
  const expected = perService * spec.services;
  const ok = await until(() => world.runningTasks() >= expected, 60_000, 100);
  if (!ok) throw new Error(`only ${world.runningTasks()} of ${expected} seeded tasks reached RUNNING`);
}

const p99 = (outcome: BurstOutcome) => percentile(outcome.timeToToken, 99)?.toFixed(2);

/**
 * Creates `size` new mesh services named `<prefix>-NNNN` (one task each, reading its token from
 * the secret) and waits, at most `maxMs`, until every first task's outcome is decided and every
 * secret holds a token that exists in Consul.
 */
async function runBurst(
  world: BenchWorld,
  prefix: string,
  size: number,
  maxMs: number,
): Promise<BurstOutcome> {
  const names = [...Array(size).keys()].map((i) => `${prefix}-${String(i).padStart(4, '0')}`);
  for (const name of names) world.createMeshService(name, 1, true);
  const firstTaskAt = new Map<string, number>();
  const newNames = new Set(names);
  for (const task of world.ecs.state.tasks.values()) {
    const name = task.serviceName;
    if (name !== undefined && newNames.has(name) && !firstTaskAt.has(name))
      firstTaskAt.set(name, task.createdAt);
  }
  const readyAt = new Map<string, number>();
  // First launch outcome per new service, read incrementally from the launch attempt log.
  const firstAttempt = new Map<string, 'RUNNING' | 'FAILED'>();
  let seen = world.ecs.state.launchAttempts.length;
  const decided = () => {
    const attempts = world.ecs.state.launchAttempts;
    for (; seen < attempts.length; seen += 1) {
      const attempt = attempts[seen];
      const name = attempt?.serviceName;
      if (attempt && name !== undefined && newNames.has(name) && !firstAttempt.has(name)) {
        firstAttempt.set(name, attempt.outcome);
      }
    }
    return firstAttempt.size === names.length;
  };
  await until(() => {
    const now = Date.now();
    for (const name of names) if (!readyAt.has(name) && world.tokenReady(name)) readyAt.set(name, now);
    return decided() && readyAt.size === names.length;
  }, maxMs);
  decided();
  const times = names
    .filter((name) => readyAt.has(name) && firstTaskAt.has(name))
    .map((name) => Math.max(0, ((readyAt.get(name) as number) - (firstTaskAt.get(name) as number)) / 1000));
  return {
    services: names.length,
    firstTaskOk: [...firstAttempt.values()].filter((outcome) => outcome === 'RUNNING').length,
    firstTaskDecided: firstAttempt.size,
    timeToToken: times,
    // A token already there when its first task was created counts as "before the first task".
    readyBeforeFirstTask: names.filter(
      (name) => (readyAt.get(name) ?? Infinity) <= (firstTaskAt.get(name) ?? -Infinity),
    ).length,
    notReady: names.length - readyAt.size,
  };
}

class PhaseMeter {
  private readonly start = Date.now();
  private readonly before: CallCounts;

  constructor(
    private readonly world: BenchWorld,
    private readonly sampler: ProcSampler,
    private readonly controller: ControllerHandle,
  ) {
    this.before = world.counts();
  }

  static async begin(world: BenchWorld, sampler: ProcSampler, controller: ControllerHandle) {
    await controller.eventLoopLagP99(); // resets the controller's lag histogram
    return new PhaseMeter(world, sampler, controller);
  }

  get from(): number {
    return this.start;
  }

  async end(): Promise<PhaseFigures & { readonly to: number }> {
    const to = Date.now();
    this.sampler.sample();
    const calls = countsBetween(this.before, this.world.counts());
    const samples = this.sampler.between(this.start, to);
    const a = this.sampler.cpuAt(this.start);
    const b = this.sampler.cpuAt(to);
    return {
      to,
      seconds: (to - this.start) / 1000,
      calls,
      peakRss: samples.length > 0 ? Math.max(...samples.map((s) => s.rss)) : undefined,
      endRss: samples.length > 0 ? samples[samples.length - 1].rss : undefined,
      cpuMs: a !== undefined && b !== undefined ? (b - a) * 1000 : undefined,
      lagP99: await this.controller.eventLoopLagP99(),
    };
  }
}

export async function runWorkload(
  kind: ControllerKind,
  spec: WorkloadSpec,
  log: (line: string) => void,
): Promise<RunResult> {
  const world = await World.start({
    events: kind === 'ours-events',
    provisioningMs: spec.provisioningMs,
    pendingMs: spec.pendingMs,
    latency: spec.latency,
  });
  let controller: ControllerHandle | undefined;
  let sampler: ProcSampler | undefined;
  const result: { -readonly [K in keyof RunResult]: RunResult[K] } = { kind };
  try {
    await seed(world, spec);
    log(`${kind}: seeded ${world.runningTasks()} running tasks in ${spec.services} services`);
    world.startEvents();
    const seeded = [...Array(spec.services).keys()].map(seededService);

    const convergeStart = Date.now();
    const before = world.counts();
    controller =
      kind === 'consul-ecs'
        ? await startConsulEcs(world)
        : kind === 'consul-ecs-sim'
          ? await startSimulatedConsulEcs(world)
          : await startOurController(world, {
              events: kind === 'ours-events',
              ecsReadRate: spec.ecsReadRate,
              secretsWriteRate: spec.secretsWriteRate,
              concurrency: spec.concurrency,
              ...(kind === 'ours-polling' ? { resyncInterval: spec.pollingResync } : {}),
            });
    const c = controller;
    const s = (sampler = new ProcSampler(c.pid, 100));
    let exitCode: number | null | undefined;
    void c.exited.then((code) => (exitCode = code));
    const alive = () => {
      if (exitCode !== undefined)
        throw new Error(`${kind} exited with ${exitCode}:\n${c.logs.slice(-15).join('\n')}`);
    };

    const waiting = new Set(seeded);
    const complete = await until(
      () => {
        for (const svc of waiting) if (world.tokenReady(svc)) waiting.delete(svc);
        return waiting.size === 0;
      },
      spec.convergeMaxMs,
      100,
    );
    alive();
    const convergeEnd = Date.now();
    result.converge = {
      complete,
      seconds: (convergeEnd - convergeStart) / 1000,
      calls: countsBetween(before, world.counts()),
      peakRss: Math.max(0, ...s.between(convergeStart, convergeEnd).map((x) => x.rss)),
      endRss: s.between(convergeStart, convergeEnd).at(-1)?.rss,
      cpuMs: ((s.cpuAt(convergeEnd) ?? 0) - (s.samples[0]?.cpu ?? 0)) * 1000,
      lagP99: undefined,
    };
    log(`${kind}: converged=${complete} in ${result.converge.seconds.toFixed(1)} s`);

    // Steady state: nothing changes.
    const steady = await PhaseMeter.begin(world, s, c);
    await sleep(spec.steadyMs);
    alive();
    const steadyFigures = await steady.end();
    result.steady = {
      ...steadyFigures,
      resync: resyncCpu(world.ecs.calls.all(), s, steady.from, steadyFigures.to),
    };
    log(`${kind}: steady ${steadyFigures.seconds.toFixed(0)} s done`);

    // Churn: a steady rate of task stops, each replaced by its service.
    const churn = await PhaseMeter.begin(world, s, c);
    let stops = 0;
    const gapMs = 1000 / spec.churnPerSecond;
    const churnEnd = Date.now() + spec.churnMs;
    for (let next = Date.now(); next < churnEnd; next += gapMs) {
      await sleep(Math.max(0, next - Date.now()));
      if (world.churnOne()) stops += 1;
    }
    alive();
    result.churn = { ...(await churn.end()), stops };
    log(`${kind}: churn ${stops} stops done`);

    // Burst: new mesh services whose tasks read the token from their secret.
    const burst = await PhaseMeter.begin(world, s, c);
    const main = await runBurst(world, 'new', spec.burst, spec.burstWindowMs);
    await sleep(Math.max(0, burst.from + spec.burstWindowMs - Date.now()));
    alive();
    result.burst = { ...(await burst.end()), ...main };
    log(`${kind}: burst ${main.firstTaskOk}/${main.services} first tasks ok, p99 ${p99(main)} s`);
    // Smaller bursts after it, one at a time, for time to token by burst size.
    const followUps: BurstOutcome[] = [];
    for (const [i, size] of spec.followUpBursts.entries()) {
      const outcome = await runBurst(world, `more${i}`, size, spec.burstWindowMs);
      alive();
      followUps.push(outcome);
      log(`${kind}: burst of ${size}: ${outcome.firstTaskOk}/${size} first tasks ok, p99 ${p99(outcome)} s`);
    }
    result.followUpBursts = followUps;
    result.peakRssOverall = peakRssBytes(c.pid);
  } catch (error) {
    result.error = (error as Error).message;
    log(`${kind}: error: ${result.error}`);
  } finally {
    sampler?.stop();
    await controller?.stop();
    await world.close();
  }
  return result;
}
