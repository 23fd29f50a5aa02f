/**
 * EcsTags: reading, merging and removing ECS tags (`{key, value}` pairs).
 *
 * Invariants:
 * - A tag list never holds two tags with the same key; a later tag replaces an earlier one in place.
 * - Lists returned are fresh copies; callers may keep them without aliasing the model.
 */
import { type JsonObject } from '../aws/input.js';
import { invalidParameter } from './errors.js';
import { type Tag } from './model.js';

export const MAX_TAGS = 50;

export function readTags(raw: JsonObject[] | undefined): Tag[] {
  if (raw === undefined) return [];
  const tags = raw.map((item) => {
    if (typeof item.key !== 'string' || item.key === '') throw invalidParameter('Tag key must be a string.');
    if (item.value !== undefined && typeof item.value !== 'string') {
      throw invalidParameter('Tag value must be a string.');
    }
    return { key: item.key, value: (item.value as string | undefined) ?? '' };
  });
  return mergeTags([], tags);
}

/** Rejects tags users may not set (the `aws:` prefix is reserved). */
export function checkUserTags(tags: readonly Tag[]): void {
  if (tags.some((tag) => tag.key.toLowerCase().startsWith('aws:'))) {
    throw invalidParameter('Tag keys prefixed with aws: are reserved for AWS use.');
  }
}

export function mergeTags(base: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = base.map((tag) => ({ ...tag }));
  for (const tag of added) {
    const existing = merged.find((candidate) => candidate.key === tag.key);
    if (existing) existing.value = tag.value;
    else merged.push({ ...tag });
  }
  if (merged.length > MAX_TAGS) throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags.`);
  return merged;
}

export function removeTags(base: readonly Tag[], keys: readonly string[]): Tag[] {
  return base.filter((tag) => !keys.includes(tag.key)).map((tag) => ({ ...tag }));
}

export function copyTags(tags: readonly Tag[]): Tag[] {
  return tags.map((tag) => ({ ...tag }));
}
