/**
 * `npm run bench -- --soak-minutes 30 --tasks 10000 --replace-per-second 20 [--only ours]`: the
 * events-mode memory soak (harness/run-soak.ts). main.ts hands it every argument when
 * `--soak-minutes` is among them.
 *
 * Other flags: `--services N` (default tasks / 5), `--warmup-minutes N` (left out of the slope,
 * default 5), `--converge-max-minutes N` (default 15), `--provisioning-ms N` / `--pending-ms N`
 * (task start timings, default 5000 / 3000), `--resync D` (-resync-interval, default the CLI's 10m
 * with events), `--ecs-read-rate N` (default 50). `--only` accepts `ours` or `ours-events`: the
 * soak runs only our controller in events mode.
 *
 * Prints one line per minute, then the summary line, the floor line (the same slope over each
 * minute's lowest RSS and heap reading), the minute table (Markdown), the calls made during the
 * soak and the controller's warnings and errors. Writes no file. Exit code 1 when the run failed or a service lost its token.
 */
import { cpus, release, totalmem } from 'node:os';

import { minuteTable, runSoak, type SoakSpec } from './harness/run-soak.js';
import { floorLine, soakSummaryLine } from './harness/soak-summary.js';

export function parseSoakArgs(argv: readonly string[]): SoakSpec {
  let minutes: number | undefined;
  let tasks = 10_000;
  let services: number | undefined;
  let replacePerSecond = 20;
  let warmupMinutes = 5;
  let convergeMaxMinutes = 15;
  let provisioningMs = 5_000;
  let pendingMs = 3_000;
  let resyncInterval: string | undefined;
  let ecsReadRate = 50;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const number = () => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${arg} needs a non-negative number`);
      return v;
    };
    if (arg === '--soak-minutes') minutes = number();
    else if (arg === '--tasks') tasks = number();
    else if (arg === '--services') services = number();
    else if (arg === '--replace-per-second') replacePerSecond = number();
    else if (arg === '--warmup-minutes') warmupMinutes = number();
    else if (arg === '--converge-max-minutes') convergeMaxMinutes = number();
    else if (arg === '--provisioning-ms') provisioningMs = number();
    else if (arg === '--pending-ms') pendingMs = number();
    else if (arg === '--resync') resyncInterval = value();
    else if (arg === '--ecs-read-rate') ecsReadRate = number();
    else if (arg === '--only') {
      const only = value();
      if (only !== 'ours' && only !== 'ours-events')
        throw new Error(`the soak runs only our controller in events mode (--only ours), not ${only}`);
    } else throw new Error(`unknown soak argument ${arg}`);
  }
  if (minutes === undefined || !Number.isInteger(minutes) || minutes < 1)
    throw new Error('--soak-minutes needs a whole number of minutes, at least 1');
  if (replacePerSecond <= 0) throw new Error('--replace-per-second must be above 0');
  return {
    tasks,
    services: services ?? Math.max(1, Math.round(tasks / 5)),
    replacePerSecond,
    minutes,
    warmupMinutes,
    convergeMaxMs: convergeMaxMinutes * 60_000,
    provisioningMs,
    pendingMs,
    ecsReadRate,
    ...(resyncInterval !== undefined ? { resyncInterval } : {}),
  };
}

export async function soakMain(argv: readonly string[]): Promise<void> {
  const spec = parseSoakArgs(argv);
  const started = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);
  const cpu = cpus();
  log(
    `soak: ${spec.tasks} tasks in ${spec.services} services, ${spec.replacePerSecond} replacements/s ` +
      `for ${spec.minutes} min (slope after ${spec.warmupMinutes} min), our controller in events mode ` +
      `(-resync-interval ${spec.resyncInterval ?? 'default 10m'}, -ecs-read-rate ${spec.ecsReadRate}), ` +
      `task PROVISIONING ${spec.provisioningMs} ms + PENDING ${spec.pendingMs} ms; ` +
      `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `Linux ${release()}, Node ${process.version}`,
  );
  const result = await runSoak(spec, log);
  console.log('');
  if (result.summary) {
    console.log(soakSummaryLine(result.summary));
    console.log(
      floorLine(
        result.samples.map((s) => ({ minute: s.minute, bytes: s.rssMin })),
        result.samples.flatMap((s) =>
          s.heapMin === undefined ? [] : [{ minute: s.minute, bytes: s.heapMin }],
        ),
        spec.warmupMinutes,
      ),
    );
  }
  if (result.samples.length > 0) console.log(`\n${minuteTable(result.samples)}\n`);
  console.log(
    `converged in ${result.convergeSeconds?.toFixed(1) ?? 'n/a'} s; ${result.replacements} replacements ` +
      `(${result.lagged} slots dropped while the loop was > 1 s behind); ` +
      `services without a token after the soak: ${result.servicesWithoutToken ?? 'n/a'}`,
  );
  if (result.calls) {
    const text = (calls: Record<string, number>) =>
      Object.entries(calls)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ') || 'none';
    console.log(
      `calls during the soak: ECS ${text(result.calls.ECS)}; SQS ${text(result.calls.SQS)}; ` +
        `SM ${text(result.calls.SM)}; Consul ${text(result.calls.Consul)}`,
    );
  }
  const { logs } = result;
  console.log(`controller log: ${logs.lines} lines, ${logs.warn} warnings, ${logs.error} errors`);
  for (const line of logs.last) console.log(`  ${line}`);
  if (result.error) console.log(`error: ${result.error}`);
  if (result.error !== undefined || (result.servicesWithoutToken ?? 1) > 0) process.exitCode = 1;
}
