/**
 * SecretShapes: renders secrets as the JSON objects Secrets Manager returns.
 *
 * Invariants:
 * - Field names are those of the API (PascalCase); timestamps are epoch seconds.
 * - Metadata shapes (DescribeSecret, ListSecrets) never contain a secret value.
 * - Optional fields without a value are omitted.
 */
import { epochSeconds } from '../aws/ids.js';
import { type Secret } from './model.js';

type Shape = Record<string, unknown>;

function optionalTime(name: string, ms: number | undefined): Shape {
  return ms === undefined ? {} : { [name]: epochSeconds(ms) };
}

function versionsToStages(secret: Secret): Record<string, string[]> {
  return Object.fromEntries(
    [...secret.versions.values()].map((version) => [version.id, [...version.stages]]),
  );
}

function metadata(secret: Secret): Shape {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    ...(secret.kmsKeyId !== undefined ? { KmsKeyId: secret.kmsKeyId } : {}),
    ...optionalTime('LastChangedDate', secret.lastChangedAt),
    ...optionalTime('LastAccessedDate', secret.lastAccessedAt),
    ...optionalTime('DeletedDate', secret.deletedAt),
    Tags: secret.tags.map((tag) => ({ ...tag })),
    CreatedDate: epochSeconds(secret.createdAt),
  };
}

/** DescribeSecret's output. */
export function describeShape(secret: Secret): Shape {
  return { ...metadata(secret), VersionIdsToStages: versionsToStages(secret) };
}

/** One entry of ListSecrets' SecretList. */
export function listEntryShape(secret: Secret): Shape {
  return { ...metadata(secret), SecretVersionsToStages: versionsToStages(secret) };
}
