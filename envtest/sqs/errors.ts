/**
 * SqsErrors: the errors SQS answers with over AWS JSON 1.0.
 *
 * Invariants:
 * - `code` is the Smithy shape name the SDK turns into `error.name` (`QueueDoesNotExist`); the
 *   `x-amzn-query-error` header carries the legacy query code (`AWS.SimpleQueueService.
 *   NonExistentQueue;Sender`), which the SDK exposes as `error.Code`, as AWS sends both.
 * - HTTP statuses follow the SDK's model of each error.
 */
import { AwsError } from '../aws/errors.js';

function sqsError(code: string, queryCode: string, message: string, status = 400, fault = 'Sender') {
  return new AwsError(code, message, status, `${queryCode};${fault}`);
}

export const queueDoesNotExist = () =>
  sqsError(
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    'The specified queue does not exist.',
  );
export const queueNameExists = (attribute: string) =>
  sqsError(
    'QueueNameExists',
    'QueueAlreadyExists',
    `A queue already exists with the same name and a different value for attribute ${attribute}`,
  );
export const receiptHandleIsInvalid = (handle: string) =>
  sqsError(
    'ReceiptHandleIsInvalid',
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    404,
  );
export const messageNotInflight = () =>
  sqsError(
    'MessageNotInflight',
    'AWS.SimpleQueueService.MessageNotInflight',
    'Message does not exist or is not available for visibility timeout change.',
  );
export const invalidParameterValue = (message: string) =>
  sqsError('InvalidParameterValue', 'InvalidParameterValue', message);
export const invalidAttributeName = (name: string) =>
  sqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`);
export const invalidAttributeValue = (message: string) =>
  sqsError('InvalidAttributeValue', 'InvalidAttributeValue', message);
export const missingParameter = (name: string) =>
  sqsError('MissingParameter', 'MissingParameter', `The request must contain the parameter ${name}.`);
export const requestThrottled = () => sqsError('RequestThrottled', 'RequestThrottled', 'Rate exceeded', 403);
export const internalError = () =>
  sqsError(
    'InternalError',
    'InternalError',
    'We encountered an internal error. Please try again.',
    500,
    'Receiver',
  );
