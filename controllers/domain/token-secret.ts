/**
 * Token secrets: the JSON a Secrets Manager secret holds for one Consul token,
 * `{"accessor_id":"<uuid>","token":"<uuid>"}` (consul-ecs's format, read by ECS as `:token::`).
 *
 * Invariants:
 * - `parseTokenSecret` never throws: any value is classified as complete, empty (`{}`, partial,
 *   or blank) or malformed (not a JSON object, or an ID that is not a UUID), with a reason that
 *   quotes no part of the value.
 * - A complete secret has two valid, distinct UUIDs.
 */
export interface TokenIds {
  readonly accessorId: string;
  readonly secretId: string;
}

export type ParsedTokenSecret =
  | { readonly state: 'complete'; readonly ids: TokenIds }
  | { readonly state: 'empty' }
  | { readonly state: 'malformed'; readonly reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function parseTokenSecret(value: string | undefined): ParsedTokenSecret {
  if (value === undefined || value.trim() === '') return { state: 'empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { state: 'malformed', reason: 'the value is not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { state: 'malformed', reason: 'the value is not a JSON object' };
  }
  const { accessor_id: accessorId, token: secretId } = parsed as Record<string, unknown>;
  for (const [field, id] of [
    ['accessor_id', accessorId],
    ['token', secretId],
  ] as const) {
    if (id !== undefined && typeof id !== 'string')
      return { state: 'malformed', reason: `"${field}" is not a string` };
    if (typeof id === 'string' && id !== '' && !isUuid(id)) {
      return { state: 'malformed', reason: `"${field}" is not a UUID` };
    }
  }
  if (
    typeof accessorId !== 'string' ||
    accessorId === '' ||
    typeof secretId !== 'string' ||
    secretId === ''
  ) {
    return { state: 'empty' };
  }
  if (accessorId.toLowerCase() === secretId.toLowerCase()) {
    return { state: 'malformed', reason: '"accessor_id" and "token" are the same UUID' };
  }
  return { state: 'complete', ids: { accessorId, secretId } };
}

export function formatTokenSecret(ids: TokenIds): string {
  return JSON.stringify({ accessor_id: ids.accessorId, token: ids.secretId });
}
