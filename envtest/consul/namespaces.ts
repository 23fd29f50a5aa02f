/**
 * Namespaces (Consul Enterprise): create, read, update, delete and list, per partition.
 *
 * Invariants:
 * - Every partition has a `default` namespace, which cannot be deleted.
 * - Namespace names are unique per partition; PolicyDefaults/RoleDefaults links are stored by ID and
 *   rendered with their current names, like token links.
 * - A write (ACL object, auth method, binding rule, KV entry, session, catalog registration) into a
 *   namespace that does not exist fails with 500 `Namespace "<ns>" does not exist` (Consul
 *   Enterprise's RPC error, hashicorp/consul#8123); into a partition that does not exist with 500
 *   `Partition "<ap>" does not exist` (the wording of this one is not public: an approximation).
 *   Reads of a missing namespace find nothing. Logins are checked by the namespace their token lands in.
 * - A namespace's PolicyDefaults and RoleDefaults apply to every token in it (acl/authorizer.ts).
 */
import { type AclContext } from './acl/context.js';
import { renderPolicyLinks, resolvePolicyLinks } from './acl/policies.js';
import { renderRoleLinks, resolveRoleLinks } from './acl/roles.js';
import { badRequest, rpcError } from './errors.js';
import { ANY, type Decoded, STRING, STRING_MAP, type StructSchema } from './json-body.js';
import { type Namespace } from './namespace-model.js';
import { type Scope } from './scope.js';
import { type ConsulState } from './state.js';

const NAMESPACE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?$/;

export const NAMESPACE_SCHEMA: StructSchema = {
  structName: 'Namespace',
  fields: {
    Name: STRING,
    Description: STRING,
    ACLs: ANY,
    Meta: STRING_MAP,
    Partition: STRING,
    CreateIndex: ANY,
    ModifyIndex: ANY,
    DeletedAt: ANY,
  },
};

function key(partition: string, name: string): string {
  return `${partition}/${name}`;
}

export function ensureDefaultNamespace(state: ConsulState, partition: string): void {
  if (state.namespaces.has(key(partition, 'default'))) return;
  state.write(['namespaces'], (index) => {
    state.namespaces.set(key(partition, 'default'), {
      name: 'default',
      partition,
      description: 'Builtin Default Namespace',
      policyDefaults: [],
      roleDefaults: [],
      meta: {},
      createIndex: index,
      modifyIndex: index,
    });
  });
}

export function renderNamespace(ctx: AclContext, namespace: Namespace): Record<string, unknown> {
  const policies = renderPolicyLinks(ctx, namespace.policyDefaults);
  const roles = renderRoleLinks(ctx, namespace.roleDefaults);
  return {
    Name: namespace.name,
    Description: namespace.description,
    ...(policies.length > 0 || roles.length > 0
      ? {
          ACLs: {
            ...(policies.length > 0 ? { PolicyDefaults: policies } : {}),
            ...(roles.length > 0 ? { RoleDefaults: roles } : {}),
          },
        }
      : {}),
    ...(Object.keys(namespace.meta).length > 0 ? { Meta: namespace.meta } : {}),
    Partition: namespace.partition,
    CreateIndex: namespace.createIndex,
    ModifyIndex: namespace.modifyIndex,
  };
}

/** Throws Consul Enterprise's error for a write into a partition or namespace that does not exist. */
export function requireNamespace(state: ConsulState, scope: Scope): void {
  if (scope.partition !== 'default' && !state.partitions.has(scope.partition))
    throw rpcError(`Partition ${JSON.stringify(scope.partition)} does not exist`);
  // Every partition has its `default` namespace from its creation on, as in Consul Enterprise.
  if (scope.namespace === 'default') {
    ensureDefaultNamespace(state, scope.partition);
    return;
  }
  if (!getNamespace(state, scope.partition, scope.namespace))
    throw rpcError(`Namespace ${JSON.stringify(scope.namespace)} does not exist`);
}

export function getNamespace(state: ConsulState, partition: string, name: string): Namespace | undefined {
  return state.namespaces.get(key(partition, name));
}

export function listNamespaces(state: ConsulState, partition: string): Namespace[] {
  return [...state.namespaces.values()]
    .filter((namespace) => namespace.partition === partition)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates (`create`) or replaces a namespace. */
export function writeNamespace(
  ctx: AclContext,
  partition: string,
  body: Decoded,
  urlName: string | undefined,
): Namespace {
  const name = typeof body['Name'] === 'string' && body['Name'] !== '' ? body['Name'] : (urlName ?? '');
  if (urlName !== undefined && name !== urlName)
    throw badRequest('Namespace name in URL and payload do not match');
  if (name === '') throw badRequest('Namespace name is required');
  if (!NAMESPACE_NAME.test(name)) throw rpcError(`Namespace name "${name}" is invalid`);
  const existing = getNamespace(ctx.state, partition, name);
  if (urlName === undefined && existing) throw rpcError(`Namespace "${name}" already exists`);
  if (urlName !== undefined && !existing) throw rpcError(`Namespace "${name}" does not exist`);
  const acls = (body['ACLs'] as Decoded | undefined) ?? {};
  const defaultScope = { partition, namespace: 'default' };
  const policyDefaults = resolvePolicyLinks(ctx, acls['PolicyDefaults'], defaultScope);
  const roleDefaults = resolveRoleLinks(ctx, acls['RoleDefaults'], defaultScope);
  return ctx.state.write(['namespaces'], (index) => {
    const namespace: Namespace = {
      name,
      partition,
      description: typeof body['Description'] === 'string' ? body['Description'] : '',
      policyDefaults,
      roleDefaults,
      meta: (body['Meta'] as Record<string, string> | undefined) ?? {},
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
    };
    ctx.state.namespaces.set(key(partition, name), namespace);
    return namespace;
  });
}

export function deleteNamespace(state: ConsulState, partition: string, name: string): void {
  if (name === 'default') throw rpcError('Cannot delete the default namespace');
  if (!state.namespaces.has(key(partition, name))) return;
  state.write(['namespaces'], () => {
    state.namespaces.delete(key(partition, name));
  });
}
