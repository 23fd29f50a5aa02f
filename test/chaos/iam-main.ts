/**
 * `npm run chaos:iam [-- --quick] [-- --seed N] [-- --ops N] [-- --no-hostile] [-- --no-events]
 * [-- --verbose] [-- --log-file PATH]`: the chaos run of the `controller` command (the consul-ecs
 * v0.10 drop-in: login-token GC, catalog cleanup, consul resources). Two real replicas with
 * `-leader-election` (child processes, configured by CONSUL_ECS_CONFIG_JSON and a task metadata
 * stub naming cluster `chaos`) on envtest servers, driven through the seeded ops of ./iam-ops.ts
 * under the same API faults, event-path faults, replicas and report as `npm run chaos` (./main.ts).
 *
 * Invariants:
 * - The seed and the replay command are printed first, and again when a run fails; the options
 *   are those of ./options.ts except `--clusters` and `--soak-minutes` (refused).
 * - Phases: seed the world (tasks with login tokens and services, one stopped before the start)
 *   → start replicas, wait for a leader and the consul resources → faults on, ops → settle the
 *   scheduled re-descriptions, restart any dead replica → faults off (t0) → wait for the end
 *   state, at most 2 resyncs + the grace period + 2 s after t0 → scrape /metrics, stop the
 *   replicas (SIGTERM) → safety invariants.
 * - Judged throughout (./iam-watch.ts): no login token or synthetic-node service of a running
 *   task is removed (each removal judged as Consul records it, against envtest ECS then), no
 *   token of another cluster, non-login token or service the controller may not collect is
 *   removed or changed. At the end: no leftover of a stopped task, the auth method and its binding
 *   rules exist, the seeded foreign tokens are as seeded, no SecretID in any replica log line or
 *   /metrics, no crash.
 * - Exit code 1 when any violation was found (or the run itself failed), else 0; the last line
 *   is the summary line of ./report.ts.
 */
import { appendFileSync } from 'node:fs';

import { ChaosWorld, SESSION_TTL_MIN_MS } from './chaos-world.js';
import { awaitConvergence } from './converge.js';
import { eventLoss } from './event-ops.js';
import { EventStats } from './event-stats.js';
import { IamDriver } from './iam-driver.js';
import { describeIamOp, generateIamOps } from './iam-ops.js';
import { type IamViolation, IamWatch } from './iam-watch.js';
import { type Violation, safetyViolations } from './invariants.js';
import { LogScan } from './log-scan.js';
import { type ChaosOptions, parseChaosArgs, replayCommand } from './options.js';
import { chaosTimings, Replicas } from './replicas.js';
import { exitWith, printRunEnd } from './run-end.js';
import { sleep } from './retrying.js';
import { moduleControllerConfig } from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { CLI } from '../helpers/controller-cli.js';

const SERVICES = ['web', 'api', 'db', 'cache', 'auth', 'billing'];
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const SLACK_MS = 2_000;

const ms = (value: number) => `${value}ms`;

export function iamReplayCommand(options: ChaosOptions): string {
  return replayCommand(options).replace('npm run chaos --', 'npm run chaos:iam --');
}

function parseIamArgs(argv: readonly string[]): ChaosOptions {
  const refused = argv.find((arg) => arg === '--clusters' || arg === '--soak-minutes');
  if (refused) throw new Error(`${refused} is not an option of the controller run (one cluster, ops only)`);
  return parseChaosArgs(argv);
}

