/**
 * The chaos run's command line: `npm run chaos [-- --quick] [-- --seed N] [-- --ops N]
 * [-- --soak-minutes M] [-- --gap-ms MS] [-- --clusters N] [-- --no-hostile] [-- --no-events]
 * [-- --verbose] [-- --log-file PATH]`.
 *
 * Invariants:
 * - Without `--seed`, the seed is drawn at random (crypto), and always printed with the replay
 *   command, which repeats every option that changes the op sequence (seed, ops, quick, soak).
 * - `--quick` is 120 ops 300 ms apart; the default is 200 ops; `--soak-minutes` runs ops (without
 *   replica kills) until that time is up, however many that is.
 * - `--clusters N` (1 or 2, default 2, in every mode) is how many clusters the replicas serve;
 *   the replay command repeats it when it is not the default.
 * - `--no-hostile` leaves out the hostile-tenant ops (./hostile-ops.ts): with it, a seed gives
 *   the sequence it gave before they were added; the replay command repeats it.
 * - Events mode is on in every mode (quick, default, soak): the replicas read the clusters' task
 *   events from envtest SQS queues, and event-path ops and faults (./event-ops.ts) join the
 *   sequence. `--no-events` turns it off: polling only, as before events mode, and a seed gives
 *   the op sequence it gave then; the replay command repeats it.
 * - `--log-file PATH` appends every replica output line to PATH, prefixed with its replica and
 *   generation (the run itself prints none of them): what a failed seed's replay is read with.
 * - Unknown arguments and malformed numbers are errors, never ignored.
 */
import { randomInt } from 'node:crypto';

export interface ChaosOptions {
  readonly seed: number;
  readonly ops: number;
  readonly quick: boolean;
  readonly soakMinutes: number | undefined;
  readonly gapMs: number;
  readonly verbose: boolean;
  readonly clusters: 1 | 2;
  readonly hostile: boolean;
  readonly events: boolean;
  readonly logFile: string | undefined;
}

function integer(arg: string, value: string | undefined): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isFinite(parsed) || parsed < 0) {
    throw new Error(`${arg} needs a non-negative number, got ${value}`);
  }
  return parsed;
}

export function parseChaosArgs(argv: readonly string[], drawSeed = () => randomInt(2 ** 31)): ChaosOptions {
  let seed: number | undefined;
  let ops: number | undefined;
  let quick = false;
  let soakMinutes: number | undefined;
  let gapMs: number | undefined;
  let verbose = false;
  let clusters: 1 | 2 = 2;
  let hostile = true;
  let events = true;
  let logFile: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--no-hostile') hostile = false;
    else if (arg === '--no-events') events = false;
    else if (arg === '--seed') seed = Math.floor(integer(arg, argv[++i]));
    else if (arg === '--ops') ops = Math.floor(integer(arg, argv[++i]));
    else if (arg === '--soak-minutes') soakMinutes = integer(arg, argv[++i]);
    else if (arg === '--gap-ms') gapMs = integer(arg, argv[++i]);
    else if (arg === '--log-file') {
      logFile = argv[++i];
      if (logFile === undefined || logFile === '') throw new Error('--log-file needs a path');
    } else if (arg === '--clusters') {
      const value = argv[++i];
      if (value !== '1' && value !== '2') throw new Error(`--clusters needs 1 or 2, got ${value}`);
      clusters = value === '1' ? 1 : 2;
    } else throw new Error(`unknown argument ${arg}`);
  }
  return {
    seed: seed ?? drawSeed(),
    ops: ops ?? (quick ? 120 : 200),
    quick,
    soakMinutes,
    gapMs: gapMs ?? 300,
    verbose,
    clusters,
    hostile,
    events,
    logFile,
  };
}

export function replayCommand(options: ChaosOptions): string {
  const parts = ['npm run chaos --', '--seed', String(options.seed)];
  if (options.soakMinutes !== undefined) parts.push('--soak-minutes', String(options.soakMinutes));
  else if (options.quick) parts.push('--quick');
  else parts.push('--ops', String(options.ops));
  if (options.clusters !== 2) parts.push('--clusters', String(options.clusters));
  if (options.gapMs !== 300) parts.push('--gap-ms', String(options.gapMs));
  if (!options.hostile) parts.push('--no-hostile');
  if (!options.events) parts.push('--no-events');
  return parts.join(' ');
}
