/**
 * `npm run chaos [-- --quick] [-- --seed N] [-- --ops N] [-- --soak-minutes M]`: drives the real
 * controller (two replicas with leader election, as child processes) on envtest servers through a
 * seeded random sequence of operations under injected faults, then checks the invariants of
 * ./invariants.ts (not part of `npm test`; `--quick` runs in CI).
 *
 * Invariants:
 * - The seed and the replay command are printed first, and again when a run fails.
 * - Phases: seed the world and foreign objects → start replicas and wait for the client token →
 *   faults on, ops (or the soak) → restart any dead replica → faults off (t0) → wait for the state
 *   invariants to hold, at most 2 resyncs + the grace period + 2 s (lock takeover and scheduling
 *   slack) after t0 → scrape /metrics, stop the replicas (SIGTERM) → safety invariants.
 * - The replicas serve `--clusters` clusters (default 2: `chaos` and `chaos-b`); the state
 *   invariants are checked per cluster, every Consul token write is judged as it happens by the
 *   cross-cluster and token-owner check, each client secret is checked to name its client token
 *   from the replicas being ready to their stop, and before the replicas stop one
 *   `chaos: lock holders:` line names the replica that holds each cluster's lock (and what each
 *   replica's /metrics says it leads).
 * - Events mode (on unless `--no-events`): the replicas read each cluster's task events from its
 *   envtest SQS queue (`-events-queue-url`, `-resync-interval 5s`), with its services' deployment
 *   events (lost like the task events, never forged); the events are lost (a seeded
 *   base fraction of at least 10%, and seeded loss windows), duplicated, reordered, delayed and
 *   forged by the run (./event-ops.ts, ./event-path.ts) while the faults are on, and at least one
 *   leader is killed while its cluster's events are lost. Each controller token delete is also
 *   judged against the ECS state of that moment (deleted-while-running, ./running-delete.ts).
 *   Before the summary, one `chaos: events:` line says what became of the events.
 * - Every minute of ops, one `rss: minute m: …` line gives each replica's RSS and V8 heap in use
 *   (from its /metrics), for the leak check of long runs.
 * - Exit code 1 when any violation was found (or the run itself failed), else 0; the last line
 *   is the summary line of ./report.ts.
 */
import { appendFileSync } from 'node:fs';

import { ChaosWorld, SESSION_TTL_MIN_MS } from './chaos-world.js';
import { ClientWatch } from './client-watch.js';
import { awaitConvergence } from './converge.js';
import { Driver } from './driver.js';
import { eventLoss } from './event-ops.js';
import { EventStats } from './event-stats.js';
import { CrossClusterWatch } from './cross-cluster.js';
import { type Violation, safetyViolations, stateViolations } from './invariants.js';
import { LogScan } from './log-scan.js';
import { MemoryWatch } from './memory-watch.js';
import { Observer } from './observer.js';
import { generateOps, opStream, describeOp, type Op } from './ops.js';
import { type ChaosOptions, parseChaosArgs, replayCommand } from './options.js';
import { chaosTimings, Replicas } from './replicas.js';
import { exitWith, printRunEnd } from './run-end.js';
import { sleep } from './retrying.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';

const SERVICES = ['web', 'api', 'db', 'cache', 'auth', 'billing', 'search', 'mail'];
const SLACK_MS = 2_000;
/**
 * How long a token must have been its cluster's wanted token (service active, secret naming it)
 * before a delete of it counts as made by the other cluster's side: well over what a stale view
 * of its own cluster can explain (a resync behind, plus the grace, plus retries under faults).
 */
const CROSS_WINDOW_MS = 15_000;
/**
 * How long a secret's healthy value must have been current before a controller write over it
 * counts as the other cluster's: the controller never rewrites a healthy secret, and only a
 * deposed leader's in-flight write (one lock TTL + lock-delay) can land just after a repair.
 */
const SECRET_WINDOW_MS = 5_000;

