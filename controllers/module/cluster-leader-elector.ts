/**
 * createClusterLeaderElector: the Consul lock that gates one ECS cluster's controller group, for
 * either era's module. The elector is named after the cluster (the group name and the metrics
 * label); `<cluster>` in the configured key is replaced by it.
 *
 * Invariants: each call builds its own transport and elector (no two clusters share a session);
 * the identity written into the lock is the configured one, never a token.
 */
import { type ResolutionContext } from 'inversify';
import { type Registry } from 'prom-client';

import { type ConsulSettings } from '../../src/consul/consul-settings.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { TYPES } from '../../src/di/types.js';
import { LeaderElector } from '../../src/leaderelection/leader-elector.js';
import { type Logger } from '../../src/log/logger.js';
import { type ApiMetrics } from '../../src/metrics/api-metrics.js';
import { type Clock, type Random } from '../../src/time/clock.js';
import { type LeaderElectionConfig } from '../domain/acl-config.js';

export function createClusterLeaderElector(
  ctx: ResolutionContext,
  cluster: string,
  election: LeaderElectionConfig,
  consul: ConsulSettings,
): LeaderElector {
  const clock = ctx.get<Clock>(TYPES.Clock);
  return new LeaderElector(
    {
      name: cluster,
      identity: election.identity,
      key: election.key?.replaceAll('<cluster>', cluster),
      ttlMs: election.ttlMs,
      renewMs: election.renewMs,
      lockDelayMs: election.lockDelayMs,
    },
    {
      transport: new ConsulTransport(consul, clock, ctx.get<ApiMetrics>(TYPES.ApiMetrics)),
      clock,
      registry: ctx.get<Registry>(TYPES.Registry),
      logger: ctx.get<Logger>(TYPES.Logger).child({ cluster }),
      random: ctx.get<Random>(TYPES.Random),
    },
  );
}
