/**
 * LeaderElector: leader election for one Consul KV lock (one session at a time, renewed on the
 * injected clock), with controller-runtime's leader metrics.
 *
 * Invariants:
 * - `isLeader()` is true only while the current session holds the lock and its renew deadline
 *   (ttlMs after the last successful renew was sent) has not passed; it never answers true late.
 * - The moment leadership is lost involuntarily (session invalidated, renew deadline passed, key
 *   no longer ours), in this order and synchronously: `isLeader()` turns false, the gauge drops
 *   to 0, the loss is counted, `leading$` emits false and `lost$` emits the reason. Only after that
 *   is the old session destroyed (best effort, bounded) and a new one created to compete again.
 * - `leading$` replays the current state and emits only changes; `lost$` never fires on `stop()`.
 * - `stop()` is idempotent and resolves once the lock is released and the session destroyed
 *   (the two together bounded by `releaseTimeoutMs`; a session Consul never heard destroyed expires
 *   with its TTL); leading$ emits false before any call goes out, then both observables complete.
 *   A session whose create was still in flight at stop() may likewise be left to its TTL. An explicit release frees the key without lock-delay (Consul semantics),
 *   so a standby takes over at once; an involuntary loss leaves Consul's lock-delay in force.
 * - Every Consul failure is retried (session create with backoff); nothing escapes the loop.
 * - Time comes only from the injected Clock.
 */
import { type Leadership } from '../manager/leadership.js';
import { type Registry } from 'prom-client';
import { BehaviorSubject, distinctUntilChanged, type Observable, Subject } from 'rxjs';

import { SILENT_LOGGER, type Logger } from '../log/logger.js';
import { backoffDelay } from '../time/backoff.js';
import { type Clock, type Random, sleep } from '../time/clock.js';
import { type ConsulCaller, ConsulLockApi } from './consul-lock-api.js';
import {
  type LeaderElectorOptions,
  resolveElectorOptions,
  type ResolvedElectorOptions,
} from './elector-options.js';
import { type LeaderObserver, leaderElectionMetrics, NO_LEADER_OBSERVER } from './leader-metrics.js';
import { LockTerm, type TermEnd } from './lock-term.js';

export type LossReason = Exclude<TermEnd, 'stopped'>;

export interface LeadershipLost {
  readonly reason: LossReason;
  readonly detail: string;
}

export interface LeaderElectorDeps {
  /** Usually the shared ConsulTransport (its token needs session:write and key:write on the key). */
  readonly transport: ConsulCaller;
  readonly clock: Clock;
  /** Where the leader_election_* metrics go; none when omitted. */
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly random?: Random;
}

export class LeaderElector implements Leadership {
  readonly options: ResolvedElectorOptions;
  /** Whether this process leads; replays the current value, emits only changes. */
  readonly leading$: Observable<boolean>;
  /** Involuntary losses of leadership (never emitted by stop()). */
  readonly lost$: Observable<LeadershipLost>;

  private readonly api: ConsulLockApi;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: Random;
  private readonly metrics: LeaderObserver;
  private readonly leadingSubject = new BehaviorSubject(false);
  private readonly lostSubject = new Subject<LeadershipLost>();
  private readonly stopping = new AbortController();
  private phase: 'new' | 'running' | 'stopped' = 'new';
  private running: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private term: LockTerm | undefined;
  private holder: string | undefined;

  constructor(options: LeaderElectorOptions, deps: LeaderElectorDeps) {
    this.options = resolveElectorOptions(options);
    this.api = new ConsulLockApi(deps.transport);
    this.clock = deps.clock;
    this.random = deps.random ?? Math.random;
    this.logger = (deps.logger ?? SILENT_LOGGER).child({
      component: 'leader-election',
      lock: this.options.name,
    });
    this.metrics = deps.registry
      ? leaderElectionMetrics(deps.registry, this.options.name)
      : NO_LEADER_OBSERVER;
    this.leading$ = this.leadingSubject.pipe(distinctUntilChanged());
    this.lost$ = this.lostSubject.asObservable();
  }

  /** The lock's name; it also names the controller group this elector gates. */
  get name(): string {
    return this.options.name;
  }

  /** True only while we hold the lock within the renew deadline. */
  isLeader(): boolean {
    return this.leadingSubject.value && this.term?.isLeading() === true;
  }

