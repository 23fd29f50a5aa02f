/**
 * `npm run bench [-- --quick] [-- --tasks 1000[,10000]] [-- --only ours-polling,consul-ecs|ours]
 * [-- --sequential|--parallel] [-- --out FILE] [-- --latency none|aws] [-- --concurrency N]`: the
 * benchmark suite (not part of `npm test`). `--latency aws` makes the envtest servers answer as
 * slowly as AWS and Consul do (harness/latency-profile.ts); `--concurrency` sets our -concurrency.
 *
 * For each cluster size it runs the same workload (harness/run-workload.ts) once per controller,
 * each on its own fresh envtest servers, prints a table and writes it into BENCHMARKS.md (the
 * `quick` or `full` section). `--quick` is 100 tasks with short windows, the three controllers in
 * parallel (< 2 min); the full run is 100, 1,000 and 10,000 tasks, controllers one after another.
 *
 * With `--soak-minutes N` it runs the events-mode memory soak instead (soak.ts), which takes its
 * own flags.
 */
import { resolve } from 'node:path';

import { consulEcsUnavailable } from '../helpers/consul-ecs/run-consul-ecs.js';
import { detailsOf, machine, scaleLines, type SizeResult, tableOf, writeSection } from './harness/report.js';
import {
  type ControllerKind,
  type RunResult,
  runWorkload,
  type WorkloadSpec,
} from './harness/run-workload.js';
import { soakMain } from './soak.js';
import { LoadAverageSampler, measuredCommit } from './harness/run-context.js';
import { LATENCY_PROFILES, type LatencyProfile, latencyProfileText } from './harness/latency-profile.js';

const KINDS: readonly ControllerKind[] = ['ours-polling', 'ours-events', 'consul-ecs'];
const EVENTS_RESYNC_MINUTES = 10; // the CLI's -resync-interval default with -events-queue-url
const EVENTS_SERVICE_RESYNC_MINUTES = 60; // the CLI's -service-resync-interval default with events

interface Options {
  quick: boolean;
  sizes: number[];
  only: ControllerKind[];
  parallel: boolean;
  out: string;
  provisioningMs: number | undefined;
  pendingMs: number | undefined;
  simulate: boolean;
  secretsWriteRate: number | undefined;
  ecsReadRate: number | undefined;
  concurrency: number | undefined;
  latency: LatencyProfile;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    quick: false,
    sizes: [],
    only: [...KINDS],
    parallel: false,
    out: 'BENCHMARKS.md',
    provisioningMs: undefined,
    pendingMs: undefined,
    simulate: false,
    secretsWriteRate: undefined,
    ecsReadRate: undefined,
    concurrency: undefined,
    latency: 'none',
  };
  let parallelSet = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--tasks') options.sizes = value().split(',').map(Number);
    else if (arg === '--only')
      options.only = value()
        .split(',')
        .flatMap((kind) => (kind === 'ours' ? ['ours-polling', 'ours-events'] : [kind])) as ControllerKind[];
    else if (arg === '--parallel') [options.parallel, parallelSet] = [true, true];
    else if (arg === '--sequential') [options.parallel, parallelSet] = [false, true];
    else if (arg === '--out') options.out = value();
    else if (arg === '--provisioning-ms') options.provisioningMs = Number(value());
    else if (arg === '--simulate-consul-ecs') options.simulate = true;
    else if (arg === '--pending-ms') options.pendingMs = Number(value());
    else if (arg === '--secrets-write-rate') options.secretsWriteRate = Number(value());
    else if (arg === '--ecs-read-rate') options.ecsReadRate = Number(value());
    else if (arg === '--concurrency') options.concurrency = Number(value());
    else if (arg === '--latency') {
      const profile = value() as LatencyProfile;
      if (!LATENCY_PROFILES.includes(profile)) throw new Error(`unknown latency profile ${profile}`);
      options.latency = profile;
    } else throw new Error(`unknown argument ${arg}`);
  }
  for (const kind of options.only) if (!KINDS.includes(kind)) throw new Error(`unknown controller ${kind}`);
  if (options.sizes.length === 0) options.sizes = options.quick ? [100] : [100, 1_000, 10_000];
  if (!parallelSet) options.parallel = options.quick;
  return options;
}

function specFor(tasks: number, options: Options): WorkloadSpec {
  const quick = options.quick;
  const common = {
    provisioningMs: options.provisioningMs ?? (quick ? 2_000 : 5_000),
    pendingMs: options.pendingMs ?? (quick ? 1_000 : 3_000),
    ecsReadRate: options.ecsReadRate,
    secretsWriteRate: options.secretsWriteRate,
    concurrency: options.concurrency,
    latency: options.latency,
  };
  if (quick) {
    return {
      ...common,
      tasks,
      services: Math.max(1, Math.round(tasks / 5)),
      burst: 20,
      steadyMs: 20_000,
      churnMs: 15_000,
      churnPerSecond: 1,
      convergeMaxMs: 40_000,
      burstWindowMs: 25_000,
      followUpBursts: [],
      pollingResync: '10s',
    };
  }
  return {
    ...common,
    tasks,
    services: Math.max(1, Math.round(tasks / 5)),
    burst: 200,
    steadyMs: 90_000,
    churnMs: 45_000,
    churnPerSecond: Math.max(1, Math.round(tasks / 500)),
    convergeMaxMs: tasks >= 10_000 ? 600_000 : 180_000,
    burstWindowMs: 60_000,
    followUpBursts: [20, 40],
    pollingResync: '30s',
  };
}

