/**
 * The Consul objects consul-ecs v0.7+ keeps so that mesh tasks can log in with the IAM auth method
 * (names, descriptions and shapes as consul-ecs v0.10.0 makes them; see
 * consul-ecs-v010-controller-facts.md §2.1). Pure.
 */
import { type AuthMethod, type BindingRule } from '../../src/consul/auth-api.js';

export const AUTH_METHOD_NAME = 'iam-ecs-service-token';
export const ANONYMOUS_TOKEN_ID = '00000000-0000-0000-0000-000000000002';
export const ANONYMOUS_POLICY = 'anonymous-token-policy';
export const SYNTHETIC_NODE_META = 'synthetic-node';
const TAG = 'consul.hashicorp.com';
const GATEWAY_KIND_TAG = `${TAG}.gateway-kind`;

/** The IAM entity tags the auth method exposes to binding rules (dotted: rules cannot hold `/`). */
export const IAM_ENTITY_TAGS = [GATEWAY_KIND_TAG, `${TAG}.namespace`, `${TAG}.service-name`];

export interface GatewayRole {
  readonly role: string;
  readonly roleDescription: string;
  readonly kind: 'api-gateway' | 'mesh-gateway' | 'terminating-gateway';
  /** The policy the role links; the terminating gateway's role has none (users attach theirs). */
  readonly policy?: { readonly name: string; readonly description: string; readonly rules: string };
}

/** HCL blocks joined by newlines, each line of `body` indented under `header`. */
function block(header: string, body: readonly string[]): string[] {
  return [`${header} {`, ...body.map((line) => `  ${line}`), '}'];
}

const readNodesAndServices = [
  ...block('node_prefix ""', ['policy = "read"']),
  ...block('service_prefix ""', ['policy = "read"']),
];

export function gatewayRoles(partitionsEnabled: boolean, partition: string): GatewayRole[] {
  const apiRules = [
    'mesh = "read"',
    ...(partitionsEnabled ? block('namespace_prefix ""', readNodesAndServices) : readNodesAndServices),
  ];
  const meshRules = [
    'mesh = "write"',
    'peering = "read"',
    ...(partitionsEnabled && partition === 'default'
      ? block('partition_prefix ""', ['peering = "read"'])
      : []),
  ];
  return [
    {
      role: 'consul-ecs-api-gateway-role',
      roleDescription: 'API Gateway Role for ECS',
      kind: 'api-gateway',
      policy: {
        name: 'consul-ecs-api-gateway-policy',
        description: 'API Gateway token Policy',
        rules: apiRules.join('\n'),
      },
    },
    {
      role: 'consul-ecs-mesh-gateway-role',
      roleDescription: 'Mesh Gateway Role for ECS',
      kind: 'mesh-gateway',
      policy: {
        name: 'consul-ecs-mesh-gateway-policy',
        description: 'Mesh Gateway token Policy',
        rules: meshRules.join('\n'),
      },
    },
    {
      role: 'consul-ecs-terminating-gateway-role',
      roleDescription: 'Terminating Gateway Role for ECS',
      kind: 'terminating-gateway',
    },
  ];
}

/** `arn:aws:iam::<account>:role/<path>*`: the IAM roles trusted to log in. */
export function boundPrincipalArn(account: string, iamRolePath: string): string {
  const path = iamRolePath.replace(/^\/+|\/+$/g, '');
  return `arn:aws:iam::${account}:role/${path ? `${path}/` : ''}*`;
}

export function desiredAuthMethod(boundArn: string, partitionsEnabled: boolean): AuthMethod {
  return {
    Name: AUTH_METHOD_NAME,
    Type: 'aws-iam',
    Description: 'AWS IAM auth method for ECS service tokens',
    Config: {
      BoundIAMPrincipalARNs: [boundArn],
      EnableIAMEntityDetails: true,
      IAMEntityTags: IAM_ENTITY_TAGS,
    },
    ...(partitionsEnabled
      ? {
          NamespaceRules: [
            {
              Selector: `entity_tags["${TAG}.namespace"] != ""`,
              BindNamespace: `\${entity_tags.${TAG}.namespace}`,
            },
          ],
        }
      : {}),
  };
}

export function desiredBindingRules(partitionsEnabled: boolean, partition: string): BindingRule[] {
  const roleRule = ({ role, kind }: GatewayRole, what: string): BindingRule => ({
    Description: `Bind a Consul role from IAM role tag for ECS based ${what}`,
    AuthMethod: AUTH_METHOD_NAME,
    Selector: `entity_tags["${GATEWAY_KIND_TAG}"] == "${kind}"`,
    BindType: 'role',
    BindName: role,
  });
  const [api, mesh, terminating] = gatewayRoles(partitionsEnabled, partition) as [
    GatewayRole,
    GatewayRole,
    GatewayRole,
  ];
  return [
    {
      Description: 'Bind a service identity from IAM role tag for ECS',
      AuthMethod: AUTH_METHOD_NAME,
      Selector: '',
      BindType: 'service',
      BindName: `\${entity_tags.${TAG}.service-name}`,
    },
    roleRule(api, 'API gateways'),
    roleRule(terminating, 'Terminating gateways'),
    roleRule(mesh, 'mesh gateways'),
  ];
}

export function anonymousPolicyRules(partitionsEnabled: boolean): string {
  const rules = partitionsEnabled
    ? block('partition_prefix ""', block('namespace_prefix ""', readNodesAndServices))
    : readNodesAndServices;
  return rules.join('\n');
}
