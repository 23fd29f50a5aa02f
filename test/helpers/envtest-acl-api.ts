// An AclApi on an envtest Consul server with its management token: real HTTP, no retries.
import { asyncScheduler } from 'rxjs';

import { type ConsulServer } from '../../envtest/consul/server.js';
import { AclApi } from '../../src/consul/acl-api.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { NO_API_OBSERVER } from '../../src/metrics/api-metrics.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';

export function envtestAclApi(consul: ConsulServer): AclApi {
  return new AclApi(envtestConsulTransport(consul));
}

/** A ConsulTransport to an envtest Consul server with its management token, no retries. */
export function envtestConsulTransport(consul: ConsulServer): ConsulTransport {
  return new ConsulTransport(
    {
      address: new URL(consul.url),
      token: consul.managementToken,
      verifyTls: true,
      timeoutMs: 5_000,
      maxRetries: 0,
    },
    new SchedulerClock(asyncScheduler),
    NO_API_OBSERVER,
    () => 0,
  );
}
