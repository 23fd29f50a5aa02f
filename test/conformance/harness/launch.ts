// Starts a server process and waits (bounded) until it is ready.
// Invariants: on any failure the process group is stopped and the error carries the tail of
// the server's output; an early exit of the process fails fast instead of waiting the timeout.
import { startProcess, type ManagedProcess, type StartOptions } from './child.js';
import { pollUntil } from './poll.js';

export interface LaunchOptions extends StartOptions {
  name: string;
  ready(): Promise<boolean>;
  readyTimeoutMs?: number;
}

export async function launch(options: LaunchOptions): Promise<ManagedProcess> {
  const proc = startProcess(options);
  try {
    await pollUntil(
      async () => {
        if (proc.exited) throw new Error(`${options.name} exited during start`);
        return options.ready();
      },
      { what: options.name, timeoutMs: options.readyTimeoutMs ?? 45_000, intervalMs: 200 },
    );
    return proc;
  } catch (error) {
    await proc.stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- ${options.name} output (tail) ---\n${proc.output().slice(-4000)}`, {
      cause: error,
    });
  }
}
