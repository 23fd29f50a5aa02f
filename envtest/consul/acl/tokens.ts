/**
 * ACL tokens: the system tokens, request-token resolution, bootstrap and token CRUD.
 *
 * Invariants:
 * - AccessorIDs and SecretIDs are UUIDs (except the anonymous token's "anonymous" secret) and each is
 *   unique across all tokens.
 * - The anonymous token always exists; a request without a token acts as it.
 * - An expired token behaves exactly like a missing one.
 * - SecretIDs appear only in token bodies returned to the caller, never in errors or logs.
 */
import {
  ACL_NOT_FOUND,
  aclNotFound,
  ANONYMOUS_ACCESSOR_ID,
  ConsulHttpError,
  badRequest,
  notFound,
  permissionDeniedCause,
  rpcError,
} from '../errors.js';
import { formatGoDuration, parseGoDuration } from '../../../src/time/go-duration.js';
import { isUuid } from '../ids.js';
import { type Decoded } from '../json-body.js';
import { DEFAULT_SCOPE, listedIn, sameScope, type Scope } from '../scope.js';
import { type ConsulState } from '../state.js';
import {
  type AclContext,
  contentHash,
  rejectMissingDelete,
  isoTime,
  resourceNotFound,
  scopeFields,
} from './context.js';
import { validateNodeIdentities, validateServiceIdentities } from './identities.js';
import { type AclToken, ANONYMOUS_TOKEN_SECRET, GLOBAL_MANAGEMENT_POLICY_ID } from './model.js';
import { renderPolicyLinks, resolvePolicyLinks } from './policies.js';
import { renderRoleLinks, resolveRoleLinks } from './roles.js';

const RESERVED_PREFIX = '00000000-0000-0000-0000-0000000000';
const MIN_EXPIRATION_TTL_MS = 60_000;
const MAX_EXPIRATION_TTL_MS = 24 * 3_600_000;

function tokenHash(fields: Partial<AclToken>): string {
  return contentHash({
    description: fields.description,
    policies: fields.policyIds,
    roles: fields.roleIds,
    services: fields.serviceIdentities,
    nodes: fields.nodeIdentities,
    local: fields.local,
  });
}

/** The token with this SecretID, expired or not (logout deletes an expired one too). */
export function findTokenBySecret(state: ConsulState, secretId: string): AclToken | undefined {
  for (const token of state.tokens.values()) if (token.secretId === secretId) return token;
  return undefined;
}

function isExpired(token: AclToken, now: number): boolean {
  return token.expirationTime !== undefined && token.expirationTime <= now;
}

/** Installs the anonymous token and (optionally) the initial management token, as a new leader does. */
export function ensureSystemTokens(ctx: AclContext, managementSecret: string | undefined): void {
  const { state } = ctx;
  if (!state.tokens.has(ANONYMOUS_ACCESSOR_ID)) {
    state.write(['acl-tokens'], (index) =>
      installSystemToken(ctx, index, ANONYMOUS_ACCESSOR_ID, ANONYMOUS_TOKEN_SECRET, 'Anonymous Token', []),
    );
  }
  if (managementSecret && !findTokenBySecret(state, managementSecret)) {
    state.write(['acl-tokens'], (index) => {
      installSystemToken(ctx, index, ctx.newId(), managementSecret, 'Initial Management Token', [
        GLOBAL_MANAGEMENT_POLICY_ID,
      ]);
      // Consul installs the initial management token through the bootstrap operation.
      state.bootstrapIndex ??= index;
      state.initialManagementSecret = managementSecret;
    });
  }
}

function installSystemToken(
  ctx: AclContext,
  index: number,
  accessorId: string,
  secretId: string,
  description: string,
  policyIds: string[],
): void {
  const fields = { description, policyIds, roleIds: [], serviceIdentities: [], nodeIdentities: [] };
  ctx.state.tokens.set(accessorId, {
    accessorId,
    secretId,
    ...fields,
    local: false,
    createTime: ctx.now,
    hash: tokenHash(fields),
    createIndex: index,
    modifyIndex: index,
    scope: DEFAULT_SCOPE,
  });
}

/** The token a request acts as: the anonymous token when no secret was sent. */
export function resolveRequestToken(ctx: AclContext, secretId: string): AclToken {
  const token = findTokenBySecret(ctx.state, secretId === '' ? ANONYMOUS_TOKEN_SECRET : secretId);
  if (!token || isExpired(token, ctx.now)) {
    if (ctx.state.bootstrapIndex === undefined) {
      throw new ConsulHttpError(
        403,
        `ACL system must be bootstrapped before making any requests that require authorization: ${ACL_NOT_FOUND}`,
        'ACLNotFound',
      );
    }
    throw aclNotFound();
  }
  return token;
}

