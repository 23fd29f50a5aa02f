/**
 * Login and logout (`POST /v1/acl/login`, `/v1/acl/logout`) for `aws-iam` auth methods; the
 * identity check is faked by a map from bearer token to IAM identity (iam-identity.ts).
 *
 * Invariants (Consul 1.14: agent/consul/acl_endpoint.go `Login`/`Logout`, agent/consul/auth/
 * login.go, binder.go, token_writer.go `Delete`; error answers checked on a real 1.14.8 where the
 * contract can reach them without AWS):
 * - An unknown method: 403 `ACL not found: auth method "<name>" not found`. Methods of other types
 *   cannot log in here (500 naming the type: envtest fakes only aws-iam).
 * - Binding rules of the method apply in ID order when their selector holds (selector.ts);
 *   each gives a service identity, a node identity (in this datacenter) or a role link (a role
 *   that does not exist is skipped) named by its BindName (bind-name.ts). Nothing bound: 403
 *   `Permission denied`, and no token is written.
 * - The token: `AuthMethod` set, `Local` unless the method's TokenLocality is `global`,
 *   `ExpirationTTL` the method's MaxTokenTTL, Description `token created via login`, plus `: ` and
 *   Go's JSON of Meta when Meta is not empty (`BuildTokenDescription`; go-json.ts).
 * - Enterprise: the method is looked up in the request's partition and namespace; the token lives
 *   in the method's namespace, or in the BindNamespace of its first matching NamespaceRule, which
 *   must exist (`Namespace "<ns>" does not exist`, 500).
 * - Logout deletes the token whose secret the request carries (no other token is consulted): none
 *   sent: 403 `ACL not found`; unknown: 403 `ACL not found`; not made by a login: 403
 *   `Permission denied: token wasn't created via login`. Expiry is not checked, as in Consul.
 */
import { ConsulHttpError, aclNotFound, permissionDeniedCause, rpcError } from '../errors.js';
import { type Decoded } from '../json-body.js';
import { getNamespace } from '../namespaces.js';
import { type Scope } from '../scope.js';
import { listBindingRules } from './auth-methods.js';
import { computeBindName, interpolate } from './bind-name.js';
import { type AclContext } from './context.js';
import { goMarshalStringMap } from './go-json.js';
import { type IamIdentity, type VerifiedIdentity, verifyIamLogin } from './iam-identity.js';
import { type AclToken, type NodeIdentity, type ServiceIdentity } from './model.js';
import { findRoleByName } from './roles.js';
import { SelectorNotEmulated, selectorMatches } from './selector.js';
import { createLoginToken, findTokenBySecret } from './tokens.js';
import { parseGoDuration } from '../../../src/time/go-duration.js';

export { type IamIdentity } from './iam-identity.js';

export interface LoginEnvironment {
  readonly identities: ReadonlyMap<string, IamIdentity>;
  readonly datacenter: string;
}

export function login(ctx: AclContext, body: Decoded, scope: Scope, env: LoginEnvironment): AclToken {
  const name = typeof body['AuthMethod'] === 'string' ? body['AuthMethod'] : '';
  const method = ctx.state.authMethods.get(`${scope.partition}/${scope.namespace}/${name}`);
  if (!method)
    throw new ConsulHttpError(403, `ACL not found: auth method "${name}" not found`, 'ACLNotFound');
  if (method.type !== 'aws-iam')
    throw rpcError(`envtest: only aws-iam logins are emulated, not ${method.type}`);
  const bearer = typeof body['BearerToken'] === 'string' ? body['BearerToken'] : '';
  const identity = verifyIamLogin(method, bearer, env.identities);
  const meta = (body['Meta'] as Record<string, string> | undefined) ?? {};
  const description =
    Object.keys(meta).length === 0
      ? 'token created via login'
      : `token created via login: ${goMarshalStringMap(meta)}`;
  const tokenScope = ctx.enterprise ? targetScope(ctx, method.scope, method.namespaceRules, identity) : scope;
  const serviceIdentities: ServiceIdentity[] = [];
  const nodeIdentities: NodeIdentity[] = [];
  const roleIds: string[] = [];
  // The state store lists a method's rules by ID (memdb's id index), so bindings come in ID order.
  const rules = listBindingRules(ctx, method.scope, method.name).sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const rule of rules) {
    if (!matches(rule.selector, identity)) continue;
    const bound = computeBindName(rule.bindType, rule.bindName, identity.projectedVars);
    if (rule.bindType === 'service') serviceIdentities.push({ ServiceName: bound });
    else if (rule.bindType === 'node') nodeIdentities.push({ NodeName: bound, Datacenter: env.datacenter });
    else {
      const role = findRoleByName(ctx, bound, tokenScope);
      if (role) roleIds.push(role.id);
    }
  }
  if (serviceIdentities.length + nodeIdentities.length + roleIds.length === 0)
    throw new ConsulHttpError(403, 'Permission denied', 'PermissionDenied');
  const ttl = method.maxTokenTTL === '' ? 0 : (parseGoDuration(method.maxTokenTTL) ?? 0);
  return createLoginToken(
    ctx,
    { description, policyIds: [], roleIds, serviceIdentities, nodeIdentities },
    {
      local: method.tokenLocality !== 'global',
      authMethod: method.name,
      scope: tokenScope,
      ...(ttl > 0 ? { expirationTime: ctx.now + ttl } : {}),
    },
  );
}

export function logout(ctx: AclContext, secretId: string): AclToken {
  const token = secretId === '' ? undefined : findTokenBySecret(ctx.state, secretId);
  if (!token) throw aclNotFound();
  if (!token.authMethod) throw permissionDeniedCause("token wasn't created via login");
  ctx.state.write(['acl-tokens'], () => {
    ctx.state.tokens.delete(token.accessorId);
  });
  return token;
}

function matches(selector: string, identity: VerifiedIdentity): boolean {
  try {
    return selectorMatches(selector, identity.fields);
  } catch (error) {
    if (error instanceof SelectorNotEmulated) throw rpcError(error.message);
    throw error;
  }
}

/** Enterprise: the method's namespace, or the first matching NamespaceRule's (it must exist). */
function targetScope(
  ctx: AclContext,
  methodScope: Scope,
  rules: readonly unknown[],
  identity: VerifiedIdentity,
): Scope {
  for (const raw of rules) {
    const rule = (raw ?? {}) as Record<string, unknown>;
    const selector = typeof rule['Selector'] === 'string' ? rule['Selector'] : '';
    const template = typeof rule['BindNamespace'] === 'string' ? rule['BindNamespace'] : '';
    if (template === '' || !matches(selector, identity)) continue;
    const namespace = interpolate(template, identity.projectedVars).text;
    if (!getNamespace(ctx.state, methodScope.partition, namespace))
      throw rpcError(`Namespace ${JSON.stringify(namespace)} does not exist`);
    return { partition: methodScope.partition, namespace };
  }
  return methodScope;
}
