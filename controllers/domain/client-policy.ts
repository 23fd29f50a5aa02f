/**
 * The client policy: the Consul ACL policy every client agent's shared token links, as consul-ecs
 * v0.4 names and writes it.
 *
 * Invariants: the name is `<prefix>-consul-client-policy`; the rules grant `node_prefix "" write`
 * and `service_prefix "" read` (inside the served partition, and every namespace, when partitions
 * are enabled), nothing else.
 */
export const CLIENT_POLICY_DESCRIPTION = 'Consul Client Token Policy for ECS';

export function clientPolicyName(prefix: string): string {
  return `${prefix}-consul-client-policy`;
}

export function clientPolicyRules(partition: string | undefined): string {
  if (partition === undefined) {
    return 'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n';
  }
  return (
    `partition "${partition}" {\n  node_prefix "" {\n    policy = "write"\n  }\n` +
    '  namespace_prefix "" {\n    service_prefix "" {\n      policy = "read"\n    }\n  }\n}\n'
  );
}