async function run(options: ChaosOptions): Promise<number> {
  const harnessCrashes: string[] = [];
  process.on('unhandledRejection', (reason) =>
    harnessCrashes.push(`harness: unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`),
  );
  console.log(
    `chaos: controller run, seed ${options.seed}, ${options.ops} ops; replay: ${iamReplayCommand(options)}`,
  );
  const started = performance.now();
  // As the `acl-controller` run's, with no secrets to recheck.
  const t = chaosTimings(options.events, 0);
  const world = await ChaosWorld.start(SERVICES, 1, options.events ? eventLoss(options.seed) : undefined);
  const { name: cluster, eventsQueueUrl } = world.clusters[0];
  const clusterArn = world.ecsServer.state.clusters.get(cluster)?.arn ?? '';
  if (clusterArn !== `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`) {
    throw new Error(`unexpected cluster ARN ${clusterArn}`);
  }
  const stub = await startTaskMetadataStub({ cluster, accountId: ACCOUNT, region: REGION });
  const queue = world.sqsServer?.state.findQueue(`${world.clusters[0].prefix}-task-events`);
  // A task younger than two resyncs (plus slack) may be unknown to a correct leader whose start
  // event was lost and whose last task list began before it ran; an older one must be cached.
  const windowMs = 2 * t.resyncMs + SLACK_MS;
  console.log(
    world.events
      ? `chaos: events mode: resync ${t.resyncMs / 1000} s, ` +
          `${(world.events.lossFraction * 100).toFixed(1)}% of events lost while the faults are on`
      : `chaos: events mode off (polling only), resync ${t.resyncMs / 1000} s`,
  );
  const watch = new IamWatch({
    ecs: world.ecsServer.state,
    consul: () => world.consul.state,
    clusterName: cluster,
    clusterArn,
    driverAccessor: () => world.driverAccessorId,
    windowMs,
  });
  world.onConsulCall(watch.onCall);
  const config = {
    ...moduleControllerConfig({ consulHttpUrl: world.consulUrl, grpcPort: 8502, skipServerWatch: false }),
    logLevel: 'DEBUG',
  };
  const scan = new LogScan();
  const replicas = new Replicas(
    {
      ...world.replicaTarget(SESSION_TTL_MIN_MS),
      command: {
        args: (timing) => [
          CLI,
          'controller',
          '-listen-addr',
          '127.0.0.1:0',
          '-resync-interval',
          ms(timing.resyncMs),
          '-gc-grace-period',
          ms(timing.graceMs),
          ...(eventsQueueUrl !== undefined ? ['-events-queue-url', eventsQueueUrl] : []),
          '-leader-election',
          '-leader-election-ttl',
          ms(timing.ttlMs),
          '-leader-election-renew',
          ms(timing.renewMs),
          '-leader-election-lock-delay',
          ms(timing.lockDelayMs),
          '-consul-session-ttl-min',
          ms(SESSION_TTL_MIN_MS),
        ],
        env: {
          CONSUL_HTTP_ADDR: '',
          CONSUL_ECS_CONFIG_JSON: JSON.stringify(config),
          ECS_CONTAINER_METADATA_URI_V4: stub.url,
        },
        lockKey: (name) => `ecs-acl-controller/${name}/controller-leader`,
      },
    },
    t,
    scan,
    2,
    options.logFile === undefined
      ? undefined
      : (source, line) => appendFileSync(options.logFile as string, `${source} ${line}\n`),
  );
  const driver = new IamDriver(world, replicas, {
    cluster,
    clusterArn,
    account: ACCOUNT,
    region: REGION,
    queue,
    graceMs: t.graceMs,
  });
  const eventStats = new EventStats();
  replicas.onMetrics.push((slot, generation, text) => eventStats.read(slot, generation, text));
  const faultsInjected = () => world.faults.injected() + (world.events?.pipeFaults() ?? 0);
  const eventsLost = () => world.events?.counts.lost ?? 0;
  const violations: IamViolation[] = [];
  let convergedS: number | undefined;
  let opsRun = 0;
  let removals: string;
  try {
    // Before the controllers: tasks with login tokens and services, and one stopped since.
    for (const service of SERVICES.slice(0, 4)) await driver.runTask(service);
    for (const [i, task] of driver.running().entries()) {
      await driver.loginToken(task, i % 2 === 0);
      await driver.registerService(clusterArn, `${task.family}-${task.id}`, task.family, {
        'task-id': task.id,
      });
    }
    await driver.stopTask(driver.running()[0]);
    watch.start();

    await replicas.startAll();
    const notReady = () => [
      ...watch.resourceViolations(),
      ...(replicas.allLed() ? [] : [{ kind: 'crash', message: 'no leader' } as const]),
    ];
    if (
      (await awaitConvergence(() => undefined, notReady as () => Violation[], 30_000)).seconds === undefined
    ) {
      throw new Error(
        `no leader and consul resources 30 s after start: ${JSON.stringify(watch.resourceViolations())}`,
      );
    }
    console.log(`chaos: replicas ready after ${seconds(performance.now() - started)} s; faults on`);
    world.faults.start();
    world.events?.start();
    const ops = generateIamOps(options.seed, options.ops, {
      services: SERVICES,
      cluster,
      hostile: options.hostile,
      events: options.events,
      kills: true,
    });
    for (const op of ops) {
      const outcome = await driver.apply(op);
      opsRun += 1;
      if (options.verbose) console.log(`  op ${opsRun}: ${describeIamOp(op)} → ${outcome}`);
      else if (opsRun % 100 === 0) {
        console.log(
          `chaos: ${opsRun} ops, ${faultsInjected()} faults, ${replicas.kills} kills, ${eventsLost()} events lost so far`,
        );
      }
      await sleep(options.gapMs);
    }
    await driver.settle();
    await replicas.startAll();
    world.faults.stop();
    world.events?.stop();
    const t0 = performance.now();
    console.log(
      `chaos: ops done in ${seconds(t0 - started)} s (${JSON.stringify(driver.tally.outcomes)}, ` +
        `${driver.consulRestarts} Consul restarts, ${replicas.leaderKills} leader kills, ` +
        `${driver.forgedOwn} forged stops of our running tasks); faults off`,
    );
    const deadlineMs = 2 * t.resyncMs + t.graceMs + SLACK_MS;
    const convergence = await awaitConvergence(
      () => undefined,
      () => watch.stateViolations() as Violation[],
      deadlineMs,
    );
    convergedS = convergence.seconds;
    violations.push(...convergence.violations);
    if (convergence.seconds !== undefined) {
      console.log(
        `chaos: converged ${convergence.seconds.toFixed(1)} s after the faults stopped (bound ${seconds(deadlineMs)} s); ` +
          `last to clear: ${convergence.lastCleared.length > 0 ? convergence.lastCleared.join(', ') : 'nothing, converged at once'}`,
      );
    }
    for (const i of replicas.slots.keys()) {
      if ((await replicas.scrapeMetrics(i)) === undefined) {
        violations.push({ kind: 'crash', message: `replica ${i} /metrics unreachable at the end` });
      }
    }
    console.log(`chaos: lock holders: ${replicas.holders().join(', ')}`);
  } finally {
    await replicas.stopAll();
    await stub.close();
    const { counts } = watch;
    removals =
      `chaos: removals judged: ${counts.tokens} login tokens, ${counts.services} services; ` +
      `${counts.young} of a task running less than ${seconds(windowMs)} s (not judged), ` +
      `${counts.raced} of a token re-described after the controller's last read (no CAS)`;
  }
  violations.push(...watch.violations);
  const secretIds = new Map(watch.secretIds);
  const consulCalls = world.consulCalls();
  violations.push(
    ...safetyViolations({
      foreign: world.foreign,
      consul: world.consul.state,
      secrets: world.smServer.state,
      consulCalls,
      smCalls: world.smServer.calls.all(),
      secretIds,
      logUuids: scan.uuids,
      crashes: [...replicas.crashes, ...scan.crashes, ...harnessCrashes],
    }),
  );
  const faults = faultsInjected();
  await world.close();

  return printRunEnd({
    driver: driver.tally,
    logLines: scan.lines,
    secretIdsChecked: secretIds.size,
    lines: [removals],
    events: world.events,
    eventStats,
    violations: violations as Violation[],
    replay: iamReplayCommand(options),
    summary: { ops: opsRun, faults, kills: replicas.kills, eventsLost: eventsLost(), convergedS },
  });
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

const options = parseIamArgs(process.argv.slice(2));
exitWith(run(options), iamReplayCommand(options));
