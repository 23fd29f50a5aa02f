/**
 * AclContext: what an ACL operation needs besides its arguments.
 *
 * Invariants:
 * - `now` is read from the injected Clock once per request, so one write has one timestamp.
 * - `version` only changes which error a missing object produces, never the data.
 */
import { createHash } from 'node:crypto';

import { aclNotFound, ACL_NOT_FOUND, ConsulHttpError, notFound } from '../errors.js';
import { type IdGenerator } from '../ids.js';
import { type Scope } from '../scope.js';
import { type ConsulState } from '../state.js';

export type ConsulVersion = '1.14' | '1.15';

export interface AclContext {
  readonly state: ConsulState;
  readonly now: number;
  readonly newId: IdGenerator;
  readonly enterprise: boolean;
  readonly version: ConsulVersion;
}

/** A stable content hash, base64 like Consul's blake2b `Hash` field. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('base64');
}

/**
 * The answer for reading a token/policy/role that does not exist, per version. Up to 1.14 a
 * missing token or policy is 403 "ACL not found", but a missing role is already 404 (checked on
 * a real 1.14.8).
 */
export function resourceNotFound(ctx: AclContext, kind: 'token' | 'policy' | 'role'): ConsulHttpError {
  if (ctx.version === '1.14' && kind !== 'role') return aclNotFound();
  return notFound(`Requested ${kind} does not exist: ${ACL_NOT_FOUND}`);
}

/**
 * Deleting a token/policy/role that does not exist: a silent success (`true`) up to 1.14, a 404
 * "Cannot find <kind> to delete" from 1.15 (hashicorp/consul#16105).
 */
export function rejectMissingDelete(ctx: AclContext, kind: 'token' | 'policy' | 'role'): void {
  if (ctx.version !== '1.14') throw notFound(`Cannot find ${kind} to delete`);
}

/** Namespace/Partition fields for enterprise responses; nothing in OSS. */
export function scopeFields(ctx: AclContext, scope: Scope): Record<string, string> {
  return ctx.enterprise ? { Namespace: scope.namespace, Partition: scope.partition } : {};
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
