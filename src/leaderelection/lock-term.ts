/**
 * LockTerm: the life of one Consul session — renew it, compete for the lock, watch the key — until
 * the session is lost or the elector stops.
 *
 * Invariants:
 * - A term ends exactly once, with one reason. `hooks.ended(reason)` runs synchronously at that
 *   moment, before the term does anything else; only then are the term's pending calls aborted.
 * - Reasons: `session-invalidated` (renew answers 404, or acquire says "invalid session"),
 *   `renew-deadline` (ttlMs passed since the last successful renew — or the create — was *sent*,
 *   on the injected clock, so we give up no later than Consul's own TTL expiry), `lock-lost` (while
 *   leading, a read of the key shows it is not held by our session), `stopped` (parent aborted).
 * - `hooks.acquired()` runs at most once per term, only while the term is alive and its renew
 *   deadline has not passed.
 * - While leading the key is still watched (blocking queries), so an out-of-band release, delete
 *   or session destroy is seen as soon as Consul answers, not at the next renew.
 * - An acquire refused while nobody holds the key (the previous holder's lock-delay) is retried
 *   after `lockRetryMs`, by a blocking read bounded by that wait; reads never spin.
 * - Nothing throws out of `run()`: failed calls are logged and retried (key reads with backoff).
 */
import { type Logger } from '../log/logger.js';
import { backoffDelay } from '../time/backoff.js';
import { type Clock, type Random, sleep } from '../time/clock.js';
import { type ConsulLockApi, type LockEntry, SessionGoneError } from './consul-lock-api.js';
import { type ResolvedElectorOptions } from './elector-options.js';

export type TermEnd = 'session-invalidated' | 'renew-deadline' | 'lock-lost' | 'stopped';

export interface LockTermHooks {
  /** This term now holds the lock. */
  acquired(): void;
  /** The term is over; called once, synchronously, before anything else happens. */
  ended(reason: TermEnd, detail: string): void;
  /** The identity in the lock's value as last read (undefined: free or unreadable). */
  holderSeen(identity: string | undefined): void;
}

export interface LockTermDeps {
  readonly api: ConsulLockApi;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly options: ResolvedElectorOptions;
  readonly sessionId: string;
  /** Clock time at which the create request was sent: the first renew deadline counts from it. */
  readonly createdAt: number;
  /** Aborts when the elector stops. */
  readonly signal: AbortSignal;
  readonly hooks: LockTermHooks;
}

/** The record stored as the lock's value. No secrets: anyone with key:read sees it. */
export interface HolderRecord {
  readonly holder: string;
  readonly name: string;
  readonly acquiredAt: string;
}

export class LockTerm {
  private readonly controller = new AbortController();
  private reason: TermEnd | undefined;
  private leading = false;
  private deadline: number;
  private cancelDeadline: () => void = () => undefined;

  constructor(private readonly deps: LockTermDeps) {
    this.deadline = deps.createdAt + deps.options.ttlMs;
  }

  get sessionId(): string {
    return this.deps.sessionId;
  }

  /** True while this term holds the lock and its renew deadline has not passed. */
  isLeading(): boolean {
    return this.leading && this.withinDeadline();
  }