/** The token named by a secret for `GET /v1/acl/token/self`. */
export function readTokenBySecret(ctx: AclContext, secretId: string): AclToken {
  const token = secretId === '' ? undefined : findTokenBySecret(ctx.state, secretId);
  if (!token || isExpired(token, ctx.now)) {
    if (ctx.version === '1.14') throw aclNotFound();
    throw notFound('Supplied token does not exist');
  }
  return token;
}

export function renderToken(
  ctx: AclContext,
  token: AclToken,
  secret: string = token.secretId,
): Record<string, unknown> {
  const policies = renderPolicyLinks(ctx, token.policyIds);
  const roles = renderRoleLinks(ctx, token.roleIds);
  return {
    AccessorID: token.accessorId,
    SecretID: secret,
    Description: token.description,
    ...(policies.length > 0 ? { Policies: policies } : {}),
    ...(roles.length > 0 ? { Roles: roles } : {}),
    ...(token.serviceIdentities.length > 0 ? { ServiceIdentities: token.serviceIdentities } : {}),
    ...(token.nodeIdentities.length > 0 ? { NodeIdentities: token.nodeIdentities } : {}),
    Local: token.local,
    ...(token.authMethod ? { AuthMethod: token.authMethod } : {}),
    ...(token.expirationTime !== undefined ? { ExpirationTime: isoTime(token.expirationTime) } : {}),
    CreateTime: isoTime(token.createTime),
    Hash: token.hash,
    CreateIndex: token.createIndex,
    ModifyIndex: token.modifyIndex,
    ...scopeFields(ctx, token.scope),
  };
}

/** A token list entry; the SecretID is "<hidden>" unless the caller has acl:write. */
export function renderTokenStub(
  ctx: AclContext,
  token: AclToken,
  showSecret: boolean,
): Record<string, unknown> {
  return renderToken(ctx, token, showSecret ? token.secretId : '<hidden>');
}

function visible(ctx: AclContext, token: AclToken | undefined, scope: Scope): token is AclToken {
  return token !== undefined && sameScope(token.scope, scope) && !isExpired(token, ctx.now);
}

export function readToken(ctx: AclContext, accessorId: string, scope: Scope): AclToken {
  const token = ctx.state.tokens.get(accessorId);
  if (!visible(ctx, token, scope)) throw resourceNotFound(ctx, 'token');
  return token;
}

export interface TokenListFilters {
  readonly policy?: string;
  readonly role?: string;
  readonly authMethod?: string;
  readonly serviceName?: string;
}

/** The tokens of `scope`; with `ns=*`, of every namespace of its partition. */
export function listTokens(ctx: AclContext, scope: Scope, filters: TokenListFilters): AclToken[] {
  return [...ctx.state.tokens.values()]
    .filter((token) => listedIn(token.scope, scope) && !isExpired(token, ctx.now))
    .filter((token) => !filters.policy || token.policyIds.includes(filters.policy))
    .filter((token) => !filters.role || token.roleIds.includes(filters.role))
    .filter((token) => !filters.authMethod || token.authMethod === filters.authMethod)
    .filter(
      (token) =>
        !filters.serviceName ||
        token.serviceIdentities.some((identity) => identity.ServiceName === filters.serviceName),
    )
    .sort((a, b) => a.accessorId.localeCompare(b.accessorId));
}

/** token_writer.go's validateTokenID + tokenIDInUse for a caller-chosen AccessorID or SecretID. */
function checkNewId(ctx: AclContext, field: 'AccessorID' | 'SecretID', value: string): void {
  if (value.startsWith(RESERVED_PREFIX)) {
    throw rpcError(`Invalid Token: ${field} - UUIDs with the prefix "${RESERVED_PREFIX}" are reserved`);
  }
  if (!isUuid(value)) throw rpcError(`Invalid Token: ${field} - not a valid UUID`);
  for (const token of ctx.state.tokens.values()) {
    if (token.accessorId === value || token.secretId === value) {
      throw rpcError(`Invalid Token: ${field} is already in use`);
    }
  }
}

/** token_writer.go's write(): role links, policy links, then identities. */
function linkFields(ctx: AclContext, body: Decoded, scope: Scope, local: boolean) {
  const roleIds = resolveRoleLinks(ctx, body['Roles'], scope);
  const policyIds = resolvePolicyLinks(ctx, body['Policies'], scope);
  for (const identity of (body['ServiceIdentities'] as Decoded[] | undefined) ?? []) {
    const datacenters = identity['Datacenters'] as string[] | undefined;
    if (local && datacenters && datacenters.length > 0 && identity['ServiceName']) {
      throw rpcError(
        `Service identity "${String(identity['ServiceName'])}" cannot specify a list of datacenters on a local token`,
      );
    }
  }
  return {
    description: typeof body['Description'] === 'string' ? body['Description'] : '',
    policyIds,
    roleIds,
    serviceIdentities: validateServiceIdentities(body['ServiceIdentities'], 'token'),
    nodeIdentities: validateNodeIdentities(body['NodeIdentities'], 'token'),
  };
}

