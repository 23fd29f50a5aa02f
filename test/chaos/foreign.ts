/**
 * Foreign objects: Consul tokens and a secret that are not ours, seeded before the controllers
 * start, which no controller may ever write to.
 *
 * Invariants:
 * - Seeded tokens: one of cluster `other` in exactly our format, one without a cluster line, one
 *   with an arbitrary description, and for each served cluster `c` one of `c-2` in our format
 *   (which a substring match of `c` would claim) and one in `c`'s format with an extra line; all
 *   carry a service identity of a service our ops use, so a controller that claimed them would
 *   find them. (The served clusters' own tokens are each other's look-alikes too: `chaos-b`
 *   contains `chaos`; the cross-cluster checks of ./invariants.ts watch those.)
 * - Seeded secrets: `other-<service>` (another prefix) holding a foreign token's IDs.
 * - The baseline records each object as it stood after seeding, read from the servers' state, and
 *   how many calls each call log held then, so later checks look only at calls made after it.
 */
import { randomUUID } from 'node:crypto';

import { type AclToken } from '../../envtest/consul/acl/model.js';
import { type ConsulState } from '../../envtest/consul/state.js';
import { AWSCURRENT } from '../../envtest/secretsmanager/model.js';
import { type SecretStore } from '../../envtest/secretsmanager/store.js';

export interface ForeignToken {
  readonly accessorId: string;
  readonly secretId: string;
  readonly description: string;
  readonly hash: string;
  readonly modifyIndex: number;
}

export interface ForeignSecret {
  readonly name: string;
  readonly arn: string;
  readonly value: string | undefined;
}

export interface ForeignBaseline {
  readonly tokens: readonly ForeignToken[];
  readonly secrets: readonly ForeignSecret[];
  /** Calls in the Consul and Secrets Manager call logs when seeding ended. */
  readonly consulCallsBefore: number;
  readonly smCallsBefore: number;
}

/** What seedForeign needs of a world (ChaosWorld has it). */
export interface ForeignSeedTarget {
  readonly clusters: ReadonlyArray<{ readonly name: string }>;
  readonly services: readonly string[];
  readonly consul: { readonly state: ConsulState; readonly calls: { count(): number } };
  readonly smServer: { readonly state: SecretStore; readonly calls: { count(): number } };
  consulCall(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }>;
  createSecret(name: string, value: string): Promise<string>;
}

export function foreignDescriptions(clusters: string | readonly string[], service: string): string[] {
  const served = typeof clusters === 'string' ? [clusters] : clusters;
  return [
    `Token for ${service} service\nconsul.hashicorp.com/cluster: other`,
    ...served.flatMap((cluster) => [
      `Token for ${service} service\nconsul.hashicorp.com/cluster: ${cluster}-2`,
      `Token for ${service} service\nconsul.hashicorp.com/cluster: ${cluster}\nmanaged-by: terraform`,
    ]),
    `Token for ${service} service`,
    'break-glass token of the platform team',
  ];
}

export async function seedForeign(target: ForeignSeedTarget): Promise<ForeignBaseline> {
  const accessors: string[] = [];
  const descriptions = foreignDescriptions(
    target.clusters.map((c) => c.name),
    target.services[0],
  );
  for (const [i, description] of descriptions.entries()) {
    const service = target.services[i % target.services.length];
    const accessorId = randomUUID();
    const { status, text } = await target.consulCall('PUT', '/v1/acl/token', {
      AccessorID: accessorId,
      SecretID: randomUUID(),
      Description: description.replace(target.services[0], service),
      ServiceIdentities: [{ ServiceName: service }],
    });
    if (status !== 200) throw new Error(`seeding a foreign token: HTTP ${status}: ${text}`);
    accessors.push(accessorId);
  }
  const first = target.consul.state.tokens.get(accessors[0]) as AclToken;
  const name = `other-${target.services[0]}`;
  await target.createSecret(name, JSON.stringify({ accessor_id: first.accessorId, token: first.secretId }));
  return {
    tokens: accessors.map((id) => tokenBaseline(target.consul.state.tokens.get(id) as AclToken)),
    secrets: [secretBaseline(target.smServer.state, name) as ForeignSecret],
    consulCallsBefore: target.consul.calls.count(),
    smCallsBefore: target.smServer.calls.count(),
  };
}

export function tokenBaseline(token: AclToken): ForeignToken {
  const { accessorId, secretId, description, hash, modifyIndex } = token;
  return { accessorId, secretId, description, hash, modifyIndex };
}

export function secretBaseline(store: SecretStore, name: string): ForeignSecret | undefined {
  const secret = store.find(name);
  if (!secret || secret.deletedAt !== undefined) return undefined;
  return { name, arn: secret.arn, value: store.versionWithStage(secret, AWSCURRENT)?.secretString };
}
