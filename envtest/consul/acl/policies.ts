/**
 * ACL policies: create, read, update, delete and list, with Consul's validation and errors.
 *
 * Invariants:
 * - Policy names are unique within a partition+namespace and match `^[A-Za-z0-9\-_]{1,128}$`.
 * - Rules always parse (a policy with invalid rules is never stored).
 * - The builtin global-management policy always exists, cannot be deleted, and its rules cannot change.
 */
import { badRequest, rpcError } from '../errors.js';
import { isUuid } from '../ids.js';
import { type Decoded } from '../json-body.js';
import { parseRules } from '../rules-parser.js';
import { DEFAULT_SCOPE, listedIn, sameScope, type Scope } from '../scope.js';
import { type ConsulState } from '../state.js';
import { type AclContext, contentHash, resourceNotFound, scopeFields } from './context.js';
import { insertObject, type ObjectStore, removeObject, replaceObject } from './object-store.js';
import { type AclPolicy, GLOBAL_MANAGEMENT_POLICY_ID, GLOBAL_MANAGEMENT_POLICY_NAME } from './model.js';

const POLICY_NAME = /^[A-Za-z0-9\-_]{1,128}$/;

export const GLOBAL_MANAGEMENT_RULES = `
acl = "write"
agent_prefix "" {
  policy = "write"
}
event_prefix "" {
  policy = "write"
}
key_prefix "" {
  policy = "write"
}
keyring = "write"
node_prefix "" {
  policy = "write"
}
operator = "write"
mesh = "write"
peering = "write"
query_prefix "" {
  policy = "write"
}
service_prefix "" {
  policy = "write"
  intentions = "write"
}
session_prefix "" {
  policy = "write"
}
`;

/** Installs the builtin global-management policy if it is missing (a leader does this on election). */
export function ensureBuiltinPolicy(state: ConsulState): void {
  if (state.policies.has(GLOBAL_MANAGEMENT_POLICY_ID)) return;
  state.write(['acl-policies'], (index) => {
    const content = { name: GLOBAL_MANAGEMENT_POLICY_NAME, rules: GLOBAL_MANAGEMENT_RULES };
    state.policies.set(GLOBAL_MANAGEMENT_POLICY_ID, {
      id: GLOBAL_MANAGEMENT_POLICY_ID,
      name: GLOBAL_MANAGEMENT_POLICY_NAME,
      description: 'Builtin Policy that grants unlimited access',
      rules: GLOBAL_MANAGEMENT_RULES,
      datacenters: [],
      hash: contentHash(content),
      createIndex: index,
      modifyIndex: index,
      scope: DEFAULT_SCOPE,
    });
  });
}

export function renderPolicy(ctx: AclContext, policy: AclPolicy): Record<string, unknown> {
  return {
    ID: policy.id,
    Name: policy.name,
    Description: policy.description,
    Rules: policy.rules,
    ...(policy.datacenters.length > 0 ? { Datacenters: policy.datacenters } : {}),
    Hash: policy.hash,
    CreateIndex: policy.createIndex,
    ModifyIndex: policy.modifyIndex,
    ...scopeFields(ctx, policy.scope),
  };
}

export function renderPolicyStub(ctx: AclContext, policy: AclPolicy): Record<string, unknown> {
  const { Rules: _rules, ...stub } = renderPolicy(ctx, policy);
  return stub;
}

function visibleIn(policy: AclPolicy, scope: Scope): boolean {
  return sameScope(policy.scope, scope);
}

/** Links may name a policy of the token's own namespace or of its partition's default namespace. */
function linkScopes(scope: Scope): Scope[] {
  return scope.namespace === 'default'
    ? [scope]
    : [scope, { partition: scope.partition, namespace: 'default' }];
}

export function findPolicyById(ctx: AclContext, id: string, scope: Scope): AclPolicy | undefined {
  const policy = ctx.state.policies.get(id);
  return policy && visibleIn(policy, scope) ? policy : undefined;
}

export function findPolicyByName(ctx: AclContext, name: string, scope: Scope): AclPolicy | undefined {
  for (const policy of ctx.state.policies.values()) {
    if (policy.name === name && visibleIn(policy, scope)) return policy;
  }
  return undefined;
}

export function readPolicy(ctx: AclContext, id: string, scope: Scope): AclPolicy {
  const policy = findPolicyById(ctx, id, scope);
  if (!policy) throw resourceNotFound(ctx, 'policy');
  return policy;
}

export function readPolicyByName(ctx: AclContext, name: string, scope: Scope): AclPolicy {
  const policy = findPolicyByName(ctx, name, scope);
  if (!policy) throw resourceNotFound(ctx, 'policy');
  return policy;
}

