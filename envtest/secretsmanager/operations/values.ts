/**
 * Secret value operations: GetSecretValue, PutSecretValue.
 *
 * Invariants:
 * - GetSecretValue reads AWSCURRENT unless VersionId or VersionStage says otherwise; both given
 *   must name the same version.
 * - PutSecretValue adds a version (id = ClientRequestToken) labelled AWSCURRENT unless
 *   VersionStages says otherwise; the old AWSCURRENT becomes AWSPREVIOUS.
 * - Both refuse a secret scheduled for deletion with InvalidRequestException.
 */
import { type OperationHandler } from '../../aws/json-protocol.js';
import { epochSeconds } from '../../aws/ids.js';
import { invalidParameter, secretValueNotFound } from '../errors.js';
import { AWSCURRENT } from '../model.js';
import { type SecretStore } from '../store.js';
import { readValue, reader, requireNotDeleted, requireSecret } from './common.js';

export function valueOperations(store: SecretStore): Record<string, OperationHandler> {
  return {
    GetSecretValue: (input) => {
      const request = reader(input);
      const secret = requireNotDeleted(requireSecret(store, request));
      const versionId = request.string('VersionId');
      const stage = request.string('VersionStage');
      const version =
        versionId !== undefined
          ? secret.versions.get(versionId)
          : store.versionWithStage(secret, stage ?? AWSCURRENT);
      if (!version || (stage !== undefined && !version.stages.includes(stage))) {
        throw secretValueNotFound(
          versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage ?? AWSCURRENT}`,
        );
      }
      store.markAccessed(secret);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
        ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
        VersionStages: [...version.stages],
        CreatedDate: epochSeconds(version.createdAt),
      };
    },

    PutSecretValue: (input) => {
      const request = reader(input);
      const secret = requireNotDeleted(requireSecret(store, request));
      const value = readValue(request);
      if (value === undefined)
        throw invalidParameter('You must provide either SecretString or SecretBinary.');
      const stages = request.strings('VersionStages');
      const token = request.string('ClientRequestToken') ?? store.newVersionId();
      const version = store.putValue(
        secret,
        token,
        value,
        stages && stages.length > 0 ? stages : [AWSCURRENT],
      );
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        VersionStages: [...version.stages],
      };
    },
  };
}
