/**
 * resolveService: everything the controllers derive from a service key and the config, computed
 * in one place so that every reconciler names, scopes and logs a service the same way.
 *
 * Invariants:
 * - `ref` is `parseServiceKey(key)`; `scope` is `{}` without a partition in the key, else the
 *   key's partition and namespace (the ACL scope every write for the service uses).
 * - `secretName` is `secretNameFor(config, ref)`; `owner` is `<cluster>/<key>`, the claim on it.
 * - `context` is `{service, cluster}`, plus `partition` and `namespace` ("default" when unset) for
 *   a partitioned key; `nameContext` is always only `{service, cluster}`. Neither ever holds a
 *   SecretID.
 * - Pure: no I/O, no clock; the same key and config always give an equal result.
 */
import { type AclScope } from '../../src/consul/acl-types.js';
import { type AclControllerConfig, secretNameFor } from './acl-config.js';
import { parseServiceKey, type ServiceRef } from './service-ref.js';

export interface ResolvedService {
  readonly key: string;
  readonly ref: ServiceRef;
  readonly scope: AclScope;
  readonly secretName: string;
  /** Who claims `secretName` (SecretNames): `<cluster>/<key>`. */
  readonly owner: string;
  /** Log fields: service and cluster, with partition and namespace when partitioned. */
  readonly context: Readonly<Record<string, string>>;
  /** Log fields without partition or namespace, for messages that have always logged just these. */
  readonly nameContext: Readonly<Record<string, string>>;
}

export function resolveService(key: string, config: AclControllerConfig): ResolvedService {
  const ref = parseServiceKey(key);
  const nameContext = { service: ref.name, cluster: config.cluster };
  const partitioned = ref.partition !== undefined;
  return {
    key,
    ref,
    scope: partitioned ? { partition: ref.partition, namespace: ref.namespace } : {},
    secretName: secretNameFor(config, ref),
    owner: `${config.cluster}/${key}`,
    context: partitioned
      ? { ...nameContext, partition: ref.partition, namespace: ref.namespace ?? 'default' }
      : nameContext,
    nameContext,
  };
}
