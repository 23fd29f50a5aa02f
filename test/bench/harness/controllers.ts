/**
 * The controllers under test, as child processes with a common handle: ours (the real CLI,
 * `node dist/controllers/cli/main.js acl-controller`) and HashiCorp's consul-ecs v0.4.3 binary (through
 * runConsulEcs, see ../consul-ecs/README.md).
 *
 * Invariants:
 * - Each controller is its own process, so /proc CPU and RSS are its own.
 * - Ours is started with `-listen-addr 127.0.0.1:0`; its ops URL is read from its JSON log line
 *   `ops server listening` (field url), and `eventLoopLagP99()` scrapes its /metrics
 *   (`nodejs_eventloop_lag_p99_seconds`; prom-client resets that histogram on every scrape, so a
 *   scrape covers the time since the previous one).
 * - Without the consul-ecs binary, `startSimulatedConsulEcs` runs the labelled simulation of its
 *   algorithm (../consul-ecs-sim) as a Node child process instead.
 * - `stop()` sends SIGTERM, SIGKILL after 10 s; it is safe to call twice.
 */
import { fileURLToPath } from 'node:url';

import { controllerArgs, controllerEnv } from '../../helpers/controller-cli.js';
import { startNodeChild as startChild } from '../../helpers/node-child.js';

import { runConsulEcs } from '../../helpers/consul-ecs/run-consul-ecs.js';
import { type BenchWorld } from './bench-world.js';
import { parsePromText } from './prom-text.js';
import { IMAGE_NODE_OPTIONS } from './image-node-options.js';

export interface ControllerHandle {
  readonly pid: number;
  readonly logs: readonly string[];
  readonly exited: Promise<number | null>;
  /** Our ops server's URL (its /metrics); '' for a controller without one. */
  readonly opsUrl: string;
  /** p99 event-loop delay since the previous call, in seconds (Node controllers only). */
  eventLoopLagP99(): Promise<number | undefined>;
  stop(): Promise<void>;
}

const SIMULATION = fileURLToPath(new URL('../consul-ecs-sim/main.js', import.meta.url));

export interface OurControllerOptions {
  /** -resync-interval (omitted in events mode unless set: the CLI then defaults to 10m). */
  readonly resyncInterval?: string;
  readonly events: boolean;
  /** -ecs-read-rate, when not the CLI default (10/s, burst 50). */
  readonly ecsReadRate?: number;
  /** -secrets-write-rate, when not the CLI default (40/s). */
  readonly secretsWriteRate?: number;
  /** -concurrency, when not the CLI default (4). */
  readonly concurrency?: number;
  /** Every line the controller writes (stdout and stderr), as it comes. */
  readonly onLine?: (line: string) => void;
}

export async function startOurController(
  world: BenchWorld,
  options: OurControllerOptions,
): Promise<ControllerHandle> {
  return startNodeChild(
    world,
    [
      // Node flags NODE_OPTIONS refuses (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), before the script.
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? []),
      ...controllerArgs([world]),
      '-gc-grace-period',
      '2m',
      ...(options.ecsReadRate ? ['-ecs-read-rate', String(options.ecsReadRate)] : []),
      ...(options.secretsWriteRate ? ['-secrets-write-rate', String(options.secretsWriteRate)] : []),
      ...(options.concurrency ? ['-concurrency', String(options.concurrency)] : []),
      ...(options.resyncInterval ? ['-resync-interval', options.resyncInterval] : []),
      ...(options.events && world.queueUrl ? ['-events-queue-url', world.queueUrl] : []),
    ],
    undefined,
    options.onLine,
    // Our controller runs with the image's V8 options, unless BENCH_NODE_OPTIONS says otherwise.
    process.env.BENCH_NODE_OPTIONS ?? IMAGE_NODE_OPTIONS,
  );
}

/** The consul-ecs v0.4.3 simulation (not the real binary), as a Node child process. */
export async function startSimulatedConsulEcs(world: BenchWorld): Promise<ControllerHandle> {
  return startNodeChild(
    world,
    [
      SIMULATION,
      '-cluster',
      world.cluster,
      '-consul-client-secret-arn',
      world.clientSecretArn,
      '-secret-name-prefix',
      world.prefix,
    ],
    'simulated consul-ecs v0.4.3 acl-controller started',
  );
}

/**
 * Spawns `node args…` against the world's servers and waits for its ready line: our ops server
 * line (whose url gives /metrics) or `readyLine`.
 */
async function startNodeChild(
  world: BenchWorld,
  args: readonly string[],
  readyLine?: string,
  onLine?: (line: string) => void,
  nodeOptions?: string,
): Promise<ControllerHandle> {
  const started = await startChild(args, {
    env: {
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ...controllerEnv({
        ecsUrl: world.ecs.url,
        secretsManagerUrl: world.sm.url,
        sqsUrl: world.sqs?.url,
        consulUrl: world.consulUrl,
        consulToken: world.consul.managementToken,
        accessKeyId: 'AKIDTEST',
        secretAccessKey: 'test-secret',
      }),
    },
    ...(readyLine !== undefined ? { readyLine } : {}),
    ...(onLine !== undefined ? { onLine } : {}),
  });
  const url = started.opsUrl;
  return {
    pid: started.pid,
    logs: started.logs,
    exited: started.exited,
    opsUrl: url,
    eventLoopLagP99: async () => {
      if (url === '') return undefined;
      try {
        const series = parsePromText(await (await fetch(`${url}/metrics`)).text());
        return series.get('nodejs_eventloop_lag_p99_seconds');
      } catch {
        return undefined;
      }
    },
    stop: started.stop,
  };
}

export async function startConsulEcs(world: BenchWorld): Promise<ControllerHandle> {
  const handle = await runConsulEcs({
    cluster: world.cluster,
    clientSecretArn: world.clientSecretArn,
    secretNamePrefix: world.prefix,
    ecsUrl: world.ecs.url,
    secretsManagerUrl: world.sm.url,
    consulUrl: world.consulUrl,
    consulToken: world.consul.managementToken,
  });
  if (handle.pid === undefined) throw new Error(`consul-ecs did not start:\n${handle.logs.join('\n')}`);
  return {
    pid: handle.pid,
    logs: handle.logs,
    exited: handle.exited,
    opsUrl: '',
    eventLoopLagP99: () => Promise.resolve(undefined),
    stop: () => handle.stop(),
  };
}
