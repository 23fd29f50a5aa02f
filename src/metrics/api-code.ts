/**
 * The `code` label of `external_api_requests_total`: a bounded set, whatever a server answers.
 * A server (or anything in between) that invents error names or statuses must not be able to
 * create new time series.
 *
 * Invariants:
 * - `boundedApiCode` always returns a member of API_CODES: a known code as is, any other HTTP
 *   status (100–599) as its class (`4xx`), and anything else as `other`.
 * - The known codes are the ones the controller handles or an operator acts on: the HTTP statuses
 *   ConsulError classifies (not found, permission denied, retryable) plus 200 and 400; the AWS
 *   error names the code checks (ResourceNotFoundException, InvalidRequestException, AbortError),
 *   alerts on (throttling) or documents (access and credential errors, not-found ECS/SQS
 *   resources, server errors); and our own InvalidResponse, TimeoutError and network.
 */
const HTTP_STATUSES = ['200', '400', '403', '404', '429', '500', '502', '503', '504'] as const;
const HTTP_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** AWS error names (the SDK's `error.name`) kept as they are. */
export const AWS_ERROR_NAMES = [
  // throttling (alerts.yml matches Throttl.*|TooManyRequests.*)
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  // credentials and IAM
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  // the resource, or the request, is not what the controller expects
  'ResourceNotFoundException',
  'ResourceExistsException',
  'InvalidRequestException',
  'InvalidParameterException',
  'ClientException',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'AWS.SimpleQueueService.NonExistentQueue',
  'QueueDoesNotExist',
  'DecryptionFailure',
  // the service failed
  'ServerException',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
] as const;

/** Codes of our own making: a garbled answer, a timed-out attempt, an aborted call, no connection. */
const OWN_CODES = ['InvalidResponse', 'TimeoutError', 'AbortError', 'network'] as const;

export const API_CODES: ReadonlySet<string> = new Set<string>([
  ...HTTP_STATUSES,
  ...HTTP_CLASSES,
  ...AWS_ERROR_NAMES,
  ...OWN_CODES,
  'other',
]);

export function boundedApiCode(code: string): string {
  if (API_CODES.has(code)) return code;
  if (/^[1-5]\d\d$/.test(code)) return `${code[0]}xx`;
  return 'other';
}
