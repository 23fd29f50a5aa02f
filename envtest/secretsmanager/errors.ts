/**
 * SecretsManagerErrors: the error codes and messages Secrets Manager answers with.
 *
 * Invariants:
 * - Client errors are HTTP 400 (throttling and ResourceNotFoundException included, as AWS does);
 *   only InternalServiceError is HTTP 500.
 * - No message ever contains a secret value.
 */
import { AwsError } from '../aws/errors.js';

export const secretNotFound = () =>
  new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
export const secretValueNotFound = (what: string) =>
  new AwsError(
    'ResourceNotFoundException',
    `Secrets Manager can't find the specified secret value for ${what}`,
  );
export const secretExists = (name: string) =>
  new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message);
export const markedForDeletion = () =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
export const invalidNextToken = () =>
  new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
export const throttling = () => new AwsError('ThrottlingException', 'Rate exceeded');
export const internalServiceError = () =>
  new AwsError('InternalServiceError', 'An error occurred on the server side.', 500);
