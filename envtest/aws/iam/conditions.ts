/**
 * Conditions: the condition operators envtest evaluates, with IAM's rules for missing and
 * multivalued context keys.
 *
 * Invariants:
 * - Within one condition, the condition's values are ORed; a statement's conditions are ANDed
 *   (the caller does that).
 * - A single-valued operator (no `ForAllValues:`/`ForAnyValue:`) needs the key present with a
 *   single (string) value; a multivalued context value (a list, such as `aws:TagKeys`) never
 *   satisfies it, negated operators included ("a set operator is required for a multivalued
 *   key").
 * - A missing key: fails a positive operator, satisfies a negated one (`StringNotEquals`,
 *   `ArnNotLike`, …), satisfies any `…IfExists` operator; `Null` tests presence itself.
 * - `ForAllValues:` holds when every context value satisfies the inner operator (vacuously true
 *   for a missing key or an empty list); `ForAnyValue:` when at least one does (false when
 *   missing, `IfExists` or not).
 * - `ArnEquals` and `ArnLike` are the same test (IAM allows wildcards in both), field by field.
 *   A comparison with a condition value or context value that is not a whole ARN fails, for
 *   the negated operators too (`ArnNotLike` holds only if every value is a valid non-match).
 */
import { arnFields, arnMatches, wildcardMatches } from './wildcard.js';

/** Request context: a key's single value, or the values of a multivalued key. */
export type ContextValue = string | readonly string[];
export type RequestContext = Readonly<Record<string, ContextValue>>;

type Match = (want: string, value: string) => boolean;

const BASE: Readonly<Record<string, { match: Match; negated: boolean }>> = {
  StringEquals: { match: (w, v) => w === v, negated: false },
  StringNotEquals: { match: (w, v) => w === v, negated: true },
  StringEqualsIgnoreCase: { match: (w, v) => w.toLowerCase() === v.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (w, v) => w.toLowerCase() === v.toLowerCase(), negated: true },
  StringLike: { match: (w, v) => wildcardMatches(w, v), negated: false },
  StringNotLike: { match: (w, v) => wildcardMatches(w, v), negated: true },
  ArnEquals: { match: arnMatches, negated: false },
  ArnLike: { match: arnMatches, negated: false },
  ArnNotEquals: { match: arnMatches, negated: true },
  ArnNotLike: { match: arnMatches, negated: true },
  Bool: { match: (w, v) => w.toLowerCase() === v.toLowerCase(), negated: false },
};

interface ParsedOperator {
  readonly set?: 'ForAllValues' | 'ForAnyValue';
  readonly base: string;
  readonly ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator | undefined {
  const [first, second] = operator.split(':') as [string, string | undefined];
  const set = second === undefined ? undefined : first;
  if (set !== undefined && set !== 'ForAllValues' && set !== 'ForAnyValue') return undefined;
  let base = second ?? first;
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  if (base === 'Null') return set === undefined && !ifExists ? { base, ifExists } : undefined;
  if (!Object.hasOwn(BASE, base)) return undefined;
  return set === undefined ? { base, ifExists } : { set, base, ifExists };
}

export function isSupportedOperator(operator: string): boolean {
  return parseOperator(operator) !== undefined;
}

/** Whether one condition (operator, key, values) holds for the request context. */
export function conditionHolds(
  operator: string,
  key: string,
  values: readonly string[],
  context: RequestContext,
): boolean {
  const parsed = parseOperator(operator);
  if (parsed === undefined) throw new Error(`condition operator ${operator} is not emulated`);
  const actual = lookup(context, key);
  if (parsed.base === 'Null') {
    const absent = actual === undefined;
    return values.some((want) => (want.toLowerCase() === 'true') === absent);
  }
  const { match, negated } = BASE[parsed.base] as { match: Match; negated: boolean };
  const isArn = parsed.base.startsWith('Arn');
  const valid = (want: string, value: string) =>
    !isArn || (arnFields(want) !== undefined && arnFields(value) !== undefined);
  const satisfies = (value: string) =>
    negated
      ? values.every((want) => valid(want, value) && !match(want, value))
      : values.some((want) => valid(want, value) && match(want, value));
  if (parsed.set === 'ForAllValues') {
    if (actual === undefined) return true;
    return asList(actual).every(satisfies);
  }
  if (parsed.set === 'ForAnyValue') {
    if (actual === undefined) return false;
    return asList(actual).some(satisfies);
  }
  if (actual === undefined) return negated || parsed.ifExists;
  if (typeof actual !== 'string') return false;
  return satisfies(actual);
}

/** Condition keys are case-insensitive; the request context is looked up accordingly. */
function lookup(context: RequestContext, key: string): ContextValue | undefined {
  if (Object.hasOwn(context, key)) return context[key];
  const lower = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) if (name.toLowerCase() === lower) return value;
  return undefined;
}

function asList(value: ContextValue): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}