async function run(options: ChaosOptions): Promise<number> {
  const harnessCrashes: string[] = [];
  process.on('unhandledRejection', (reason) =>
    harnessCrashes.push(`harness: unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`),
  );
  const soak = options.soakMinutes !== undefined;
  console.log(
    `chaos: seed ${options.seed}, ${soak ? `soak ${options.soakMinutes} min` : `${options.ops} ops`}` +
      `; replay: ${replayCommand(options)}`,
  );
  const started = performance.now();
  const replicaTimings = chaosTimings(options.events);
  const world = await ChaosWorld.start(
    SERVICES,
    options.clusters,
    options.events ? eventLoss(options.seed) : undefined,
  );
  const clusterNames = world.clusters.map((c) => c.name);
  console.log(`chaos: clusters ${world.clusters.map((c) => `${c.name} (prefix ${c.prefix})`).join(', ')}`);
  // Deleted-while-running: a task younger than two resyncs (plus slack) may still be unknown to a
  // correct leader whose start event was lost; an older one must be in its cache.
  const runningWindowMs = 2 * replicaTimings.resyncMs + SLACK_MS;
  console.log(
    world.events
      ? `chaos: events mode: one SQS queue per cluster, resync ${replicaTimings.resyncMs / 1000} s, ` +
          `${(world.events.lossFraction * 100).toFixed(1)}% of events lost while the faults are on`
      : `chaos: events mode off (polling only), resync ${replicaTimings.resyncMs / 1000} s`,
  );
  const scan = new LogScan();
  const observer = new Observer({
    ecs: world.ecsServer.state,
    consul: () => world.consul.state,
    secrets: world.smServer.state,
    clusters: world.clusters.map((c) => ({
      name: c.name,
      secrets: [...SERVICES.map((service) => `${c.prefix}-${service}`), c.clientSecretArn],
    })),
  });
  observer.remember(world.managementToken, 'the management token');
  observer.start();
  const replicas = new Replicas(
    world.replicaTarget(SESSION_TTL_MIN_MS),
    replicaTimings,
    scan,
    2,
    options.logFile === undefined
      ? undefined
      : (source, line) => appendFileSync(options.logFile as string, `${source} ${line}\n`),
  );
  // Strict final state: a service gone at all has no token left (the deadline covers the grace).
  const checkState = () =>
    world.clusters.flatMap((c) =>
      stateViolations({
        cluster: c.name,
        prefix: c.prefix,
        clientSecretId: c.clientSecretArn,
        consul: world.consul.state,
        secrets: world.smServer.state,
        active: observer.active(c.name),
        goneForMs: (service) => observer.goneForMs(c.name, service),
        leftoverAfterMs: 0,
      }),
    );
  const violations: Violation[] = [];
  let convergedS: number | undefined;
  let opsRun = 0;
  const memory = new MemoryWatch(replicas);
  const eventStats = new EventStats();
  replicas.onMetrics.push((slot, generation, text) => eventStats.read(slot, generation, text));
  const faultsInjected = () => world.faults.injected() + (world.events?.pipeFaults() ?? 0);
  const eventsLost = () => world.events?.counts.lost ?? 0;
  const driver = new Driver(world, replicas, observer);
  const clientWatch = new ClientWatch({
    clusters: world.clusters,
    consul: () => world.consul.state,
    secrets: world.smServer.state,
  });
  const cross = new CrossClusterWatch(world, observer, driver.planted, {
    controllerKey: CONTROLLER_ACCESS_KEY_ID,
    tokenWindowMs: CROSS_WINDOW_MS,
    secretWindowMs: SECRET_WINDOW_MS,
    runningWindowMs,
    log: (line) => console.log(line),
  });
  try {
    await replicas.startAll();
    if (!(await until(() => replicas.allLed() && checkState().length === 0, 30_000))) {
      throw new Error(`no leader and client token 30 s after start: ${JSON.stringify(checkState())}`);
    }
    memory.atStart();
    clientWatch.start();
    console.log(`chaos: replicas ready after ${seconds(performance.now() - started)} s; faults on`);

    world.faults.start();
    world.events?.start();
    const profile = {
      services: SERVICES,
      clusters: clusterNames,
      hostile: options.hostile,
      events: options.events,
    };
    const ops: Iterable<Op> = soak
      ? opStream(options.seed, { ...profile, kills: false })
      : generateOps(options.seed, options.ops, { ...profile, kills: true });
    const opsStart = performance.now();
    const soakEnd = opsStart + (options.soakMinutes ?? 0) * 60_000;
    for (const op of ops) {
      if (soak && performance.now() >= soakEnd) break;
      const outcome = await driver.apply(op);
      opsRun += 1;
      const minuteLine = await memory.tick(performance.now() - opsStart);
      if (minuteLine) console.log(minuteLine);
      if (options.verbose) console.log(`  op ${opsRun}: ${describeOp(op)} → ${outcome}`);
      else if (opsRun % 100 === 0) {
        console.log(
          `chaos: ${opsRun} ops, ${faultsInjected()} faults, ${replicas.kills} kills, ` +
            `${eventsLost()} events lost so far`,
        );
      }
      await sleep(options.gapMs);
    }
    memory.atEnd();
    await replicas.startAll();
    world.faults.stop();
    world.events?.stop();
    const t0 = performance.now();
    const deadlineMs = 2 * replicaTimings.resyncMs + replicaTimings.graceMs + SLACK_MS;
    console.log(
      `chaos: ops done in ${seconds(t0 - started)} s (${JSON.stringify(driver.tally.outcomes)}, ` +
        `${driver.consulRestarts} Consul restarts, ${replicas.leaderKills} leader kills); faults off`,
    );
    const convergence = await awaitConvergence(() => observer.sample(), checkState, deadlineMs);
    convergedS = convergence.seconds;
    violations.push(...convergence.violations);
    if (convergence.seconds !== undefined) {
      const twoResyncsS = (2 * replicaTimings.resyncMs) / 1000;
      console.log(
        `chaos: converged ${convergence.seconds.toFixed(1)} s after the faults stopped ` +
          `(two resyncs: ${twoResyncsS.toFixed(1)} s; ${convergence.seconds <= twoResyncsS ? 'within' : 'past'} them); ` +
          `last to clear: ${convergence.lastCleared.length > 0 ? convergence.lastCleared.join(', ') : 'nothing, converged at once'}`,
      );
    }
    const leads: string[] = [];
    for (const [i, slot] of replicas.slots.entries()) {
      const text = await replicas.scrapeMetrics(i);
      if (text === undefined) {
        violations.push({
          kind: 'crash',
          message: `replica ${i}#${slot.generation} /metrics unreachable at the end`,
        });
        continue;
      }
      const led = [...text.matchAll(/^leader_election_master_status\{[^}]*name="([^"]+)"[^}]*\} 1$/gm)];
      leads.push(`replica ${i} ${led.length > 0 ? led.map((m) => m[1]).join(' ') : 'none'}`);
    }
    console.log(`chaos: lock holders: ${replicas.holders().join(', ')}; /metrics leads: ${leads.join(', ')}`);
  } finally {
    clientWatch.stop();
    await replicas.stopAll();
    observer.stop();
  }
  observer.sample();
  violations.push(
    ...clientWatch.violations(),
    ...cross.violations(),
    ...safetyViolations({
      foreign: world.foreign,
      consul: world.consul.state,
      secrets: world.smServer.state,
      consulCalls: world.consulCalls(),
      smCalls: world.smServer.calls.all(),
      secretIds: observer.secretIds,
      logUuids: scan.uuids,
      crashes: [...replicas.crashes, ...scan.crashes, ...cross.crashes, ...harnessCrashes],
    }),
  );
  const faults = faultsInjected();
  await world.close();

  for (const line of memory.lines()) console.log(line);
  return printRunEnd({
    driver: driver.tally,
    logLines: scan.lines,
    secretIdsChecked: observer.secretIds.size,
    lines: [cross.summary()],
    events: world.events,
    eventStats,
    violations,
    replay: replayCommand(options),
    summary: { ops: opsRun, faults, kills: replicas.kills, eventsLost: eventsLost(), convergedS },
  });
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (performance.now() > deadline) return false;
    await sleep(100);
  }
}

const options = parseChaosArgs(process.argv.slice(2));
exitWith(run(options), replayCommand(options));
