/**
 * Pagination: opaque next-token paging over a list kept in a stable order.
 *
 * Invariants:
 * - Items are paged by a monotonically increasing sequence number, not by offset, so items added
 *   or removed between two calls never make a page repeat or skip a surviving item.
 * - A token is returned only when at least one more item follows the page.
 * - A token that this module did not issue is rejected with the caller's error.
 */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

export function encodeToken(afterSeq: number): string {
  return Buffer.from(JSON.stringify({ after: afterSeq }), 'utf8').toString('base64');
}

/** The sequence number a token continues after, or undefined for a token we did not issue. */
export function decodeToken(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    const after = (parsed as { after?: unknown } | null)?.after;
    return typeof after === 'number' && Number.isInteger(after) ? after : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One page of `items` (already sorted by `seqOf`, ascending), starting after the token's position.
 * `invalidToken` builds the error thrown for a token that cannot be decoded.
 */
export function paginate<T>(
  items: readonly T[],
  seqOf: (item: T) => number,
  maxResults: number,
  nextToken: string | undefined,
  invalidToken: () => Error,
): Page<T> {
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const after = decodeToken(nextToken);
    if (after === undefined) throw invalidToken();
    start = items.findIndex((item) => seqOf(item) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + maxResults);
  const last = page[page.length - 1];
  const more = start + page.length < items.length;
  return more && last !== undefined ? { items: page, nextToken: encodeToken(seqOf(last)) } : { items: page };
}
