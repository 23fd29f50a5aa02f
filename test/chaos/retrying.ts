/**
 * retrying: how the chaos driver gets its own calls through the injected faults.
 *
 * Invariants:
 * - `fn` runs up to `attempts` times, `gapMs` apart; the first success is returned, and after the
 *   last failure its error is thrown, prefixed with `what`.
 * - Nothing here decides which operation runs: a retry repeats the same call.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 10, gapMs = 50): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      last = error;
      if (attempt < attempts) await sleep(gapMs);
    }
  }
  throw new Error(`${what}: ${(last as Error)?.message ?? String(last)}`);
}