function ttlMs(raw: unknown): number {
  if (raw === undefined || raw === '' || raw === 0) return 0;
  const ms = typeof raw === 'string' ? parseGoDuration(raw) : typeof raw === 'number' ? raw / 1e6 : undefined;
  if (ms === undefined)
    throw badRequest(`Token decoding failed: time: invalid duration ${JSON.stringify(raw)}`);
  return ms;
}

function expirationFrom(ctx: AclContext, body: Decoded): number | undefined {
  const ms = ttlMs(body['ExpirationTTL']);
  if (ms < 0) throw rpcError(`Token Expiration TTL '${formatGoDuration(ms)}' should be > 0`);
  if (ms === 0) return undefined;
  if (ms > MAX_EXPIRATION_TTL_MS) {
    throw rpcError(
      `ExpirationTime cannot be more than ${formatGoDuration(MAX_EXPIRATION_TTL_MS)} in the future (was ${formatGoDuration(ms)})`,
    );
  }
  if (ms < MIN_EXPIRATION_TTL_MS) {
    throw rpcError(
      `ExpirationTime cannot be less than ${formatGoDuration(MIN_EXPIRATION_TTL_MS)} in the future (was ${formatGoDuration(ms)})`,
    );
  }
  return ctx.now + ms;
}

export function createToken(ctx: AclContext, body: Decoded, scope: Scope): AclToken {
  const accessorId =
    typeof body['AccessorID'] === 'string' && body['AccessorID'] !== '' ? body['AccessorID'] : undefined;
  const secretId =
    typeof body['SecretID'] === 'string' && body['SecretID'] !== '' ? body['SecretID'] : undefined;
  if (accessorId !== undefined) checkNewId(ctx, 'AccessorID', accessorId);
  if (secretId !== undefined) checkNewId(ctx, 'SecretID', secretId);
  const expirationTime = expirationFrom(ctx, body);
  if (typeof body['AuthMethod'] === 'string' && body['AuthMethod'] !== '') {
    throw rpcError('AuthMethod field is disallowed outside of login');
  }
  const local = body['Local'] === true;
  const fields = linkFields(ctx, body, scope, local);
  const finalAccessor = accessorId ?? ctx.newId();
  const finalSecret = secretId ?? ctx.newId();
  return ctx.state.write(['acl-tokens'], (index) => {
    const token: AclToken = {
      accessorId: finalAccessor,
      secretId: finalSecret,
      ...fields,
      local,
      ...(expirationTime !== undefined ? { expirationTime } : {}),
      createTime: ctx.now,
      hash: tokenHash({ ...fields, local }),
      createIndex: index,
      modifyIndex: index,
      scope,
    };
    ctx.state.tokens.set(finalAccessor, token);
    return token;
  });
}

/**
 * The token a login makes (see login.ts): its links already resolved by the binder, `authMethod`
 * set; never a caller-chosen ID.
 */
export function createLoginToken(
  ctx: AclContext,
  fields: TokenFields,
  extra: { local: boolean; scope: Scope; authMethod: string; expirationTime?: number },
): AclToken {
  return storeNewToken(ctx, fields, extra);
}

export type TokenFields = Pick<
  AclToken,
  'description' | 'policyIds' | 'roleIds' | 'serviceIdentities' | 'nodeIdentities'
>;

/** Stores a new token with fresh IDs at the next index; `after` runs in the same write. */
function storeNewToken(
  ctx: AclContext,
  fields: TokenFields,
  extra: { local: boolean; scope: Scope; authMethod?: string; expirationTime?: number },
  after: (index: number) => void = () => undefined,
): AclToken {
  const accessorId = ctx.newId();
  const secretId = ctx.newId();
  return ctx.state.write(['acl-tokens'], (index) => {
    const token: AclToken = {
      accessorId,
      secretId,
      ...fields,
      local: extra.local,
      ...(extra.authMethod !== undefined ? { authMethod: extra.authMethod } : {}),
      ...(extra.expirationTime !== undefined ? { expirationTime: extra.expirationTime } : {}),
      createTime: ctx.now,
      hash: tokenHash({ ...fields, local: extra.local }),
      createIndex: index,
      modifyIndex: index,
      scope: extra.scope,
    };
    ctx.state.tokens.set(accessorId, token);
    after(index);
    return token;
  });
}

