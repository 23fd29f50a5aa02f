/**
 * CatalogApi: the Consul catalog endpoints a controller uses to keep one node's services: read a
 * node and its services (blocking), and deregister one service.
 *
 * Invariants:
 * - A node's services are read with `GET /v1/catalog/node/<node>` (Consul answers `null` for a
 *   node that does not exist: that reads as no services); the node name is path-escaped, so an ARN
 *   (with `:` and `/`) is one path segment.
 * - Every answer is checked before use: a service without a string ID or name, or with non-string
 *   meta values, rejects with a ConsulError ("unexpected response: …"), so a garbled answer never
 *   reads as "no services" (and nothing is deregistered on its strength).
 * - Partition and namespace go out only when set, as in AclApi (an OSS server never sees them).
 */
import { ConsulError } from './consul-error.js';
import { type ConsulTransport } from './consul-transport.js';
import { type AclScope, type Indexed } from './acl-types.js';
import { type BlockingOptions, blockingRead } from './checked-requests.js';

export interface CatalogService {
  readonly ID: string;
  readonly Service: string;
  readonly Meta: Readonly<Record<string, string>>;
  readonly Namespace?: string;
  readonly Partition?: string;
  readonly ModifyIndex?: number;
}

export interface CatalogNode {
  readonly meta: Readonly<Record<string, string>>;
  readonly services: readonly CatalogService[];
}

export class CatalogApi {
  constructor(private readonly transport: ConsulTransport) {}

  /** The services registered on `node` (none when the node does not exist). */
  async nodeServices(
    node: string,
    scope: AclScope = {},
    blocking: BlockingOptions = {},
  ): Promise<Indexed<CatalogService>> {
    const { value, index } = await this.readNode(node, scope, blocking);
    return { items: value?.services ?? [], index };
  }

  /** `node`'s meta and services, or undefined when the node does not exist. */
  async node(node: string, scope: AclScope = {}, signal?: AbortSignal): Promise<CatalogNode | undefined> {
    return (await this.readNode(node, scope, { signal })).value;
  }

  /** `node` (undefined when missing) with the catalog's index, blocking when `blocking.index` is set. */
  async watchNode(
    node: string,
    scope: AclScope = {},
    blocking: BlockingOptions = {},
  ): Promise<{ value: CatalogNode | undefined; index: string }> {
    return this.readNode(node, scope, blocking);
  }

  /** Registers `node` (no service) with `address` and `meta`, replacing both if it exists. */
  async registerNode(
    node: string,
    address: string,
    meta: Readonly<Record<string, string>>,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<void> {
    await this.transport.json<unknown>({
      operation: 'catalog.register',
      method: 'PUT',
      path: '/v1/catalog/register',
      body: {
        Node: node,
        Address: address,
        NodeMeta: meta,
        ...(scope.partition ? { Partition: scope.partition } : {}),
      },
      signal,
    });
  }

  /** The names of the nodes whose meta has `key` = `value` (filtered here: any server version). */
  async nodeNamesWithMeta(
    key: string,
    value: string,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<string[]> {
    const operation = 'catalog.nodes';
    const { value: nodes } = await this.transport.json<unknown>({
      operation,
      method: 'GET',
      path: '/v1/catalog/nodes',
      ...blockingRead(scope, { signal }),
    });
    if (!Array.isArray(nodes))
      throw new ConsulError(operation, 200, 'unexpected response: the node list is not an array');
    return nodes.flatMap((node: unknown) => {
      const { Node, Meta } = (node ?? {}) as Record<string, unknown>;
      return typeof Node === 'string' &&
        isStringMap(Meta ?? {}) &&
        (Meta as Record<string, string>)[key] === value
        ? [Node]
        : [];
    });
  }

  /** Deregisters `node` and every service on it; deregistering a missing node succeeds. */
  async deregisterNode(node: string, scope: AclScope = {}, signal?: AbortSignal): Promise<void> {
    await this.transport.json<unknown>({
      operation: 'catalog.deregister',
      method: 'PUT',
      path: '/v1/catalog/deregister',
      body: { Node: node, ...(scope.partition ? { Partition: scope.partition } : {}) },
      signal,
    });
  }

  private async readNode(
    node: string,
    scope: AclScope,
    blocking: BlockingOptions,
  ): Promise<{ value: CatalogNode | undefined; index: string }> {
    const operation = 'catalog.node';
    const { value, index } = await this.transport.json<unknown>({
      operation,
      method: 'GET',
      path: `/v1/catalog/node/${encodeURIComponent(node)}`,
      ...blockingRead(scope, blocking),
    });
    return { value: nodeOf(operation, value), index: index ?? '0' };
  }

  /** Deregisters one service of `node`; deregistering a missing service succeeds. */
  async deregister(
    node: string,
    serviceId: string,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<void> {
    await this.transport.json<unknown>({
      operation: 'catalog.deregister',
      method: 'PUT',
      path: '/v1/catalog/deregister',
      body: {
        Node: node,
        ServiceID: serviceId,
        ...(scope.partition ? { Partition: scope.partition } : {}),
        ...(scope.namespace ? { Namespace: scope.namespace } : {}),
      },
      signal,
    });
  }
}

function nodeOf(operation: string, value: unknown): CatalogNode | undefined {
  const invalid = (problem: string) => new ConsulError(operation, 200, `unexpected response: ${problem}`);
  if (value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('not a node');
  const { Node, Services } = value as Record<string, unknown>;
  const meta = (Node as Record<string, unknown> | null | undefined)?.Meta ?? {};
  if (!isStringMap(meta)) throw invalid('the node has malformed Meta');
  return { meta, services: servicesOf(invalid, Services) };
}

function servicesOf(invalid: (problem: string) => ConsulError, services: unknown): CatalogService[] {
  if (services === null || services === undefined) return [];
  if (typeof services !== 'object' || Array.isArray(services)) throw invalid('Services is not an object');
  const list: CatalogService[] = [];
  for (const service of Object.values(services as Record<string, unknown>)) {
    if (service === null || typeof service !== 'object') throw invalid('a service is not an object');
    const { ID, Service, Meta, Namespace, Partition, ModifyIndex } = service as Record<string, unknown>;
    if (typeof ID !== 'string' || ID === '' || typeof Service !== 'string')
      throw invalid('a service has no ID or name');
    const meta = Meta ?? {};
    if (!isStringMap(meta)) throw invalid(`service ${ID} has malformed Meta`);
    list.push({
      ID,
      Service,
      Meta: meta,
      ...(typeof Namespace === 'string' ? { Namespace } : {}),
      ...(typeof Partition === 'string' ? { Partition } : {}),
      ...(typeof ModifyIndex === 'number' ? { ModifyIndex } : {}),
    });
  }
  return list;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}
