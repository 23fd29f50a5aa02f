/**
 * ServiceRef: a Consul service as the controllers key it.
 *
 * Invariants:
 * - Without partitions the key is the service name; with partitions it is
 *   `<partition>/<namespace>/<name>`. `parseServiceKey(serviceKey(ref))` gives `ref` back.
 * - Names are checked against Consul's service-identity rule: lowercase letters, digits and
 *   dashes, starting and ending with a letter or digit, at most 256 characters.
 */
export interface ServiceRef {
  readonly name: string;
  readonly partition?: string;
  readonly namespace?: string;
}

const SERVICE_IDENTITY_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function isValidServiceIdentityName(name: string): boolean {
  return name.length <= 256 && SERVICE_IDENTITY_NAME.test(name);
}

export function serviceKey(ref: ServiceRef): string {
  return ref.partition === undefined
    ? ref.name
    : `${ref.partition}/${ref.namespace ?? 'default'}/${ref.name}`;
}

export function parseServiceKey(key: string): ServiceRef {
  const parts = key.split('/');
  if (parts.length === 3) return { partition: parts[0], namespace: parts[1], name: parts[2] };
  return { name: key };
}

/** True unless `service` names a partition other than the served one (if any). */
export function inServedPartition(service: ServiceRef, partition: string | undefined): boolean {
  return partition === undefined || service.partition === undefined || service.partition === partition;
}
