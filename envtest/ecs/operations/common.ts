/**
 * Shared request helpers for ECS operations: parameter reading, page sizes, paging.
 *
 * Invariants:
 * - Parameter problems are InvalidParameterException, as ECS reports them.
 * - Page sizes outside 1..max are rejected, never clamped.
 */
import { InputReader, type JsonObject } from '../../aws/input.js';
import { type Page, paginate } from '../../aws/pagination.js';
import { invalidParameter } from '../errors.js';

export function reader(input: JsonObject): InputReader {
  return new InputReader(input, 'InvalidParameterException');
}

export function maxResultsOf(input: InputReader, defaultValue: number, max: number): number {
  const value = input.number('maxResults');
  if (value === undefined) return defaultValue;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalidParameter(`maxResults must be between 1 and ${max}.`);
  }
  return value;
}

export function page<T extends { seq: number }>(
  items: readonly T[],
  maxResults: number,
  nextToken: string | undefined,
): Page<T> {
  return paginate(
    items,
    (item) => item.seq,
    maxResults,
    nextToken,
    () => invalidParameter('Invalid nextToken.'),
  );
}

export function withNextToken<T extends Record<string, unknown>>(output: T, nextToken: string | undefined) {
  return nextToken === undefined ? output : { ...output, nextToken };
}
