/**
 * ACL roles: named bundles of policies and identities that tokens link to.
 *
 * Invariants:
 * - Role names are unique within a partition+namespace and match `^[A-Za-z0-9\-_]{1,256}$`.
 * - Policy links are stored by ID; the rendered role resolves names and drops deleted policies.
 */
import { badRequest, rpcError } from '../errors.js';
import { isUuid } from '../ids.js';
import { type Decoded } from '../json-body.js';
import { listedIn, sameScope, type Scope } from '../scope.js';
import { type AclContext, resourceNotFound, scopeFields } from './context.js';
import { insertObject, type ObjectStore, removeObject, replaceObject } from './object-store.js';
import { validateNodeIdentities, validateServiceIdentities } from './identities.js';
import { type AclRole } from './model.js';
import { renderPolicyLinks, resolvePolicyLinks } from './policies.js';

const ROLE_NAME = /^[A-Za-z0-9\-_]{1,256}$/;

export function renderRole(ctx: AclContext, role: AclRole): Record<string, unknown> {
  const policies = renderPolicyLinks(ctx, role.policyIds);
  return {
    ID: role.id,
    Name: role.name,
    Description: role.description,
    ...(policies.length > 0 ? { Policies: policies } : {}),
    ...(role.serviceIdentities.length > 0 ? { ServiceIdentities: role.serviceIdentities } : {}),
    ...(role.nodeIdentities.length > 0 ? { NodeIdentities: role.nodeIdentities } : {}),
    Hash: role.hash,
    CreateIndex: role.createIndex,
    ModifyIndex: role.modifyIndex,
    ...scopeFields(ctx, role.scope),
  };
}

export function findRoleById(ctx: AclContext, id: string, scope: Scope): AclRole | undefined {
  const role = ctx.state.roles.get(id);
  return role && sameScope(role.scope, scope) ? role : undefined;
}

export function findRoleByName(ctx: AclContext, name: string, scope: Scope): AclRole | undefined {
  for (const role of ctx.state.roles.values())
    if (role.name === name && sameScope(role.scope, scope)) return role;
  return undefined;
}

export function readRole(ctx: AclContext, id: string, scope: Scope): AclRole {
  const role = findRoleById(ctx, id, scope);
  if (!role) throw resourceNotFound(ctx, 'role');
  return role;
}

export function readRoleByName(ctx: AclContext, name: string, scope: Scope): AclRole {
  const role = findRoleByName(ctx, name, scope);
  if (!role) throw resourceNotFound(ctx, 'role');
  return role;
}

/** The roles of `scope`; with `ns=*`, of every namespace of its partition. */
export function listRoles(ctx: AclContext, scope: Scope, policyId?: string): AclRole[] {
  return [...ctx.state.roles.values()]
    .filter((role) => listedIn(role.scope, scope))
    .filter((role) => !policyId || role.policyIds.includes(policyId))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Resolves `[{ID}|{Name}]` role links to role IDs. */
export function resolveRoleLinks(ctx: AclContext, links: unknown, scope: Scope): string[] {
  const ids: string[] = [];
  for (const link of (links as Decoded[] | undefined) ?? []) {
    const id = typeof link['ID'] === 'string' ? link['ID'] : '';
    const name = typeof link['Name'] === 'string' ? link['Name'] : '';
    const role = id !== '' ? findRoleById(ctx, id, scope) : findRoleByName(ctx, name, scope);
    if (!role) {
      throw rpcError(id !== '' ? `No such ACL role with ID "${id}"` : `No such ACL role with name "${name}"`);
    }
    if (!ids.includes(role.id)) ids.push(role.id);
  }
  return ids;
}

export function renderRoleLinks(ctx: AclContext, ids: readonly string[]): { ID: string; Name: string }[] {
  const links: { ID: string; Name: string }[] = [];
  for (const id of ids) {
    const role = ctx.state.roles.get(id);
    if (role) links.push({ ID: role.id, Name: role.name });
  }
  return links;
}

/** RoleSet's checks, in Consul's order; `existingId` is set for updates. */
function validatedFields(ctx: AclContext, body: Decoded, scope: Scope, existingId: string | undefined) {
  const name = typeof body['Name'] === 'string' ? body['Name'] : '';
  if (name === '') throw rpcError('Invalid Role: no Name is set');
  if (!ROLE_NAME.test(name)) {
    throw rpcError("Invalid Role: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
  }
  if (existingId === undefined) {
    if (findRoleByName(ctx, name, scope))
      throw rpcError(`Invalid Role: A Role with Name "${name}" already exists`);
  } else {
    if (!isUuid(existingId)) throw rpcError('Role ID invalid UUID');
    const idMatch = findRoleById(ctx, existingId, scope);
    if (!idMatch) throw rpcError(`cannot find role ${existingId}`);
    if (idMatch.name !== name && findRoleByName(ctx, name, scope)) {
      throw rpcError(`Invalid Role: A role with name "${name}" already exists`);
    }
  }
  return {
    name,
    description: typeof body['Description'] === 'string' ? body['Description'] : '',
    policyIds: resolvePolicyLinks(ctx, body['Policies'], scope),
    serviceIdentities: validateServiceIdentities(body['ServiceIdentities'], 'role'),
    nodeIdentities: validateNodeIdentities(body['NodeIdentities'], 'role'),
  };
}

function store(ctx: AclContext): ObjectStore<AclRole> {
  return { kind: 'role', table: 'acl-roles', items: ctx.state.roles };
}

export function createRole(ctx: AclContext, body: Decoded, scope: Scope): AclRole {
  if (typeof body['ID'] === 'string' && body['ID'] !== '') {
    throw badRequest('Cannot specify the ID when creating a new role');
  }
  return insertObject(ctx, store(ctx), validatedFields(ctx, body, scope, undefined), scope);
}

export function updateRole(ctx: AclContext, id: string, body: Decoded, scope: Scope): AclRole {
  const bodyId = typeof body['ID'] === 'string' ? body['ID'] : '';
  if (bodyId !== '' && bodyId !== id) throw badRequest('Role ID in URL and payload do not match');
  const fields = validatedFields(ctx, body, scope, id);
  return replaceObject(ctx, store(ctx), id, findRoleById(ctx, id, scope)!, fields);
}

export function deleteRole(ctx: AclContext, id: string, scope: Scope): AclRole | undefined {
  return removeObject(ctx, store(ctx), id, findRoleById(ctx, id, scope));
}
