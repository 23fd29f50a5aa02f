/**
 * Enterprise scope: the partition and namespace an object lives in.
 *
 * Invariants:
 * - In OSS mode every object is in default/default and no request may name a partition or namespace
 *   (query parameter, header or body field): Consul CE answers 400 with the messages below.
 * - In enterprise mode an empty partition or namespace means "default".
 */
import { type IncomingHttpHeaders } from 'node:http';

import { badRequest } from './errors.js';

export interface Scope {
  readonly partition: string;
  readonly namespace: string;
}

export const DEFAULT_SCOPE: Scope = { partition: 'default', namespace: 'default' };

export function scopeKey(scope: Scope): string {
  return `${scope.partition}/${scope.namespace}`;
}

export function sameScope(a: Scope, b: Scope): boolean {
  return a.partition === b.partition && a.namespace === b.namespace;
}

/** Reads the scope a request names in its query string and headers. */
export function scopeFromRequest(
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  enterprise: boolean,
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
  return {
    partition: queryAp || headerAp || 'default',
    namespace: queryNs || headerNs || 'default',
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
