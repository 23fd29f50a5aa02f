/**
 * Enterprise scope: the partition and namespace an object lives in.
 *
 * Invariants:
 * - In OSS mode every object is in default/default and no request may name a partition or namespace
 *   (query parameter, header or body field): Consul CE answers 400 with the messages below.
 * - In enterprise mode a partition or namespace the request does not name is the request token's
 *   (Consul's docs, "Methods to Specify Namespace": query parameter, then header, then "inherited
 *   from the namespace of the request's ACL token", then `default`); the initial management and
 *   anonymous tokens live in default/default.
 * - `ns=*` (ALL_NAMESPACES) is Consul Enterprise's namespace wildcard: list endpoints answer with
 *   the objects of every namespace of the one partition (see `listedIn`). It never spans
 *   partitions. Consul CE rejects it like any other `ns` value.
 */
import { type IncomingHttpHeaders } from 'node:http';

import { badRequest } from './errors.js';

export interface Scope {
  readonly partition: string;
  readonly namespace: string;
}

export const DEFAULT_SCOPE: Scope = { partition: 'default', namespace: 'default' };

/**
 * The namespace wildcard of list endpoints. Consul's API docs for `GET /v1/acl/tokens`,
 * `/v1/acl/policies` and `/v1/acl/roles` (website/content/api-docs/acl/tokens.mdx, policies.mdx,
 * roles.mdx): "The namespace may be specified as '*' to return results for all namespaces"; the
 * partition stays the one the request names or inherits (agent/consul/acl_endpoint.go
 * `TokenList`: "merge the token default meta into the requests meta").
 */
export const ALL_NAMESPACES = '*';

export function scopeKey(scope: Scope): string {
  return `${scope.partition}/${scope.namespace}`;
}

export function sameScope(a: Scope, b: Scope): boolean {
  return a.partition === b.partition && a.namespace === b.namespace;
}

/** Whether a list for `requested` (which may name every namespace) includes an object in `object`. */
export function listedIn(object: Scope, requested: Scope): boolean {
  return (
    object.partition === requested.partition &&
    (requested.namespace === ALL_NAMESPACES || object.namespace === requested.namespace)
  );
}

/**
 * Reads the scope a request names in its query string and headers; `inherited` gives the request
 * token's scope, for what the request does not name (enterprise only; called at most once).
 */
export function scopeFromRequest(
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  enterprise: boolean,
  inherited: () => Scope = () => DEFAULT_SCOPE,
): Scope {
  const headerNs = headerValue(headers, 'x-consul-namespace');
  const headerAp = headerValue(headers, 'x-consul-partition');
  const queryNs = query.get('ns') ?? '';
  const queryAp = query.get('partition') ?? '';
  if (!enterprise) {
    if (headerNs)
      throw badRequest('Invalid header: "X-Consul-Namespace" - Namespaces are a Consul Enterprise feature');
    if (queryNs)
      throw badRequest('Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature');
    if (headerAp)
      throw badRequest('Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature');
    if (queryAp)
      throw badRequest('Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature');
    return DEFAULT_SCOPE;
  }
  const partition = queryAp || headerAp;
  const namespace = queryNs || headerNs;
  if (partition && namespace) return { partition, namespace };
  const token = inherited();
  // The token's namespace belongs to its own partition: another named partition gets `default`.
  const sameAsToken = !partition || partition === token.partition;
  return {
    partition: partition || token.partition,
    namespace: namespace || (sameAsToken ? token.namespace : DEFAULT_SCOPE.namespace),
  };
}

/** Applies the body's Namespace/Partition fields (enterprise only) over the request's scope. */
export function scopeWithBody(scope: Scope, body: { Namespace?: unknown; Partition?: unknown }): Scope {
  const namespace =
    typeof body.Namespace === 'string' && body.Namespace !== '' ? body.Namespace : scope.namespace;
  const partition =
    typeof body.Partition === 'string' && body.Partition !== '' ? body.Partition : scope.partition;
  return { partition, namespace };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
