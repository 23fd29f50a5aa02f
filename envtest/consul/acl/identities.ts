/**
 * Service and node identities on tokens and roles, validated as Consul validates them.
 *
 * Invariants:
 * - Names match Consul's `^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$` (lowercase alphanumerics, dashes, underscores).
 * - Duplicate service identities merge their datacenters; duplicate node identities collapse to one.
 */
import { rpcError } from '../errors.js';
import { type Decoded } from '../json-body.js';
import { type NodeIdentity, type ServiceIdentity } from './model.js';

const IDENTITY_NAME = /^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$/;

export function isValidServiceIdentityName(name: string): boolean {
  return name.length <= 256 && IDENTITY_NAME.test(name);
}

export function validateServiceIdentities(raw: unknown, owner: 'token' | 'role'): ServiceIdentity[] {
  const byName = new Map<string, ServiceIdentity>();
  for (const item of (raw as Decoded[] | undefined) ?? []) {
    const name = typeof item['ServiceName'] === 'string' ? item['ServiceName'] : '';
    if (name === '') throw rpcError(`Service identity is missing the service name field on this ${owner}`);
    if (!isValidServiceIdentityName(name)) {
      throw rpcError(
        `Service identity "${name}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`,
      );
    }
    const datacenters = (item['Datacenters'] as string[] | undefined) ?? [];
    const previous = byName.get(name);
    const merged = [...new Set([...(previous?.Datacenters ?? []), ...datacenters])];
    byName.set(name, merged.length > 0 ? { ServiceName: name, Datacenters: merged } : { ServiceName: name });
  }
  return [...byName.values()];
}

export function validateNodeIdentities(raw: unknown, owner: 'token' | 'role'): NodeIdentity[] {
  const seen = new Map<string, NodeIdentity>();
  for (const item of (raw as Decoded[] | undefined) ?? []) {
    const name = typeof item['NodeName'] === 'string' ? item['NodeName'] : '';
    const datacenter = typeof item['Datacenter'] === 'string' ? item['Datacenter'] : '';
    if (name === '') throw rpcError(`Node identity is missing the node name field on this ${owner}`);
    if (!IDENTITY_NAME.test(name)) {
      throw rpcError(
        "Node identity has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed",
      );
    }
    if (datacenter === '') throw rpcError(`Node identity is missing the datacenter field on this ${owner}`);
    seen.set(`${name}\u0000${datacenter}`, { NodeName: name, Datacenter: datacenter });
  }
  return [...seen.values()];
}
