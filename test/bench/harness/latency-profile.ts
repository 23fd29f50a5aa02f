/**
 * Latency profiles for the bench's envtest servers, so figures are not an artifact of loopback
 * speed: `aws` adds, to every call, a delay drawn uniformly per call from what AWS and a Consul
 * cluster answer in within a region (ECS 10–30 ms, Secrets Manager 20–50 ms, Consul writes
 * 10–30 ms and reads 1–5 ms). `none` (the default) adds nothing.
 *
 * Invariant: a profile only delays answers (envtest's `latency` fault kind, fraction 1); it never
 * fails a call, so call counts stay comparable with a run without it.
 */
import { type FaultInjector } from '../../../envtest/faults.js';

export type LatencyProfile = 'none' | 'aws';

export const LATENCY_PROFILES: readonly LatencyProfile[] = ['none', 'aws'];

const CONSUL_WRITES = [
  'acl.token.create',
  'acl.token.update',
  'acl.token.delete',
  'acl.policy.create',
  'acl.policy.update',
  'acl.policy.delete',
];

export interface LatencyTargets {
  readonly ecs: FaultInjector;
  readonly secretsManager: FaultInjector;
  readonly consul: FaultInjector;
}

export function applyLatencyProfile(profile: LatencyProfile, servers: LatencyTargets): void {
  if (profile === 'none') return;
  const delay = (faults: FaultInjector, operation: string, latencyMs: number, latencyMaxMs: number) =>
    faults.add({ operation, kind: 'latency', fraction: 1, latencyMs, latencyMaxMs });
  delay(servers.ecs, '*', 10, 30);
  delay(servers.secretsManager, '*', 20, 50);
  // The first matching rule wins: writes first, then every other Consul call as a read.
  for (const operation of CONSUL_WRITES) delay(servers.consul, operation, 10, 30);
  delay(servers.consul, '*', 1, 5);
}

/** The profile for the workload text of the report. */
export function latencyProfileText(profile: LatencyProfile): string {
  return profile === 'aws'
    ? 'latency profile aws (ECS 10–30 ms, Secrets Manager 20–50 ms, Consul writes 10–30 ms and reads 1–5 ms per call)'
    : 'no added latency (loopback)';
}
