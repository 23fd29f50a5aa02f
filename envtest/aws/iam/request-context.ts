/**
 * Helpers the services use to build the IAM requests of a call from its raw input.
 *
 * Invariants:
 * - They never throw on malformed input: a field of the wrong type reads as absent, so the
 *   operation's own validation (after authorization) still answers with the service's error.
 * - Tag context follows IAM: `aws:RequestTag/<key>` per tag sent, `aws:TagKeys` listing the keys
 *   sent (absent when none is sent), `aws:ResourceTag/<key>` per tag the resource already has.
 */
import { type JsonObject } from '../input.js';
import { type RequestContext } from './conditions.js';

export function stringField(input: JsonObject, field: string): string | undefined {
  const value = input[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function stringsField(input: JsonObject, field: string): string[] {
  const value = input[field];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export interface TagPair {
  readonly key: string;
  readonly value: string;
}

/** Tags sent as a list of objects, `{key, value}` (ECS) or `{Key, Value}` (Secrets Manager). */
export function tagList(input: JsonObject, field: string, keyName: string, valueName: string): TagPair[] {
  const value = input[field];
  if (!Array.isArray(value)) return [];
  const tags: TagPair[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Record<string, unknown>;
    const key = record[keyName];
    if (typeof key !== 'string') continue;
    const tagValue = record[valueName];
    tags.push({ key, value: typeof tagValue === 'string' ? tagValue : '' });
  }
  return tags;
}

export function requestTagContext(tags: readonly TagPair[]): RequestContext {
  if (tags.length === 0) return {};
  const context: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((tag) => tag.key) };
  for (const tag of tags) context[`aws:RequestTag/${tag.key}`] = tag.value;
  return context;
}

export function tagKeysContext(keys: readonly string[]): RequestContext {
  return keys.length === 0 ? {} : { 'aws:TagKeys': [...keys] };
}

export function resourceTagContext(tags: readonly TagPair[], servicePrefix?: string): RequestContext {
  const context: Record<string, string> = {};
  for (const tag of tags) {
    context[`aws:ResourceTag/${tag.key}`] = tag.value;
    if (servicePrefix !== undefined) context[`${servicePrefix}:ResourceTag/${tag.key}`] = tag.value;
  }
  return context;
}