/** The policies of `scope`; with `ns=*`, of every namespace of its partition. */
export function listPolicies(ctx: AclContext, scope: Scope): AclPolicy[] {
  return [...ctx.state.policies.values()]
    .filter((policy) => listedIn(policy.scope, scope))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Resolves `[{ID}|{Name}]` links to policy IDs, as token and role writes do. */
export function resolvePolicyLinks(ctx: AclContext, links: unknown, scope: Scope): string[] {
  const ids: string[] = [];
  for (const link of (links as Decoded[] | undefined) ?? []) {
    const id = typeof link['ID'] === 'string' ? link['ID'] : '';
    const name = typeof link['Name'] === 'string' ? link['Name'] : '';
    let policy: AclPolicy | undefined;
    for (const candidate of linkScopes(scope)) {
      policy ??= id !== '' ? findPolicyById(ctx, id, candidate) : findPolicyByName(ctx, name, candidate);
    }
    if (!policy) {
      throw rpcError(
        id !== '' ? `No such ACL policy with ID "${id}"` : `No such ACL policy with name "${name}"`,
      );
    }
    if (!ids.includes(policy.id)) ids.push(policy.id);
  }
  return ids;
}

export function renderPolicyLinks(ctx: AclContext, ids: readonly string[]): { ID: string; Name: string }[] {
  const links: { ID: string; Name: string }[] = [];
  for (const id of ids) {
    const policy = ctx.state.policies.get(id);
    if (policy) links.push({ ID: policy.id, Name: policy.name });
  }
  return links;
}

/** PolicySet's checks, in Consul's order; `existingId` is set for updates. */
function validatedFields(ctx: AclContext, body: Decoded, scope: Scope, existingId: string | undefined) {
  const name = typeof body['Name'] === 'string' ? body['Name'] : '';
  if (name === '') throw rpcError('Invalid Policy: no Name is set');
  if (!POLICY_NAME.test(name)) {
    throw rpcError("Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
  }
  const rules = typeof body['Rules'] === 'string' ? body['Rules'] : '';
  const datacenters = (body['Datacenters'] as string[] | undefined) ?? [];
  const nameMatch = findPolicyByName(ctx, name, scope);
  if (existingId === undefined) {
    if (nameMatch) throw rpcError(`Invalid Policy: A Policy with Name "${name}" already exists`);
  } else {
    if (!isUuid(existingId)) throw rpcError('Policy ID invalid UUID');
    const idMatch = findPolicyById(ctx, existingId, scope);
    if (!idMatch) throw rpcError(`cannot find policy ${existingId}`);
    if (idMatch.name !== name && nameMatch) {
      throw rpcError(`Invalid Policy: A policy with name "${name}" already exists`);
    }
    if (existingId === GLOBAL_MANAGEMENT_POLICY_ID) {
      if (body['Datacenters'] !== undefined) {
        throw rpcError('Changing the Datacenters of the builtin global-management policy is not permitted');
      }
      if (rules !== idMatch.rules) {
        throw rpcError('Changing the Rules for the builtin global-management policy is not permitted');
      }
    }
  }
  parseRules(rules);
  return {
    name,
    rules,
    description: typeof body['Description'] === 'string' ? body['Description'] : '',
    datacenters,
  };
}

function store(ctx: AclContext): ObjectStore<AclPolicy> {
  return { kind: 'policy', table: 'acl-policies', items: ctx.state.policies };
}

export function createPolicy(ctx: AclContext, body: Decoded, scope: Scope): AclPolicy {
  if (typeof body['ID'] === 'string' && body['ID'] !== '') {
    throw badRequest('Cannot specify the ID when creating a new policy');
  }
  return insertObject(ctx, store(ctx), validatedFields(ctx, body, scope, undefined), scope);
}

export function updatePolicy(ctx: AclContext, id: string, body: Decoded, scope: Scope): AclPolicy {
  const bodyId = typeof body['ID'] === 'string' ? body['ID'] : '';
  if (bodyId !== '' && bodyId !== id) throw badRequest('Policy ID in URL and payload do not match');
  const fields = validatedFields(ctx, body, scope, id);
  return replaceObject(ctx, store(ctx), id, findPolicyById(ctx, id, scope)!, fields);
}

export function deletePolicy(ctx: AclContext, id: string, scope: Scope): AclPolicy | undefined {
  if (id === GLOBAL_MANAGEMENT_POLICY_ID) {
    throw rpcError('Delete operation not permitted on the builtin global-management policy');
  }
  return removeObject(ctx, store(ctx), id, findPolicyById(ctx, id, scope));
}
