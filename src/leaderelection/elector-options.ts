/**
 * Leader election options: what one elector competes for and how fast it reacts.
 *
 * Invariants:
 * - `resolveElectorOptions` either returns a complete, consistent set or throws a
 *   LeaderElectionConfigError naming the option: `0 < renewMs < ttlMs <= 24h`, `lockDelayMs >= 0`,
 *   `lockRetryMs > 0`, `watchWaitMs > 0`, `releaseTimeoutMs > 0`, non-empty name, key and identity.
 * - The TTL's lower bound is the Consul servers' `session_ttl_min` (10 s by default, lowered in
 *   dev agents and envtest), which this library cannot know: it accepts any positive TTL, and the
 *   CLI checks its flag against `-consul-session-ttl-min`. The upper bound is fixed in Consul.
 * - The default lock key is `ecs-acl-controller/<name>/leader`; `name` is also the metrics label.
 * - The identity is written into the lock's value so operators can see who leads; it must never be
 *   a secret (it is readable by anyone with key:read on the lock key).
 * - Durations are sent to Consul as Go duration strings (`15s`, `1500ms`).
 */
import { type BackoffOptions } from '../time/backoff.js';

export interface LeaderElectorOptions {
  /** The lock's name: the metrics label and the middle of the default key, e.g. the ECS cluster. */
  readonly name: string;
  /** Who we are, written into the lock value (hostname, task ARN). Never a secret. */
  readonly identity: string;
  /** KV key of the lock. Default `ecs-acl-controller/<name>/leader`. */
  readonly key?: string;
  /** Session TTL. Default 15 s; Consul accepts `session_ttl_min` (10 s by default) to 24 h. */
  readonly ttlMs?: number;
  /** Renew period. Default 5 s; must be below the TTL. */
  readonly renewMs?: number;
  /** Session lock-delay: after an involuntary loss nobody may take the lock for this long. Default 1 s. */
  readonly lockDelayMs?: number;
  /** How soon to retry an acquire that Consul refused while nobody holds the key (lock-delay). Default: lockDelayMs, at least 250 ms. */
  readonly lockRetryMs?: number;
  /** Longest wait of one blocking query on the key. Default 60 s. */
  readonly watchWaitMs?: number;
  /** Bound on releasing the lock and destroying the session (stop, or after a loss). Default 5 s. */
  readonly releaseTimeoutMs?: number;
  /** Backoff after failed Consul calls (session create, key reads). */
  readonly retryBackoff?: BackoffOptions;
  /** Session name shown in Consul. Default `ecs-acl-controller leader election (<name>)`. */
  readonly sessionName?: string;
}

export type ResolvedElectorOptions = Required<LeaderElectorOptions>;

/**
 * Consul's session TTL range: Session.Apply (agent/consul/session_endpoint.go) rejects
 * `ttl < config.SessionTTLMin || ttl > structs.SessionTTLMax` with "Invalid Session TTL";
 * SessionTTLMax is a constant 24 h, SessionTTLMin the server's `session_ttl_min`, 10 s by default.
 */
export const CONSUL_SESSION_TTL_MAX_MS = 24 * 3_600_000;
export const CONSUL_SESSION_TTL_MIN_DEFAULT_MS = 10_000;

export const DEFAULT_TTL_MS = 15_000;
export const DEFAULT_RENEW_MS = 5_000;
export const DEFAULT_LOCK_DELAY_MS = 1_000;
export const DEFAULT_WATCH_WAIT_MS = 60_000;
export const DEFAULT_RELEASE_TIMEOUT_MS = 5_000;
export const DEFAULT_RETRY_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 15_000,
  factor: 2,
  jitter: 0.2,
};

export class LeaderElectionConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`leader election ${option}: ${message}`);
    this.name = 'LeaderElectionConfigError';
  }
}

export function defaultLockKey(name: string): string {
  return `ecs-acl-controller/${name}/leader`;
}

export function resolveElectorOptions(options: LeaderElectorOptions): ResolvedElectorOptions {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const renewMs = options.renewMs ?? DEFAULT_RENEW_MS;
  const lockDelayMs = options.lockDelayMs ?? DEFAULT_LOCK_DELAY_MS;
  const resolved: ResolvedElectorOptions = {
    name: options.name,
    identity: options.identity,
    key: options.key ?? defaultLockKey(options.name),
    ttlMs,
    renewMs,
    lockDelayMs,
    lockRetryMs: options.lockRetryMs ?? Math.max(250, lockDelayMs),
    watchWaitMs: options.watchWaitMs ?? DEFAULT_WATCH_WAIT_MS,
    releaseTimeoutMs: options.releaseTimeoutMs ?? DEFAULT_RELEASE_TIMEOUT_MS,
    retryBackoff: options.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
    sessionName: options.sessionName ?? `ecs-acl-controller leader election (${options.name})`,
  };
  for (const option of ['name', 'identity', 'key'] as const) {
    if (resolved[option].trim() === '') throw new LeaderElectionConfigError(option, 'must not be empty');
  }
  if (resolved.key.startsWith('/')) throw new LeaderElectionConfigError('key', 'must not start with "/"');
  positive('ttlMs', ttlMs);
  if (ttlMs > CONSUL_SESSION_TTL_MAX_MS) {
    throw new LeaderElectionConfigError('ttlMs', `${ttlMs} ms is above Consul's maximum session TTL (24h)`);
  }
  positive('renewMs', renewMs);
  if (renewMs >= ttlMs) {
    throw new LeaderElectionConfigError('renewMs', `${renewMs} ms must be below ttlMs (${ttlMs} ms)`);
  }
  if (!Number.isFinite(lockDelayMs) || lockDelayMs < 0) {
    throw new LeaderElectionConfigError('lockDelayMs', 'must be a duration >= 0');
  }
  positive('lockRetryMs', resolved.lockRetryMs);
  positive('watchWaitMs', resolved.watchWaitMs);
  positive('releaseTimeoutMs', resolved.releaseTimeoutMs);
  return resolved;
}

function positive(option: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new LeaderElectionConfigError(option, 'must be a positive duration');
  }
}