  /** Runs the term to its end; resolves with the reason. Never rejects. */
  async run(): Promise<TermEnd> {
    const { signal } = this.deps;
    const onStop = () => this.end('stopped', 'elector stopping');
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop, { once: true });
    this.armDeadline(this.deps.createdAt);
    await Promise.all([this.renewLoop(), this.lockLoop()]);
    signal.removeEventListener('abort', onStop);
    this.cancelDeadline();
    return this.reason ?? 'stopped';
  }

  /** Ends the term (first call wins): hooks first, then abort everything in flight. */
  end(reason: TermEnd, detail: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.leading = false;
    this.cancelDeadline();
    this.deps.hooks.ended(reason, detail);
    this.controller.abort(new Error(`lock term ended: ${reason}`));
  }

  /** False (and the term ended) once the renew deadline has passed, even if its timer is late. */
  private withinDeadline(): boolean {
    if (this.reason !== undefined) return false;
    if (this.deps.clock.now() < this.deadline) return true;
    this.end('renew-deadline', `no successful renew within ${this.deps.options.ttlMs} ms`);
    return false;
  }

  private armDeadline(sentAt: number): void {
    const { clock, options } = this.deps;
    this.cancelDeadline();
    this.deadline = sentAt + options.ttlMs;
    this.cancelDeadline = clock.setTimer(this.deadline - clock.now(), () => {
      this.end('renew-deadline', `no successful renew within ${options.ttlMs} ms`);
    });
  }

  private becomeLeader(): void {
    if (this.leading || !this.withinDeadline()) return;
    this.leading = true;
    this.deps.hooks.acquired();
  }

  private async renewLoop(): Promise<void> {
    const { api, clock, options, sessionId, logger } = this.deps;
    const signal = this.controller.signal;
    while (await pause(clock, options.renewMs, signal)) {
      const sentAt = clock.now();
      try {
        const alive = await api.renewSession(sessionId, signal);
        if (signal.aborted) return;
        if (!alive) {
          this.end('session-invalidated', 'renew: Consul no longer knows the session');
          return;
        }
        this.armDeadline(sentAt);
      } catch (error) {
        if (signal.aborted) return;
        logger.warn('leader election: session renew failed', {
          error: messageOf(error),
          deadlineInMs: this.deadline - clock.now(),
        });
      }
    }
  }

  private async lockLoop(): Promise<void> {
    const { api, clock, options, sessionId, logger, random, hooks } = this.deps;
    const signal = this.controller.signal;
    let index: string | undefined;
    let waitMs = options.watchWaitMs;
    let failures = 0;
    // A read without an index answers at once (a missing key has none): wait before the next one.
    let pauseFirst = false;
    while (!signal.aborted) {
      try {
        if (pauseFirst && !(await pause(clock, options.lockRetryMs, signal))) return;
        const read = await api.readLock(options.key, { index, waitMs, signal });
        if (signal.aborted) return;
        failures = 0;
        index = nextIndex(read.index);
        pauseFirst = index === undefined;
        const holder = read.entry?.session;
        hooks.holderSeen(holder === undefined ? undefined : holderOf(read.entry));
        waitMs = options.watchWaitMs;
        if (holder === sessionId) {
          this.becomeLeader();
          continue;
        }
        if (this.leading) {
          this.end(
            'lock-lost',
            holder ? 'the key is held by another session' : 'the key was released or deleted',
          );
          return;
        }
        if (holder !== undefined || !this.withinDeadline()) continue;
        const acquired = await api.acquire(options.key, sessionId, this.record(), signal);
        if (signal.aborted) return;
        if (acquired) {
          // Read it back at once: confirms the hold and yields an index to watch from.
          this.becomeLeader();
          pauseFirst = false;
          continue;
        }
        // Refused although nobody holds it: the previous holder's lock-delay (or a lost race).
        waitMs = options.lockRetryMs;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof SessionGoneError) {
          this.end('session-invalidated', 'acquire: Consul no longer knows the session');
          return;
        }
        failures += 1;
        const delay = backoffDelay(failures, options.retryBackoff, random);
        logger.warn('leader election: reading or acquiring the lock failed', {
          error: messageOf(error),
          retryInMs: Math.round(delay),
        });
        if (!(await pause(clock, delay, signal))) return;
        pauseFirst = false;
      }
    }
  }

  private record(): HolderRecord {
    const { options, clock } = this.deps;
    return {
      holder: options.identity,
      name: options.name,
      acquiredAt: new Date(clock.now()).toISOString(),
    };
  }
}

/**
 * The index for the next blocking read: always the latest one received (so an index that went
 * backwards restarts the watch, as Consul advises), none when it is missing or not > 0.
 */
function nextIndex(received: string | undefined): string | undefined {
  if (received === undefined || !/^\d+$/.test(received) || BigInt(received) <= 0n) return undefined;
  return received;
}

function holderOf(entry: LockEntry | undefined): string | undefined {
  if (!entry?.value) return undefined;
  try {
    const record = JSON.parse(entry.value) as Partial<HolderRecord> | null;
    return typeof record?.holder === 'string' ? record.holder : undefined;
  } catch {
    return undefined;
  }
}

/** Sleeps on the clock; false when the signal aborted first. */
async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(clock, ms, signal);
    return true;
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
