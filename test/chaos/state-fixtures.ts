/**
 * Envtest state for the chaos unit tests, built directly (no servers): an empty Secrets Manager
 * store on a manual clock, and an ACL context over a Consul state.
 */
import { randomUUID } from 'node:crypto';

import { type AclContext } from '../../envtest/consul/acl/context.js';
import { type ConsulState } from '../../envtest/consul/state.js';
import { SecretStore } from '../../envtest/secretsmanager/store.js';
import { type Clock } from '../../src/time/clock.js';
import { ManualClock } from '../../src/time/manual-clock.js';

export function emptySecretStore(clock: Clock = new ManualClock()): SecretStore {
  return new SecretStore({
    clock,
    random: Math.random,
    region: 'us-east-1',
    accountId: '123456789012',
  });
}

export function aclContext(state: ConsulState): AclContext {
  return { state, now: 0, newId: randomUUID, enterprise: false, version: '1.15' };
}
