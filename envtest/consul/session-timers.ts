/**
 * SessionTimers: TTL expiry of sessions on the injected Clock.
 *
 * Invariants:
 * - Each TTL session has at most one pending timer; renewing replaces it.
 * - A session expires `ttl × ttlMultiplier` after its last create/renew (real Consul uses a multiplier
 *   of 2, i.e. "up to 2×TTL"; the default here is 1 so tests know the exact moment).
 * - When a server starts on an existing state, every TTL session gets a full fresh TTL, as a newly
 *   elected Consul leader does.
 * - After `stopAll()` no timer of this server fires.
 */
import { type Clock } from '../../src/time/clock.js';
import { invalidateSession } from './sessions.js';
import { type ConsulState } from './state.js';

export class SessionTimers {
  private readonly timers = new Map<string, () => void>();

  constructor(
    private readonly state: ConsulState,
    private readonly clock: Clock,
    private readonly ttlMultiplier: number,
  ) {}

  /** Starts (or restarts) the TTL timer of one session. */
  arm(sessionId: string): void {
    this.cancel(sessionId);
    const session = this.state.sessions.get(sessionId);
    if (!session || session.ttlMs <= 0) return;
    const cancel = this.clock.setTimer(session.ttlMs * this.ttlMultiplier, () => {
      this.timers.delete(sessionId);
      invalidateSession(this.state, sessionId, this.clock.now());
    });
    this.timers.set(sessionId, cancel);
  }

  cancel(sessionId: string): void {
    this.timers.get(sessionId)?.();
    this.timers.delete(sessionId);
  }

  armAll(): void {
    for (const id of this.state.sessions.keys()) this.arm(id);
  }

  stopAll(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}