export function updateToken(ctx: AclContext, accessorId: string, body: Decoded, scope: Scope): AclToken {
  const bodyAccessor =
    typeof body['AccessorID'] === 'string' && body['AccessorID'] !== '' ? body['AccessorID'] : accessorId;
  if (bodyAccessor !== accessorId) throw badRequest('Token Accessor ID in URL and payload do not match');
  if (!isUuid(accessorId)) throw rpcError('AccessorID is not a valid UUID');
  const existing = ctx.state.tokens.get(accessorId);
  if (!visible(ctx, existing, scope)) throw rpcError(`Cannot find token "${accessorId}"`);
  const secretId = typeof body['SecretID'] === 'string' ? body['SecretID'] : '';
  if (secretId !== '' && secretId !== existing.secretId)
    throw rpcError("Changing a token's SecretID is not permitted");
  if ((body['Local'] === true) !== existing.local)
    throw rpcError(`Cannot toggle local mode of ${accessorId}`);
  const authMethod = typeof body['AuthMethod'] === 'string' ? body['AuthMethod'] : '';
  if (authMethod !== '' && authMethod !== (existing.authMethod ?? '')) {
    throw rpcError(`Cannot change AuthMethod of ${accessorId}`);
  }
  if (ttlMs(body['ExpirationTTL']) !== 0) throw rpcError(`Cannot change expiration time of ${accessorId}`);
  const expiration = body['ExpirationTime'];
  if (typeof expiration === 'string' && expiration !== '') {
    if (existing.expirationTime === undefined || Date.parse(expiration) !== existing.expirationTime) {
      throw rpcError(`Cannot change expiration time of ${accessorId}`);
    }
  }
  const fields = linkFields(ctx, body, scope, existing.local);
  return ctx.state.write(['acl-tokens'], (index) => {
    const token: AclToken = {
      ...existing,
      ...fields,
      hash: tokenHash({ ...fields, local: existing.local }),
      modifyIndex: index,
    };
    ctx.state.tokens.set(accessorId, token);
    return token;
  });
}

/**
 * TokenDelete's checks in Consul's order; a missing token is a no-op up to 1.14 (returns undefined)
 * and a 404 from 1.15.
 */
export function deleteToken(
  ctx: AclContext,
  accessorId: string,
  scope: Scope,
  requestAccessorId: string,
): AclToken | undefined {
  if (!isUuid(accessorId)) throw rpcError('Accessor ID is missing or an invalid UUID');
  if (accessorId === ANONYMOUS_ACCESSOR_ID)
    throw rpcError('Delete operation not permitted on the anonymous token');
  const existing = ctx.state.tokens.get(accessorId);
  if (!existing || !sameScope(existing.scope, scope)) {
    rejectMissingDelete(ctx, 'token');
    return undefined;
  }
  if (accessorId === requestAccessorId) {
    throw rpcError("Deletion of the request's authorization token is not permitted");
  }
  ctx.state.write(['acl-tokens'], () => {
    ctx.state.tokens.delete(accessorId);
  });
  return existing;
}

/** `PUT /v1/acl/token/:accessor/clone`: a new token with the same links and fresh IDs. */
export function cloneToken(ctx: AclContext, accessorId: string, body: Decoded, scope: Scope): AclToken {
  const source = ctx.state.tokens.get(accessorId);
  if (!visible(ctx, source, scope)) throw aclNotFound();
  if (source.authMethod) throw rpcError('Cannot clone a token created from an auth method');
  const description =
    typeof body['Description'] === 'string' && body['Description'] !== ''
      ? body['Description']
      : source.description;
  const newAccessor = ctx.newId();
  const newSecret = ctx.newId();
  return ctx.state.write(['acl-tokens'], (index) => {
    const token: AclToken = {
      ...source,
      accessorId: newAccessor,
      secretId: newSecret,
      description,
      createTime: ctx.now,
      hash: tokenHash({ ...source, description }),
      createIndex: index,
      modifyIndex: index,
    };
    ctx.state.tokens.set(newAccessor, token);
    return token;
  });
}

/** `PUT /v1/acl/bootstrap`: one management token, once per cluster. */
export function bootstrapAcl(ctx: AclContext): AclToken {
  if (ctx.state.bootstrapIndex !== undefined) {
    throw permissionDeniedCause(`ACL bootstrap no longer allowed (reset index: ${ctx.state.bootstrapIndex})`);
  }
  const fields = {
    description: 'Bootstrap Token (Global Management)',
    policyIds: [GLOBAL_MANAGEMENT_POLICY_ID],
    roleIds: [],
    serviceIdentities: [],
    nodeIdentities: [],
  };
  return storeNewToken(ctx, fields, { local: false, scope: DEFAULT_SCOPE }, (index) => {
    ctx.state.bootstrapIndex = index;
  });
}
