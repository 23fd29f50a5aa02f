/**
 * EcsErrors: the error codes and messages ECS answers with, as the SDK's ECS client names them.
 *
 * Invariants:
 * - Client errors are HTTP 400 (throttling included); only ServerException is HTTP 500.
 * - Messages follow the wording AWS uses where it is known.
 */
import { AwsError } from '../aws/errors.js';

export const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.');
export const serviceNotFound = () => new AwsError('ServiceNotFoundException', 'Service not found.');
export const serviceNotActive = () => new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const clientException = (message: string) => new AwsError('ClientException', message);
export const resourceNotFound = (message = 'The specified resource could not be found.') =>
  new AwsError('ResourceNotFoundException', message);
export const throttling = () => new AwsError('ThrottlingException', 'Rate exceeded');
export const serverException = () =>
  new AwsError('ServerException', 'Service encountered an internal error.', 500);
