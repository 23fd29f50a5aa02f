/**
 * The controllers under test, as child processes with a common handle: ours (the real CLI,
 * `node dist/src/cli/main.js acl-controller`) and HashiCorp's consul-ecs v0.4.3 binary (through
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
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

import { runConsulEcs } from '../consul-ecs/run-consul-ecs.js';
import { type BenchWorld } from './bench-world.js';
import { parsePromText } from './prom-text.js';

export interface ControllerHandle {
  readonly pid: number;
  readonly logs: readonly string[];
  readonly exited: Promise<number | null>;
  /** p99 event-loop delay since the previous call, in seconds (Node controllers only). */
  eventLoopLagP99(): Promise<number | undefined>;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const SIMULATION = fileURLToPath(new URL('../consul-ecs-sim/main.js', import.meta.url));

export interface OurControllerOptions {
  /** -resync-interval (omitted in events mode unless set: the CLI then defaults to 10m). */
  readonly resyncInterval?: string;
  readonly events: boolean;
  readonly ecsReadRate: number;
}

export async function startOurController(
  world: BenchWorld,
  options: OurControllerOptions,
): Promise<ControllerHandle> {
  return startNodeChild(world, [
    CLI,
    'acl-controller',
    '-cluster',
    world.cluster,
    '-consul-client-secret-arn',
    world.clientSecretArn,
    '-secret-name-prefix',
    world.prefix,
    '-listen-addr',
    '127.0.0.1:0',
    '-gc-grace-period',
    '2m',
    '-ecs-read-rate',
    String(options.ecsReadRate),
    ...(options.resyncInterval ? ['-resync-interval', options.resyncInterval] : []),
    ...(options.events && world.queueUrl ? ['-events-queue-url', world.queueUrl] : []),
  ]);
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
): Promise<ControllerHandle> {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_ECS: world.ecs.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: world.sm.url,
      ...(world.sqs ? { AWS_ENDPOINT_URL_SQS: world.sqs.url } : {}),
      CONSUL_HTTP_ADDR: world.consulUrl,
      CONSUL_HTTP_TOKEN: world.consul.managementToken,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let resolveUrl: (url: string) => void = () => undefined;
  const opsUrl = new Promise<string>((resolve) => (resolveUrl = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (logs.length < 20_000) logs.push(line);
      if (readyLine !== undefined && line.includes(readyLine)) resolveUrl('');
      else if (line.includes('ops server listening')) {
        try {
          resolveUrl((JSON.parse(line) as { url: string }).url);
        } catch {
          // not JSON: ignore
        }
      }
    });
  }
  const exited = exitOf(child, logs);
  const url = await Promise.race([
    opsUrl,
    exited.then((code) => {
      throw new Error(`${args[0]} exited with ${code}:\n${logs.slice(-20).join('\n')}`);
    }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no ops server after 15 s:\n${logs.join('\n')}`)), 15_000),
    ),
  ]);
  return {
    pid: child.pid as number,
    logs,
    exited,
    eventLoopLagP99: async () => {
      if (url === '') return undefined;
      try {
        const series = parsePromText(await (await fetch(`${url}/metrics`)).text());
        return series.get('nodejs_eventloop_lag_p99_seconds');
      } catch {
        return undefined;
      }
    },
    stop: once(() => stopChild(child, exited)),
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
    eventLoopLagP99: () => Promise.resolve(undefined),
    stop: () => handle.stop(),
  };
}

/** Resolves once the process has exited and its output is fully read ('close'). */
function exitOf(child: ChildProcess, logs: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', (error) => {
      logs.push(`spawn error: ${error.message}`);
      resolve(-1);
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
