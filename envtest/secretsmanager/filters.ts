/**
 * ListSecretsFilters: the `Filters` of ListSecrets.
 *
 * Invariants:
 * - Filters are ANDed; the values of one filter are ORed; a value starting with `!` negates and
 *   must match none.
 * - `name`, `tag-key`, `tag-value` are case-sensitive prefix matches; `description` and `all` split
 *   the value into words and need each to prefix some word of the field, case-insensitively
 *   (`all` looks at name, description, tag keys and values). `primary-region` and `owning-service` never match: the emulator has neither.
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

/** Every word of `value` must start some word of `field` (case-insensitive). */
function wordPrefixMatch(field: string, value: string): boolean {
  const fieldWords = wordsOf(field);
  const valueWords = wordsOf(value);
  if (valueWords.length === 0) return false;
  return valueWords.every((word) => fieldWords.some((candidate) => candidate.startsWith(word)));
}

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}
