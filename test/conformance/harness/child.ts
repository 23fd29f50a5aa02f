// Starts a third-party server as its own process group and stops the whole group.
// Invariants:
// - every started group is killed on stop(), and also when the node process exits or is
//   interrupted by SIGINT/SIGTERM (so a crashed, --exit'ed or cancelled run leaves no server);
// - stop() is idempotent and bounded: SIGTERM, then SIGKILL after graceMs;
// - output is kept (last 64 KiB) to explain a failed start.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  };
  process.on('exit', killAll);
  // An interrupted run (Ctrl-C, CI timeout) emits no 'exit' by default: clean up, then exit.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

export interface ManagedProcess {
  readonly pid: number;
  readonly exited: boolean;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  graceMs?: number;
}

export function startProcess(options: StartOptions): ManagedProcess {
  installExitHook();
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
  const pid = child.pid;
  live.add(pid);
  let buffer = '';
  const append = (chunk: Buffer): void => {
    buffer = (buffer + chunk.toString('utf8')).slice(-65536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      append(Buffer.from(`spawn error: ${error.message}\n`));
      exited = true;
      resolve();
    });
  });
  const grace = options.graceMs ?? 5000;
  let stopping: Promise<void> | undefined;
  return {
    pid,
    get exited() {
      return exited;
    },
    output: () => buffer,
    stop() {
      stopping ??= (async () => {
        killGroup(pid, 'SIGTERM');
        const timedOut = await Promise.race([exit.then(() => false), sleep(grace).then(() => true)]);
        // Kill the rest of the group too (worker processes) even when the leader exited.
        killGroup(pid, 'SIGKILL');
        if (timedOut) await Promise.race([exit, sleep(grace)]);
        live.delete(pid);
      })();
      return stopping;
    },
  };
}
