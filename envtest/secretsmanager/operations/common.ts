/**
 * Shared request helpers for Secrets Manager operations.
 *
 * Invariants:
 * - A secret id that names nothing is ResourceNotFoundException; a value-changing operation on a
 *   secret scheduled for deletion is InvalidRequestException, as AWS answers.
 * - A request may carry SecretString or SecretBinary, never both.
 */
import { InputReader, type JsonObject } from '../../aws/input.js';
import { invalidParameter, markedForDeletion, secretNotFound } from '../errors.js';
import { type Secret, type SecretValue, type Tag } from '../model.js';
import { type SecretStore } from '../store.js';

export function reader(input: JsonObject): InputReader {
  return new InputReader(input, 'InvalidParameterException');
}

export function requireSecret(store: SecretStore, request: InputReader): Secret {
  const secret = store.find(request.requiredString('SecretId'));
  if (!secret) throw secretNotFound();
  return secret;
}

export function requireNotDeleted(secret: Secret): Secret {
  if (secret.deletedAt !== undefined) throw markedForDeletion();
  return secret;
}

/** The value a request carries, or undefined when it carries none. */
export function readValue(request: InputReader): SecretValue | undefined {
  const secretString = request.string('SecretString');
  const secretBinary = request.string('SecretBinary');
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (secretString !== undefined) return { secretString };
  if (secretBinary !== undefined) return { secretBinary };
  return undefined;
}

export function readTags(raw: JsonObject[] | undefined): Tag[] {
  const tags: Tag[] = [];
  for (const item of raw ?? []) {
    if (typeof item.Key !== 'string' || item.Key === '')
      throw invalidParameter('Tag keys must be non-empty strings.');
    if (item.Key.toLowerCase().startsWith('aws:'))
      throw invalidParameter('Tag keys prefixed with aws: are reserved.');
    const value = typeof item.Value === 'string' ? item.Value : '';
    const existing = tags.find((tag) => tag.Key === item.Key);
    if (existing) existing.Value = value;
    else tags.push({ Key: item.Key, Value: value });
  }
  return tags;
}

export function mergeTags(base: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = base.map((tag) => ({ ...tag }));
  for (const tag of added) {
    const existing = merged.find((candidate) => candidate.Key === tag.Key);
    if (existing) existing.Value = tag.Value;
    else merged.push({ ...tag });
  }
  return merged;
}
