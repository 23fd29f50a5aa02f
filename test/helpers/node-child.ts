/**
 * startNodeChild: runs `node args…` as a child process (our controller CLI, or a simulation), keeps
 * its output lines and waits for its ready line, for harnesses that measure or kill real processes
 * (the benchmarks, the chaos run).
 *
 * Invariants:
 * - Ready means: our ops server's JSON log line `ops server listening` (its `url` field gives
 *   /metrics), or, when `readyLine` is given, the first line containing it (`opsUrl` is then '').
 * - Every output line (stdout and stderr) goes to `onLine` when given; at most `keepLines` lines
 *   (default 20,000) are also kept in `logs`, so a long run cannot grow without bound.
 * - Start fails (rejects) if the process exits first or is not ready within `readyTimeoutMs`; the
 *   process is then killed (SIGKILL), never left running unwatched.
 * - `exited` resolves once the process has exited and its output is fully read ('close').
 * - `stop()` sends SIGTERM, SIGKILL after 10 s; it is safe to call twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface NodeChildOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly readyLine?: string;
  readonly onLine?: (line: string) => void;
  readonly keepLines?: number;
  readonly readyTimeoutMs?: number;
}

export interface NodeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logs: readonly string[];
  /** The ops server URL ('' for a child started with `readyLine`). */
  readonly opsUrl: string;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startNodeChild(args: readonly string[], options: NodeChildOptions): Promise<NodeChild> {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = options.keepLines ?? 20_000;
  const { readyLine, onLine } = options;
  let resolveUrl: (url: string) => void = () => undefined;
  const opsUrl = new Promise<string>((resolve) => (resolveUrl = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (logs.length < keep) logs.push(line);
      onLine?.(line);
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
  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    opsUrl,
    exited.then((code) => {
      throw new Error(`${args[0]} exited with ${code}:\n${logs.slice(-20).join('\n')}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not ready after ${timeoutMs / 1000} s:\n${logs.join('\n')}`)),
        timeoutMs,
      );
    }),
  ])
    .catch((error: unknown) => {
      child.kill('SIGKILL'); // never leave a process that did not start running unwatched
      throw error;
    })
    .finally(() => clearTimeout(timer));
  return {
    child,
    pid: child.pid as number,
    logs,
    opsUrl: url,
    exited,
    stop: once(() => stopChild(child, exited)),
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
