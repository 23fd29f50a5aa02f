/**
 * ACL response shapes: checks that a decoded Consul answer is what the ACL endpoints document
 * before anything acts on it, so garbage (a proxy's HTML already fails JSON parsing; `{}`, a
 * string, a list of numbers, a token without an AccessorID, wrong-typed fields) becomes a clear
 * error instead of "the token does not exist" or "there are no tokens".
 *
 * Invariants:
 * - The checks never throw; they return the reason a value is not a token/policy (quoting no part
 *   of it, which may hold a SecretID), or undefined when it is one.
 * - Lenient only where Consul itself varies: optional fields may be absent, and lists may be
 *   `null` (Consul's JSON for an empty Go slice).
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optional(object: Json, field: string, type: 'string' | 'number' | 'boolean'): string | undefined {
  const value = object[field];
  return value === undefined || typeof value === type ? undefined : `${field} is not a ${type}`;
}

function optionalList(object: Json, field: string, item: (value: unknown) => boolean): string | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return `${field} is not a list`;
  return value.every(item) ? undefined : `${field} has an invalid entry`;
}

const link = (value: unknown) =>
  isObject(value) &&
  (value.ID === undefined || typeof value.ID === 'string') &&
  (value.Name === undefined || typeof value.Name === 'string');

const serviceIdentity = (value: unknown) => isObject(value) && typeof value.ServiceName === 'string';

/** Why `value` is not an ACL token, or undefined when it is one. */
export function aclTokenProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (typeof value.AccessorID !== 'string' || value.AccessorID === '') return 'AccessorID is missing';
  return (
    optional(value, 'SecretID', 'string') ??
    optional(value, 'Description', 'string') ??
    optional(value, 'Local', 'boolean') ??
    optional(value, 'CreateIndex', 'number') ??
    optional(value, 'ModifyIndex', 'number') ??
    optional(value, 'Partition', 'string') ??
    optional(value, 'Namespace', 'string') ??
    optionalList(value, 'Policies', link) ??
    optionalList(value, 'Roles', link) ??
    optionalList(value, 'ServiceIdentities', serviceIdentity) ??
    optionalList(value, 'NodeIdentities', isObject)
  );
}

/** Why `value` is not an ACL policy, or undefined when it is one. */
export function aclPolicyProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (typeof value.ID !== 'string' || value.ID === '') return 'ID is missing';
  if (typeof value.Name !== 'string') return 'Name is missing';
  return (
    optional(value, 'Description', 'string') ??
    optional(value, 'Rules', 'string') ??
    optional(value, 'CreateIndex', 'number') ??
    optional(value, 'ModifyIndex', 'number') ??
    optional(value, 'Partition', 'string') ??
    optional(value, 'Namespace', 'string')
  );
}

/** Why `value` is not a list whose every entry passes `problem`, or undefined when it is. */
export function listProblem(
  value: unknown,
  problem: (item: unknown) => string | undefined,
): string | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) return 'not a JSON list';
  for (let i = 0; i < value.length; i++) {
    const reason = problem(value[i]);
    if (reason !== undefined) return `entry ${i}: ${reason}`;
  }
  return undefined;
}
