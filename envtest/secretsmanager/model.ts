/**
 * SecretsManagerModel: the records the Secrets Manager emulator keeps.
 *
 * Invariants:
 * - A staging label is attached to at most one version of a secret; a version left without labels
 *   is dropped (AWS deprecates it).
 * - A secret scheduled for deletion has `deletedAt` (when it was marked) and `deletionDate` (when it
 *   goes away); both are cleared by a restore.
 */
export interface Tag {
  Key: string;
  Value: string;
}

export interface SecretVersion {
  readonly id: string;
  readonly secretString?: string;
  /** Base64, as the wire carries blobs. */
  readonly secretBinary?: string;
  readonly createdAt: number;
  stages: string[];
}

export interface Secret {
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  readonly createdAt: number;
  lastChangedAt: number;
  /** Day (UTC midnight) of the last GetSecretValue, as AWS reports it. */
  lastAccessedAt?: number;
  deletedAt?: number;
  deletionDate?: number;
  /** Versions by id, oldest first. */
  readonly versions: Map<string, SecretVersion>;
}

export interface SecretValue {
  readonly secretString?: string;
  readonly secretBinary?: string;
}

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
