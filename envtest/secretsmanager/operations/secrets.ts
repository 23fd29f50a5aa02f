/**
 * Secret lifecycle operations: CreateSecret, UpdateSecret, DescribeSecret, DeleteSecret,
 * RestoreSecret.
 *
 * Invariants:
 * - CreateSecret over an existing name is ResourceExistsException, unless it repeats the same
 *   ClientRequestToken and value (an SDK retry), which returns the existing secret; over a name
 *   scheduled for deletion it is InvalidRequestException.
 * - DeleteSecret schedules deletion after RecoveryWindowInDays (7..30, default 30) or, with
 *   ForceDeleteWithoutRecovery, removes the secret at once; never both.
 * - Responses carry ARN and Name, never a secret value.
 */
import { type OperationHandler } from '../../aws/json-protocol.js';
import { invalidParameter, invalidRequest, secretExists } from '../errors.js';
import { describeShape } from '../shapes.js';
import { type SecretStore } from '../store.js';
import { readTags, readValue, reader, requireNotDeleted, requireSecret } from './common.js';

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const DEFAULT_RECOVERY_WINDOW_DAYS = 30;

export function secretOperations(store: SecretStore): Record<string, OperationHandler> {
  return {
    CreateSecret: (input) => {
      const request = reader(input);
      const name = request.requiredString('Name');
      if (!NAME_PATTERN.test(name))
        throw invalidParameter(
          'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
        );
      const value = readValue(request);
      const token = request.string('ClientRequestToken') ?? store.newVersionId();
      const existing = store.find(name);
      if (existing?.deletedAt !== undefined) {
        throw invalidRequest(
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      if (existing) {
        const version = existing.versions.get(token);
        const sameValue =
          version !== undefined &&
          version.secretString === value?.secretString &&
          version.secretBinary === value?.secretBinary;
        if (!sameValue) throw secretExists(name);
        return { ARN: existing.arn, Name: existing.name, VersionId: token };
      }
      const description = request.string('Description');
      const kmsKeyId = request.string('KmsKeyId');
      const secret = store.create({
        name,
        ...(description !== undefined ? { description } : {}),
        ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
        tags: readTags(request.objects('Tags')),
      });
      if (value === undefined) return { ARN: secret.arn, Name: secret.name };
      const version = store.putValue(secret, token, value);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },

    UpdateSecret: (input) => {
      const request = reader(input);
      const secret = requireNotDeleted(requireSecret(store, request));
      const value = readValue(request);
      const description = request.string('Description');
      const kmsKeyId = request.string('KmsKeyId');
      if (description !== undefined) secret.description = description;
      if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
      secret.lastChangedAt = store.clock.now();
      if (value === undefined) return { ARN: secret.arn, Name: secret.name };
      const token = request.string('ClientRequestToken') ?? store.newVersionId();
      const version = store.putValue(secret, token, value);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },

    DescribeSecret: (input) => describeShape(requireSecret(store, reader(input))),

    DeleteSecret: (input) => {
      const request = reader(input);
      const force = request.boolean('ForceDeleteWithoutRecovery') ?? false;
      const window = request.number('RecoveryWindowInDays');
      if (force && window !== undefined) {
        throw invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      if (window !== undefined && (!Number.isInteger(window) || window < 7 || window > 30)) {
        throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
      }
      const secret = requireSecret(store, request);
      if (force) {
        store.remove(secret);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: store.clock.now() / 1000 };
      }
      if (secret.deletedAt !== undefined) {
        throw invalidRequest(
          "You tried to perform the operation on a secret that's currently marked deleted.",
        );
      }
      store.scheduleDeletion(secret, window ?? DEFAULT_RECOVERY_WINDOW_DAYS);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: (secret.deletionDate ?? 0) / 1000 };
    },

    RestoreSecret: (input) => {
      const secret = requireSecret(store, reader(input));
      store.restore(secret);
      return { ARN: secret.arn, Name: secret.name };
    },
  };
}
