/**
 * The cross-namespace read policy consul-ecs v0.4 keeps in the served partition's default
 * namespace when partitions are on, and links as a policy default of every namespace it creates,
 * so that every token in those namespaces may read services and nodes across the partition's
 * namespaces (service discovery across namespaces). Pure.
 */
export const CROSS_NAMESPACE_POLICY = 'cross-namespace-read';
export const CROSS_NAMESPACE_POLICY_DESCRIPTION =
  'Allow service and node reads across namespaces within the partition';

/** The policy's rules for `partition`. */
export function crossNamespaceRules(partition: string): string {
  return [
    `partition "${partition}" {`,
    '  namespace_prefix "" {',
    '    service_prefix "" {',
    '      policy = "read"',
    '    }',
    '    node_prefix "" {',
    '      policy = "read"',
    '    }',
    '  }',
    '}',
  ].join('\n');
}