  /** The holder identity last read from the lock (ours while leading); undefined when free. */
  currentHolder(): string | undefined {
    return this.isLeader() ? this.options.identity : this.holder;
  }

  /** Subscribes to involuntary losses; returns the unsubscribe function. */
  onLost(listener: (lost: LeadershipLost) => void): () => void {
    const subscription = this.lostSubject.subscribe(listener);
    return () => subscription.unsubscribe();
  }

  /** Starts competing in the background. Idempotent; an elector cannot restart after stop(). */
  start(): void {
    if (this.phase === 'stopped') throw new Error('leader elector cannot start after stop()');
    if (this.phase === 'running') return;
    this.phase = 'running';
    this.logger.info('leader election starting', {
      key: this.options.key,
      identity: this.options.identity,
      ttlMs: this.options.ttlMs,
      renewMs: this.options.renewMs,
      lockDelayMs: this.options.lockDelayMs,
    });
    this.running = this.loop().catch((error: unknown) => {
      this.logger.error('leader election loop failed', { error: String(error) });
    });
  }

  /** Steps down, releases the lock and destroys the session. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    const wasRunning = this.phase === 'running';
    this.phase = 'stopped';
    if (this.leadingSubject.value) this.setLeading(false);
    this.stopping.abort(new Error('leader elector stopped'));
    if (wasRunning) await this.running;
    this.leadingSubject.complete();
    this.lostSubject.complete();
    if (wasRunning) this.logger.info('leader election stopped');
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      const createdAt = this.clock.now();
      let sessionId: string;
      try {
        sessionId = await this.api.createSession(
          {
            name: this.options.sessionName,
            ttlMs: this.options.ttlMs,
            lockDelayMs: this.options.lockDelayMs,
          },
          signal,
        );
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delay = backoffDelay(failures, this.options.retryBackoff, this.random);
        this.logger.warn('leader election: creating a session failed', {
          error: error instanceof Error ? error.message : String(error),
          retryInMs: Math.round(delay),
        });
        const slept = await sleep(this.clock, delay, signal).then(
          () => true,
          () => false,
        );
        if (!slept) return;
        continue;
      }
      failures = 0;
      const end = await this.runTerm(sessionId, createdAt);
      await this.cleanUp(sessionId, end === 'stopped');
    }
  }

  private runTerm(sessionId: string, createdAt: number): Promise<TermEnd> {
    this.logger.debug('leader election: session created', { session: sessionId });
    this.term = new LockTerm({
      api: this.api,
      clock: this.clock,
      random: this.random,
      logger: this.logger,
      options: this.options,
      sessionId,
      createdAt,
      signal: this.stopping.signal,
      hooks: {
        acquired: () => {
          this.metrics.acquired();
          this.setLeading(true);
          this.logger.info('became leader', { key: this.options.key, identity: this.options.identity });
        },
        ended: (reason, detail) => {
          if (reason === 'stopped' || !this.leadingSubject.value) {
            if (reason !== 'stopped') this.logger.info('leader election: session lost', { reason, detail });
            return;
          }
          this.metrics.leading(false);
          this.metrics.lost();
          this.leadingSubject.next(false);
          this.logger.warn('lost leadership', { reason, detail });
          this.lostSubject.next({ reason, detail });
        },
        holderSeen: (identity) => {
          this.holder = identity;
        },
      },
    });
    return this.term.run();
  }

  /** Ends a session: on stop, release the key first (no lock-delay for the next holder). */
  private async cleanUp(sessionId: string, release: boolean): Promise<void> {
    const controller = new AbortController();
    const cancel = this.clock.setTimer(this.options.releaseTimeoutMs, () =>
      controller.abort(new Error('release timeout')),
    );
    try {
      if (release) await this.api.release(this.options.key, sessionId, controller.signal);
    } catch (error) {
      this.logger.warn('leader election: releasing the lock failed', { error: String(error) });
    }
    try {
      await this.api.destroySession(sessionId, controller.signal);
    } catch (error) {
      this.logger.warn('leader election: destroying the session failed (it expires with its TTL)', {
        error: String(error),
      });
    } finally {
      cancel();
    }
  }

  private setLeading(leading: boolean): void {
    this.metrics.leading(leading);
    this.leadingSubject.next(leading);
  }
}
