/**
 * Login and logout (`POST /v1/acl/login`, `/v1/acl/logout`) for `aws-iam` auth methods, with the
 * identity check faked: the bearer token is looked up in a configured map from bearer to IAM
 * identity (what Consul would learn from STS `GetCallerIdentity` and IAM `GetRole`), instead of
 * being sent to AWS.
 *
 * Invariants (the error answers as a real Consul 1.14.8 gives them, checked there):
 * - An unknown method: 403 `ACL not found: auth method "<name>" not found`. A bearer that is not in
 *   the map: 500 `invalid token: …` (real Consul fails to decode it the same way).
 * - The identity's ARN must match one of the method's `BoundIAMPrincipalARNs` (a trailing `*` is a
 *   prefix match, as with `EnableIAMEntityDetails`), else 403 `Permission denied`.
 * - Binding rules of the method are applied in ID order: a rule applies when its selector holds
 *   for the projected variables (`entity_name`, `entity_id`, `entity_path`, `account_id`,
 *   `entity_tags.<key>`; selectors of the forms `entity_tags["k"] == "v"` / `!= "v"`, joined by
 *   `and`, or empty); `${…}` in BindName is replaced by those variables. No rule applies: 403
 *   `Permission denied`. A selector of another form: 500 naming it (envtest does not parse it).
 * - The token: a new local token with `AuthMethod` set, the service identities and roles of the
 *   rules (node bindings are not emulated: 500), and the description Consul writes: `token created via login`, plus
 *   `: ` and the JSON of `Meta` with sorted keys when Meta is not empty.
 * - Logout deletes the request's own token only if it was made by a login: 403 `Permission denied:
 *   token wasn't created via login` otherwise, 403 `ACL not found` for a missing token.
 */
import { ConsulHttpError, aclNotFound, permissionDeniedCause, rpcError } from '../errors.js';
import { type Decoded } from '../json-body.js';
import { type Scope } from '../scope.js';
import { listBindingRules } from './auth-methods.js';
import { type AclContext } from './context.js';
import { type AclAuthMethod, type AclBindingRule, type AclToken } from './model.js';
import { createLoginToken, readTokenBySecret } from './tokens.js';

/** What Consul's aws-iam method learns of a caller from AWS. */
export interface IamIdentity {
  /** The entity ARN as Consul matches it: `arn:aws:iam::<account>:role/<path><name>`. */
  readonly arn: string;
  readonly accountId: string;
  readonly entityName: string;
  /** With its slashes, e.g. `/consul-ecs/`. */
  readonly entityPath: string;
  readonly entityId: string;
  readonly tags: Readonly<Record<string, string>>;
}

export function login(
  ctx: AclContext,
  body: Decoded,
  scope: Scope,
  identities: ReadonlyMap<string, IamIdentity>,
): AclToken {
  const name = typeof body['AuthMethod'] === 'string' ? body['AuthMethod'] : '';
  const method = ctx.state.authMethods.get(`${scope.partition}/${scope.namespace}/${name}`);
  if (!method)
    throw new ConsulHttpError(403, `ACL not found: auth method "${name}" not found`, 'ACLNotFound');
  if (method.type !== 'aws-iam')
    throw rpcError(`envtest: only aws-iam logins are emulated, not ${method.type}`);
  const bearer = typeof body['BearerToken'] === 'string' ? body['BearerToken'] : '';
  const identity = identities.get(bearer);
  if (!identity) throw rpcError('invalid token: envtest: the bearer token is not in the IAM identity map');
  if (!trusts(method, identity.arn))
    throw permissionDeniedCause('IAM principal is not bound to the auth method');
  const vars = projectedVars(identity);
  const bindings = listBindingRules(ctx, scope, method.name)
    .filter((rule) => selects(rule, vars))
    .map((rule) => ({ type: rule.bindType, name: interpolate(rule.bindName, vars) }));
  if (bindings.length === 0) throw aclPermissionDenied();
  if (bindings.some((b) => b.type === 'node')) throw rpcError('envtest: node binding rules are not emulated');
  const meta = isStringMap(body['Meta']) ? body['Meta'] : {};
  return createLoginToken(
    ctx,
    {
      Description: describe(meta),
      ServiceIdentities: bindings.filter((b) => b.type === 'service').map((b) => ({ ServiceName: b.name })),
      Roles: bindings.filter((b) => b.type === 'role').map((b) => ({ Name: b.name })),
    },
    scope,
    method.name,
  );
}

export function logout(ctx: AclContext, secretId: string): AclToken {
  if (secretId === '') throw aclNotFound();
  const token = readTokenBySecret(ctx, secretId);
  if (!token.authMethod) throw permissionDeniedCause("token wasn't created via login");
  ctx.state.write(['acl-tokens'], () => {
    ctx.state.tokens.delete(token.accessorId);
  });
  return token;
}

/** Consul's `token created via login` description (Go's json.Marshal sorts map keys). */
export function describe(meta: Readonly<Record<string, string>>): string {
  const keys = Object.keys(meta).sort();
  if (keys.length === 0) return 'token created via login';
  return `token created via login: ${JSON.stringify(Object.fromEntries(keys.map((key) => [key, meta[key]])))}`;
}

function aclPermissionDenied(): ConsulHttpError {
  return new ConsulHttpError(403, 'Permission denied', 'PermissionDenied');
}

function trusts(method: AclAuthMethod, arn: string): boolean {
  const bound = method.config['BoundIAMPrincipalARNs'];
  if (!Array.isArray(bound)) return false;
  return bound.some(
    (pattern) =>
      typeof pattern === 'string' &&
      (pattern.endsWith('*') ? arn.startsWith(pattern.slice(0, -1)) : arn === pattern),
  );
}

function projectedVars(identity: IamIdentity): Map<string, string> {
  const vars = new Map<string, string>([
    ['entity_name', identity.entityName],
    ['entity_id', identity.entityId],
    ['entity_path', identity.entityPath],
    ['account_id', identity.accountId],
  ]);
  for (const [key, value] of Object.entries(identity.tags)) vars.set(`entity_tags.${key}`, value);
  return vars;
}

const CLAUSE = /^entity_tags\["([^"]+)"\]\s*(==|!=)\s*"([^"]*)"$/;

function selects(rule: AclBindingRule, vars: ReadonlyMap<string, string>): boolean {
  if (rule.selector.trim() === '') return true;
  return rule.selector.split(/\s+and\s+/).every((clause) => {
    const match = CLAUSE.exec(clause.trim());
    if (!match) throw rpcError(`envtest: binding rule selector not emulated: ${rule.selector}`);
    const value = vars.get(`entity_tags.${match[1]}`) ?? '';
    return match[2] === '==' ? value === match[3] : value !== match[3];
  });
}

function interpolate(template: string, vars: ReadonlyMap<string, string>): string {
  return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => vars.get(name.trim()) ?? '');
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}
