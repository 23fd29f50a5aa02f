/**
 * ListSecretsFilters: the `Filters` of ListSecrets.
 *
 * Invariants:
 * - Filters are ANDed; the values of one filter are ORed; a value starting with `!` negates and
 *   must match none.
 * - `name`, `tag-key`, `tag-value` are case-sensitive prefix matches; `description` and `all` match
 *   a prefix of any word, case-insensitively (`all` looks at name, description, tag keys and
 *   values). `primary-region` and `owning-service` never match: the emulator has neither.
 */
import { type JsonObject } from '../aws/input.js';
import { invalidParameter } from './errors.js';
import { type Secret } from './model.js';

export const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
];

export interface SecretFilter {
  readonly key: string;
  readonly values: readonly string[];
}

export function readFilters(raw: JsonObject[] | undefined): SecretFilter[] {
  return (raw ?? []).map((item) => {
    const key = item.Key;
    if (typeof key !== 'string' || !FILTER_KEYS.includes(key)) {
      throw invalidParameter(`Invalid filter key: ${String(key)}.`);
    }
    const values = item.Values;
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      values.some((v) => typeof v !== 'string' || v === '')
    ) {
      throw invalidParameter(`Invalid filter values for key: ${key}.`);
    }
    return { key, values: values as string[] };
  });
}

export function matchesFilters(secret: Secret, filters: readonly SecretFilter[]): boolean {
  return filters.every((filter) => matchesFilter(secret, filter));
}

function matchesFilter(secret: Secret, filter: SecretFilter): boolean {
  const positive = filter.values.filter((value) => !value.startsWith('!'));
  const negative = filter.values.filter((value) => value.startsWith('!')).map((value) => value.slice(1));
  const fields = fieldsFor(secret, filter.key);
  const wordMatch = filter.key === 'description' || filter.key === 'all';
  const matches = (value: string) =>
    fields.some((field) => (wordMatch ? wordPrefixMatch(field, value) : field.startsWith(value)));
  if (positive.length > 0 && !positive.some(matches)) return false;
  return !negative.some(matches);
}

function fieldsFor(secret: Secret, key: string): string[] {
  const tagKeys = secret.tags.map((tag) => tag.Key);
  const tagValues = secret.tags.map((tag) => tag.Value);
  switch (key) {
    case 'name':
      return [secret.name];
    case 'description':
      return secret.description !== undefined ? [secret.description] : [];
    case 'tag-key':
      return tagKeys;
    case 'tag-value':
      return tagValues;
    case 'all':
      return [
        secret.name,
        ...(secret.description !== undefined ? [secret.description] : []),
        ...tagKeys,
        ...tagValues,
      ];
    default:
      return [];
  }
}

function wordPrefixMatch(field: string, value: string): boolean {
  const lowerField = field.toLowerCase();
  const lowerValue = value.toLowerCase();
  if (lowerField.startsWith(lowerValue)) return true;
  return lowerField.split(/[^a-z0-9]+/).some((word) => word !== '' && word.startsWith(lowerValue));
}
