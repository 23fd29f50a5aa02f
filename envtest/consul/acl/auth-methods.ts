/**
 * ACL auth methods and their binding rules (the store side; logging in: login.ts).
 *
 * Invariants:
 * - An auth method is keyed by name within its partition+namespace; a create of an existing name
 *   replaces it (checked on a real 1.14.8: `PUT /v1/acl/auth-method` is an upsert); its Type must be one Consul
 *   knows (`kubernetes`, `jwt`, `oidc`, `aws-iam`), and an `aws-iam` method needs
 *   `BoundIAMPrincipalARNs`, and `EnableIAMEntityDetails` to use a wildcard in them (Consul's aws-iam
 *   validator; both checked on a real 1.14.8).
 * - Config is stored as given and rendered back unchanged.
 * - A binding rule names an existing auth method of its scope; BindType is `service`, `node` or
 *   `role`, and BindName is required. Deleting an auth method deletes its binding rules, as Consul does.
 */
import { badRequest, notFound, rpcError } from '../errors.js';
import { isUuid } from '../ids.js';
import { type Decoded } from '../json-body.js';
import { listedIn, sameScope, type Scope } from '../scope.js';
import { type AclContext, scopeFields } from './context.js';
import { type AclAuthMethod, type AclBindingRule } from './model.js';

const AUTH_METHOD_TYPES = ['kubernetes', 'jwt', 'oidc', 'aws-iam'];
const BIND_TYPES = ['service', 'node', 'role'];

const methodKey = (scope: Scope, name: string) => `${scope.partition}/${scope.namespace}/${name}`;
const str = (body: Decoded, field: string) =>
  typeof body[field] === 'string' ? (body[field] as string) : '';

export function renderAuthMethod(ctx: AclContext, method: AclAuthMethod): Record<string, unknown> {
  return {
    Name: method.name,
    Type: method.type,
    ...(method.displayName ? { DisplayName: method.displayName } : {}),
    Description: method.description,
    ...(method.maxTokenTTL ? { MaxTokenTTL: method.maxTokenTTL } : {}),
    ...(method.tokenLocality ? { TokenLocality: method.tokenLocality } : {}),
    Config: method.config,
    ...(method.namespaceRules.length > 0 ? { NamespaceRules: method.namespaceRules } : {}),
    CreateIndex: method.createIndex,
    ModifyIndex: method.modifyIndex,
    ...scopeFields(ctx, method.scope),
  };
}

export function readAuthMethod(ctx: AclContext, name: string, scope: Scope): AclAuthMethod {
  const method = ctx.state.authMethods.get(methodKey(scope, name));
  if (!method) throw notFound('Requested auth method does not exist');
  return method;
}

