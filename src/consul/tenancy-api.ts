/**
 * TenancyApi: Consul Enterprise's admin partitions and namespaces, as a controller needs them:
 * read one (missing reads as undefined), create one.
 *
 * Invariants:
 * - Names are path-escaped; a 404 (or 403 "ACL not found") read is "missing", any other failure
 *   rejects, so an error never reads as "missing" and never causes a duplicate create.
 * - An answer that is not an object with a string `Name` rejects with a ConsulError
 *   ("unexpected response: …").
 * - A namespace is created with ACL policy defaults given by name; nothing here updates or deletes.
 */
import { readOrUndefined } from './checked-requests.js';
import { type ConsulTransport } from './consul-transport.js';

export interface ConsulPartition {
  readonly Name: string;
}

export interface ConsulNamespace {
  readonly Name: string;
  readonly Partition?: string;
  readonly ACLs?: { readonly PolicyDefaults?: readonly { readonly Name?: string }[] | null } | null;
}

export class TenancyApi {
  constructor(private readonly transport: ConsulTransport) {}

  readPartition(name: string, signal?: AbortSignal): Promise<ConsulPartition | undefined> {
    return this.read<ConsulPartition>(
      'partition.read',
      `/v1/partition/${encodeURIComponent(name)}`,
      {},
      signal,
    );
  }

  async createPartition(name: string, description: string, signal?: AbortSignal): Promise<void> {
    await this.transport.json<unknown>({
      operation: 'partition.create',
      method: 'PUT',
      path: '/v1/partition',
      body: { Name: name, Description: description },
      signal,
    });
  }

  readNamespace(name: string, partition: string, signal?: AbortSignal): Promise<ConsulNamespace | undefined> {
    return this.read<ConsulNamespace>(
      'namespace.read',
      `/v1/namespace/${encodeURIComponent(name)}`,
      { partition },
      signal,
    );
  }

  async createNamespace(
    name: string,
    partition: string,
    policyDefaults: readonly string[],
    signal?: AbortSignal,
  ): Promise<void> {
    await this.transport.json<unknown>({
      operation: 'namespace.create',
      method: 'PUT',
      path: '/v1/namespace',
      query: { partition },
      body: {
        Name: name,
        Partition: partition,
        ACLs: { PolicyDefaults: policyDefaults.map((n) => ({ Name: n })) },
      },
      signal,
    });
  }

  private read<T>(
    operation: string,
    path: string,
    query: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    return readOrUndefined<T>(this.transport, hasName, { operation, method: 'GET', path, query, signal });
  }
}

function hasName(value: unknown): string | undefined {
  return typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { Name?: unknown }).Name === 'string'
    ? undefined
    : 'not an object with a Name';
}
