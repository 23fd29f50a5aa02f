// Bounded polling for readiness checks against real third-party servers.
// Invariant: never loops more than maxAttempts times nor longer than timeoutMs (real time is
// acceptable here: it only waits for external processes, never for code under test).
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  what: string;
  timeoutMs: number;
  intervalMs: number;
}

export async function pollUntil(check: () => Promise<boolean>, options: PollOptions): Promise<void> {
  const maxAttempts = Math.max(1, Math.ceil(options.timeoutMs / options.intervalMs));
  let lastError: unknown;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs);
  }
  const detail = lastError instanceof Error ? `: last error ${lastError.message}` : '';
  throw new Error(`${options.what} not ready after ${options.timeoutMs} ms${detail}`);
}

/** fetch with a 2 s timeout; undefined when the server does not answer at all. */
export async function tryFetch(url: string, init?: RequestInit): Promise<Response | undefined> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  } catch {
    return undefined;
  }
}