function workloadText(spec: WorkloadSpec): string {
  return [
    `${spec.tasks.toLocaleString('en-US')} running mesh tasks in ${spec.services} ECS services (propagateTags TASK_DEFINITION)`,
    `steady ${spec.steadyMs / 1000} s, churn ${spec.churnMs / 1000} s at ${spec.churnPerSecond} task stop(s)/s`,
    `burst of ${spec.burst} new services (1 task each, reading the token from their secret), counted over a ${spec.burstWindowMs / 1000} s window that starts half a polling resync after the last one (steady + churn = ${(spec.steadyMs + spec.churnMs) / 1000} s)${spec.followUpBursts.length > 0 ? `, then bursts of ${spec.followUpBursts.join(' and ')} new services, each once the one before it is done` : ''}`,
    `task PROVISIONING ${spec.provisioningMs} ms + PENDING ${spec.pendingMs} ms (secrets read at the end of PENDING)`,
    `ours polling -resync-interval ${spec.pollingResync}; ours events: SQS queue, CLI default resync (${EVENTS_RESYNC_MINUTES} min); -ecs-read-rate ${spec.ecsReadRate ?? '10, burst 50 (defaults)'}; -secrets-write-rate ${spec.secretsWriteRate ?? '40 (default)'}; -concurrency ${spec.concurrency ?? '16 (default)'}`,
    latencyProfileText(spec.latency ?? 'none'),
  ].join('; ');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = new Date();
  const load = new LoadAverageSampler();
  const log = (line: string) =>
    console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(0)}s] ${line}`);
  const unavailable = options.simulate ? '--simulate-consul-ecs was given' : consulEcsUnavailable();
  // Without the binary, the labelled simulation of its algorithm takes its place.
  const kinds = options.only.map((k) =>
    k === 'consul-ecs' && unavailable !== undefined ? 'consul-ecs-sim' : k,
  );
  if (unavailable !== undefined && options.only.includes('consul-ecs'))
    log(`consul-ecs binary not used (${unavailable}): running the SIMULATION of its algorithm`);

  const sizes: SizeResult[] = [];
  for (const tasks of options.sizes) {
    const spec = specFor(tasks, options);
    log(`workload: ${workloadText(spec)}`);
    let runs: RunResult[];
    if (options.parallel) runs = await Promise.all(kinds.map((kind) => runWorkload(kind, spec, log)));
    else {
      runs = [];
      for (const kind of kinds) runs.push(await runWorkload(kind, spec, log));
    }
    const size = {
      spec,
      runs,
      eventsResyncMinutes: EVENTS_RESYNC_MINUTES,
      eventsServiceResyncMinutes: EVENTS_SERVICE_RESYNC_MINUTES,
    };
    sizes.push(size);
    console.log(`\n${tableOf(size)}\n`);
  }

  const args = process.argv.slice(2).join(' ');
  const command =
    process.env.npm_lifecycle_event === 'bench'
      ? `npm run bench${args ? ` -- ${args}` : ''}`
      : `node ${process.argv.slice(1).join(' ')}`;
  const body = [
    `## ${options.quick ? 'Quick run' : 'Full run'}: ${options.sizes.map((n) => n.toLocaleString('en-US')).join(', ')} tasks`,
    '',
    `- Date: ${started.toISOString()} (took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`,
    `- Machine: ${machine()}`,
    `- Commit measured: ${measuredCommit()}`,
    `- Load average (1 min) during the run: ${load.summary()}`,
    `- Command: \`${command}\``,
    `- Controllers ${options.parallel ? 'ran in parallel' : 'ran one after another'}, each on its own fresh envtest servers (ECS, Secrets Manager, Consul 1.14, SQS) in the benchmark process, each as its own child process.`,
    unavailable === undefined
      ? `- consul-ecs: the real v0.4.3 binary (fixed 10 s poll), unmodified, through the TLS-terminating loopback proxy of test/bench/consul-ecs.`
      : `- consul-ecs: **SIMULATION**, not the binary (${unavailable}): test/bench/consul-ecs-sim replays its documented algorithm (10 s poll, full ListTasks + DescribeTasks, full token and policy lists) against the same servers; its CPU and RSS are not reported.`,
    "- Call counts: the envtest servers' counters (the workload is driven in-process and not counted). CPU and RSS: /proc of each controller process. Event-loop lag: our /metrics (`nodejs_eventloop_lag_p99_seconds`, prom-client `monitorEventLoopDelay`). First-task success: envtest ECS launch attempts. Time to token: measured externally, from the creation of a new service's first task to the moment its secret holds a token that exists in Consul (envtest state polled in-process every 25 ms).",
    '',
    ...sizes.flatMap((size) => [
      `### ${size.spec.tasks.toLocaleString('en-US')} tasks`,
      '',
      `Workload: ${workloadText(size.spec)}.`,
      '',
      tableOf(size),
      '',
      '<details><summary>Calls by operation, per phase</summary>',
      '',
      detailsOf(size),
      '',
      '</details>',
      '',
    ]),
  ].join('\n');
  const section = `${options.quick ? 'quick' : 'full'}-${options.sizes.join('-')}`;
  load.stop();
  writeSection(resolve(options.out), section, body.trimEnd());
  log(`wrote section ${section} of ${options.out}`);
  for (const line of sizes.flatMap(scaleLines)) console.log(line);
  if (sizes.some((s) => s.runs.some((r) => r.error))) process.exitCode = 1;
}

const argv = process.argv.slice(2);
(argv.includes('--soak-minutes') ? soakMain(argv) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
