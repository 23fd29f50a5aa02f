/**
 * Wildcards of the IAM policy language: `*` matches any run of characters (also none), `?`
 * exactly one; every other character matches itself.
 *
 * Invariants:
 * - A pattern matches the whole value, never a part of it.
 * - Actions match case-insensitively (IAM action names are), resources and condition values
 *   case-sensitively unless the operator says otherwise.
 * - ARN matching (`arnMatches`) compares the six colon-separated ARN fields one by one, so a
 *   wildcard never spans a colon before the resource field; the resource field (which may hold
 *   colons itself) is matched whole.
 * - A Resource element shorter than six fields (`arn:aws:sqs:*`) has its missing trailing fields
 *   read as `*`, as IAM does for identity policies; an ArnLike/ArnEquals condition value is not
 *   padded (it must be a whole ARN pattern).
 * - A call whose resource is `*` (an action without resource-level permissions) is matched only
 *   by the Resource `*`.
 */
const cache = new Map<string, RegExp>();

export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = cache.get(cacheKey);
  if (regex === undefined) {
    const source = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, regex);
  }
  return regex.test(value);
}

/** `arn:partition:service:region:account:resource`, with the resource field possibly holding colons. */
export function arnFields(arn: string): string[] | undefined {
  const fields = arn.split(':');
  if (fields.length < 6 || fields[0] !== 'arn') return undefined;
  return [...fields.slice(0, 5), fields.slice(5).join(':')];
}

/** An ArnLike/ArnEquals condition value against an ARN from the request context. */
export function arnMatches(pattern: string, arn: string): boolean {
  const want = arnFields(pattern);
  const have = arnFields(arn);
  if (want === undefined || have === undefined) return false;
  return fieldsMatch(want, have);
}

/** A Resource element against the resource a call names. */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (resource === '*') return false;
  const have = arnFields(resource);
  if (have === undefined) return wildcardMatches(pattern, resource);
  const fields = pattern.split(':');
  if (fields[0] !== 'arn') return false;
  const want =
    fields.length >= 6
      ? [...fields.slice(0, 5), fields.slice(5).join(':')]
      : [...fields, ...Array<string>(6 - fields.length).fill('*')];
  return fieldsMatch(want, have);
}

function fieldsMatch(want: readonly string[], have: readonly string[]): boolean {
  return want.every((field, i) => wildcardMatches(field, have[i] as string));
}
