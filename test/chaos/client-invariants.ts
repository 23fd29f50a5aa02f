/**
 * The client token's invariants, as the chaos run states them (not taken from the controller's
 * code, so a controller that changed what it wants would be caught too).
 *
 * Invariants:
 * - `clientTokenProblem`: the client secret names (AccessorID and SecretID) an existing token
 *   whose description is exactly the cluster's client token description; otherwise it says why.
 * - `clientDriftProblems` (once converged): that token links exactly one policy, the client policy
 *   `<prefix>-consul-client-policy`, and no role, service identity or node identity; the policy
 *   exists and its rules equal CLIENT_POLICY_RULES up to whitespace outside quoted strings.
 * - Messages name AccessorIDs, policy and role names, never a SecretID.
 */
import { DEFAULT_SCOPE, sameScope } from '../../envtest/consul/scope.js';
import { type ConsulState } from '../../envtest/consul/state.js';
import { clientTokenDescription, parseOwnedDescription } from '../../controllers/domain/token-description.js';
import { type SecretIds } from './invariants.js';

/** The client policy's rules (README: `node_prefix "" write`, `service_prefix "" read`). */
export const CLIENT_POLICY_RULES =
  'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n';

export function clientPolicyName(prefix: string): string {
  return `${prefix}-consul-client-policy`;
}

/** Rules with every run of whitespace outside double-quoted strings removed. */
export function normalizeRules(rules: string): string {
  return rules.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_match, quoted: string | undefined) => quoted ?? '');
}

/** Why `client` (the client secret's IDs) does not name `cluster`'s client token; undefined if it does. */
export function clientTokenProblem(
  consul: ConsulState,
  cluster: string,
  client: SecretIds | undefined,
): string | undefined {
  if (client === undefined) return 'the client secret does not exist';
  if (typeof client.accessorId !== 'string' || typeof client.token !== 'string') {
    return 'the client secret holds no IDs';
  }
  const token = consul.tokens.get(client.accessorId);
  if (token === undefined) return `it names token ${client.accessorId}, which does not exist`;
  if (token.secretId !== client.token) return `it names token ${token.accessorId} with another SecretID`;
  if (token.description !== clientTokenDescription(cluster)) {
    const owned = parseOwnedDescription(token.description, cluster);
    const what =
      owned?.kind === 'token' ? `a token of ${cluster} (${owned.service.name})` : 'not one of its tokens';
    return `it names token ${token.accessorId}, which is not the client token: ${what}`;
  }
  return undefined;
}

/** How `cluster`'s client token or policy differ from the desired ones (empty when they do not). */
export function clientDriftProblems(
  consul: ConsulState,
  cluster: string,
  prefix: string,
  client: SecretIds | undefined,
): string[] {
  const problems: string[] = [];
  const name = clientPolicyName(prefix);
  const token = typeof client?.accessorId === 'string' ? consul.tokens.get(client.accessorId) : undefined;
  if (token !== undefined && token.description === clientTokenDescription(cluster)) {
    const what = `client token ${token.accessorId}`;
    const policies = token.policyIds.map((id) => consul.policies.get(id)?.name ?? `(missing policy ${id})`);
    if (policies.length !== 1 || policies[0] !== name) {
      problems.push(`${what} has policies [${policies.join(', ')}], not exactly ${name}`);
    }
    if (token.roleIds.length > 0) {
      const roles = token.roleIds.map((id) => consul.roles.get(id)?.name ?? id);
      problems.push(`${what} has roles [${roles.join(', ')}]`);
    }
    if (token.serviceIdentities.length > 0) {
      const names = token.serviceIdentities.map((identity) => identity.ServiceName);
      problems.push(`${what} has service identities [${names.join(', ')}]`);
    }
    if (token.nodeIdentities.length > 0) problems.push(`${what} has node identities`);
  }
  const policy = [...consul.policies.values()].find(
    (p) => p.name === name && sameScope(p.scope, DEFAULT_SCOPE),
  );
  if (policy === undefined) problems.push(`client policy ${name} does not exist`);
  else if (normalizeRules(policy.rules) !== normalizeRules(CLIENT_POLICY_RULES)) {
    problems.push(`client policy ${name} has other rules: ${JSON.stringify(policy.rules.slice(0, 80))}`);
  }
  return problems;
}
