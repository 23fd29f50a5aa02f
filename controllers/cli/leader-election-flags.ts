/**
 * The leader-election flags both long-running commands share (`acl-controller` and `controller`),
 * and their parsing into a LeaderElectionConfig.
 *
 * Invariants: a parsed config has a session TTL Consul accepts (between the servers'
 * `session_ttl_min`, `-consul-session-ttl-min`, and 24 h) and a renew period below it, or parsing
 * throws a UsageError naming the flag; with several clusters the key must hold `<cluster>`, so no
 * two clusters share a lock. The identity (hostname/pid) is never a secret.
 */
import { hostname } from 'node:os';

import { UsageError } from '../../src/cli/command.js';
import { type FlagSpec, flagValue, type ParsedFlags, parseDuration } from '../../src/cli/go-flags.js';
import {
  CONSUL_SESSION_TTL_MAX_MS,
  CONSUL_SESSION_TTL_MIN_DEFAULT_MS,
} from '../../src/leaderelection/elector-options.js';
import { type LeaderElectionConfig } from '../domain/acl-config.js';

/** The flags, with `defaultKey` as the default lock key (each command has its own, so both can lead one cluster). */
export function leaderElectionFlags(defaultKey: string): readonly FlagSpec[] {
  return [
    {
      name: 'leader-election',
      kind: 'bool',
      help: "Reconcile only while holding the cluster's Consul lock (run several replicas for HA).",
      default: 'false',
    },
    {
      name: 'leader-election-key',
      kind: 'string',
      help: 'Consul KV key of the lock; <cluster> is replaced by the cluster name (needed with several clusters).',
      default: defaultKey,
    },
    {
      name: 'leader-election-ttl',
      kind: 'duration',
      help: 'Session TTL of the lock; Consul accepts -consul-session-ttl-min to 24h.',
      default: '15s',
    },
    {
      name: 'leader-election-renew',
      kind: 'duration',
      help: 'How often the session is renewed; must be shorter than -leader-election-ttl.',
      default: '5s',
    },
    {
      name: 'consul-session-ttl-min',
      kind: 'duration',
      help: "The Consul servers' session_ttl_min: the shortest -leader-election-ttl they accept. Lower it only if the servers' setting is lower.",
      default: `${CONSUL_SESSION_TTL_MIN_DEFAULT_MS / 1000}s`,
    },
    {
      name: 'leader-election-lock-delay',
      kind: 'duration',
      help: 'Consul lock-delay after a lost lock.',
      default: '1s',
    },
  ];
}

/**
 * The leader-election config of parsed flags (undefined without `-leader-election`); the timings
 * are checked even when election is off, so a bad value never waits for the day it is switched on.
 */
export function parseLeaderElection(
  flags: ParsedFlags,
  specs: readonly FlagSpec[],
  clusterCount: number,
): LeaderElectionConfig | undefined {
  const get = (name: string) => flagValue(flags, specs.find((spec) => spec.name === name) as FlagSpec);
  const duration = (name: string) => parseDuration(get(name) as string, name);
  checkTimings(duration);
  if (!['1', 't', 'true'].includes((get('leader-election') ?? 'false').toLowerCase())) return undefined;
  return {
    identity: `${hostname()}/${process.pid}`,
    key: leaderElectionKey(get('leader-election-key') as string, clusterCount),
    ttlMs: duration('leader-election-ttl'),
    renewMs: duration('leader-election-renew'),
    lockDelayMs: duration('leader-election-lock-delay'),
  };
}

/**
 * The session TTL must lie where Consul accepts it, or every session create fails ("Invalid
 * Session TTL") and the controller never leads: between the servers' `session_ttl_min` (10 s
 * unless lowered there; -consul-session-ttl-min) and 24 h (see CONSUL_SESSION_TTL_MAX_MS for the
 * Consul source). The renew period must be below the TTL, or the session lapses between renews.
 */
function checkTimings(duration: (name: string) => number): void {
  const ttlMin = duration('consul-session-ttl-min');
  if (ttlMin <= 0 || ttlMin > CONSUL_SESSION_TTL_MAX_MS) {
    throw new UsageError('flag -consul-session-ttl-min must be above 0 and at most 24h');
  }
  const ttl = duration('leader-election-ttl');
  if (ttl < ttlMin || ttl > CONSUL_SESSION_TTL_MAX_MS) {
    throw new UsageError(
      `flag -leader-election-ttl must be between ${formatSeconds(ttlMin)} and 24h, Consul's session TTL range ` +
        `(its session_ttl_min, set by -consul-session-ttl-min, to 24h); got ${formatSeconds(ttl)}`,
    );
  }
  const renew = duration('leader-election-renew');
  if (renew <= 0) throw new UsageError('flag -leader-election-renew must be above 0');
  if (renew >= ttl) {
    throw new UsageError('flag -leader-election-renew must be shorter than -leader-election-ttl');
  }
}

function formatSeconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** The key pattern (`<cluster>` is replaced per cluster), given or the command's default. */
function leaderElectionKey(key: string, clusterCount: number): string {
  if (clusterCount > 1 && !key.includes('<cluster>')) {
    throw new UsageError('flag -leader-election-key must contain <cluster> when several clusters are served');
  }
  return key;
}