export function listAuthMethods(ctx: AclContext, scope: Scope): AclAuthMethod[] {
  return [...ctx.state.authMethods.values()]
    .filter((method) => listedIn(method.scope, scope))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates or replaces an auth method (`urlName`: the update endpoint's name, which must exist). */
export function writeAuthMethod(
  ctx: AclContext,
  body: Decoded,
  scope: Scope,
  urlName?: string,
): AclAuthMethod {
  const name = str(body, 'Name') || (urlName ?? '');
  if (urlName !== undefined && name !== urlName)
    throw badRequest('Auth Method Name in URL and payload do not match');
  if (name === '') throw rpcError('Invalid Auth Method: no Name is set');
  const existing = ctx.state.authMethods.get(methodKey(scope, name));
  if (urlName !== undefined && !existing)
    throw rpcError(`Invalid Auth Method: method with name "${name}" does not exist`);
  const type = str(body, 'Type');
  if (existing && type !== existing.type) throw rpcError('Invalid Auth Method: cannot change type');
  if (!AUTH_METHOD_TYPES.includes(type))
    throw rpcError(`Invalid Auth Method: Type should be one of: ${AUTH_METHOD_TYPES.join(', ')}`);
  const config = (body['Config'] as Record<string, unknown> | undefined) ?? {};
  if (type === 'aws-iam') {
    const bound = config['BoundIAMPrincipalARNs'];
    if (!Array.isArray(bound) || bound.length === 0)
      throw rpcError('Invalid Auth Method: BoundIAMPrincipalARNs is required');
    if (bound.some((arn) => String(arn).includes('*')) && config['EnableIAMEntityDetails'] !== true)
      throw rpcError(
        'Invalid Auth Method: Must set EnableIAMEntityDetails=true to use wildcards in BoundIAMPrincipalARNs',
      );
  }
  return ctx.state.write(['acl-auth-methods'], (index) => {
    const method: AclAuthMethod = {
      name,
      type,
      displayName: str(body, 'DisplayName'),
      description: str(body, 'Description'),
      maxTokenTTL: str(body, 'MaxTokenTTL'),
      tokenLocality: str(body, 'TokenLocality'),
      config,
      namespaceRules: (body['NamespaceRules'] as unknown[] | undefined) ?? [],
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
      scope,
    };
    ctx.state.authMethods.set(methodKey(scope, name), method);
    return method;
  });
}

export function deleteAuthMethod(ctx: AclContext, name: string, scope: Scope): void {
  const key = methodKey(scope, name);
  if (!ctx.state.authMethods.has(key)) return;
  ctx.state.write(['acl-auth-methods', 'acl-binding-rules'], () => {
    ctx.state.authMethods.delete(key);
    for (const [id, rule] of ctx.state.bindingRules)
      if (rule.authMethod === name && sameScope(rule.scope, scope)) ctx.state.bindingRules.delete(id);
  });
}

export function renderBindingRule(ctx: AclContext, rule: AclBindingRule): Record<string, unknown> {
  return {
    ID: rule.id,
    Description: rule.description,
    AuthMethod: rule.authMethod,
    Selector: rule.selector,
    BindType: rule.bindType,
    BindName: rule.bindName,
    CreateIndex: rule.createIndex,
    ModifyIndex: rule.modifyIndex,
    ...scopeFields(ctx, rule.scope),
  };
}

export function readBindingRule(ctx: AclContext, id: string, scope: Scope): AclBindingRule {
  const rule = ctx.state.bindingRules.get(id);
  if (!rule || !sameScope(rule.scope, scope)) throw notFound('Requested binding rule does not exist');
  return rule;
}

export function listBindingRules(ctx: AclContext, scope: Scope, authMethod: string): AclBindingRule[] {
  return [...ctx.state.bindingRules.values()]
    .filter((rule) => listedIn(rule.scope, scope) && (authMethod === '' || rule.authMethod === authMethod))
    .sort((a, b) => a.createIndex - b.createIndex || a.id.localeCompare(b.id));
}

/** Creates (`urlId` undefined) or updates a binding rule. */
export function writeBindingRule(
  ctx: AclContext,
  body: Decoded,
  scope: Scope,
  urlId?: string,
): AclBindingRule {
  const bodyId = str(body, 'ID');
  if (urlId === undefined && bodyId !== '')
    throw badRequest('Cannot specify the ID when creating a new binding rule');
  if (urlId !== undefined && bodyId !== '' && bodyId !== urlId)
    throw badRequest('BindingRule ID in URL and payload do not match');
  if (urlId !== undefined && !isUuid(urlId)) throw rpcError('Binding Rule ID invalid UUID');
  const existing = urlId === undefined ? undefined : ctx.state.bindingRules.get(urlId);
  if (urlId !== undefined && (!existing || !sameScope(existing.scope, scope)))
    throw rpcError(`cannot find binding rule ${urlId}`);
  const authMethod = str(body, 'AuthMethod') || (existing?.authMethod ?? '');
  if (authMethod === '') throw rpcError('Invalid Binding Rule: no AuthMethod is set');
  if (existing && authMethod !== existing.authMethod)
    throw rpcError('Invalid Binding Rule: cannot change AuthMethod');
  if (!ctx.state.authMethods.has(methodKey(scope, authMethod)))
    throw rpcError(`Invalid Binding Rule: unknown auth method "${authMethod}"`);
  const bindType = str(body, 'BindType');
  if (!BIND_TYPES.includes(bindType)) throw rpcError(`Invalid Binding Rule: unknown BindType "${bindType}"`);
  const bindName = str(body, 'BindName');
  if (bindName === '') throw rpcError('Invalid Binding Rule: no BindName is set');
  const id = existing?.id ?? ctx.newId();
  return ctx.state.write(['acl-binding-rules'], (index) => {
    const rule: AclBindingRule = {
      id,
      description: str(body, 'Description'),
      authMethod,
      selector: str(body, 'Selector'),
      bindType,
      bindName,
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
      scope,
    };
    ctx.state.bindingRules.set(id, rule);
    return rule;
  });
}

export function deleteBindingRule(ctx: AclContext, id: string, scope: Scope): void {
  const rule = ctx.state.bindingRules.get(id);
  if (!rule || !sameScope(rule.scope, scope)) return;
  ctx.state.write(['acl-binding-rules'], () => {
    ctx.state.bindingRules.delete(id);
  });
}
