/**
 * SqsIam: the IAM requests each SQS operation needs, and SQS's wording of a denial.
 *
 * Invariants:
 * - Every operation the emulator serves has an entry (checked by test/envtest/sqs/iam.spec.ts).
 * - Calls on a queue authorize against its ARN `arn:aws:sqs:<region>:<account>:<name>` (the
 *   account and name read from the QueueUrl, or the QueueName); ListQueues against `*`.
 * - Batch operations need the permission of their single version (SendMessageBatch needs
 *   sqs:SendMessage, DeleteMessageBatch sqs:DeleteMessage), as the SQS Developer Guide says.
 * - A denial is HTTP 403 with `x-amzn-query-error: AccessDenied;Sender` (SQS is
 *   awsQueryCompatible), the action written in lower case in the message, as SQS writes it
 *   ("not authorized to perform: sqs:receivemessage on resource: …").
 */
import { AwsError } from '../aws/errors.js';
import { type JsonObject } from '../aws/input.js';
import { accessDeniedMessage, type DeniedCall } from '../aws/iam/access-denied.js';
import { type CallAuthorization } from '../aws/iam/authorizer.js';
import { requestTagContext, stringField } from '../aws/iam/request-context.js';

type Authorize = (input: JsonObject) => CallAuthorization[];

/** The IAM action of each SQS operation whose permission is another operation's. */
const BATCH_PERMISSIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

export function sqsAuthorization(
  operations: readonly string[],
  region: string,
  accountId: string,
): Readonly<Record<string, Authorize>> {
  const queueArn = (input: JsonObject): string => {
    const url = stringField(input, 'QueueUrl');
    if (url === undefined)
      return `arn:aws:sqs:${region}:${accountId}:${stringField(input, 'QueueName') ?? ''}`;
    const path = url
      .replace(/^[a-z]+:\/\/[^/]*/i, '')
      .split('/')
      .filter((s) => s !== '');
    const name = path[path.length - 1] ?? '';
    const account =
      path.length >= 2 && /^\d{12}$/.test(path[path.length - 2] ?? '') ? path[path.length - 2] : accountId;
    return `arn:aws:sqs:${region}:${account}:${name}`;
  };
  const entries = operations.map((operation): [string, Authorize] => {
    const action = `sqs:${BATCH_PERMISSIONS[operation] ?? operation}`;
    if (operation === 'ListQueues') return [operation, () => [{ action, resource: '*' }]];
    if (operation === 'CreateQueue') {
      return [
        operation,
        (input) => [{ action, resource: queueArn(input), context: requestTagContext(queueTags(input)) }],
      ];
    }
    return [operation, (input) => [{ action, resource: queueArn(input) }]];
  });
  return Object.fromEntries(entries);
}

function queueTags(input: JsonObject): { key: string; value: string }[] {
  const tags = input.tags;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return [];
  return Object.entries(tags as Record<string, unknown>).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? value : '',
  }));
}

export function sqsAccessDenied(call: DeniedCall): AwsError {
  const message = accessDeniedMessage({ ...call, action: call.action.toLowerCase() });
  return new AwsError('AccessDeniedException', message, 403, 'AccessDenied;Sender');
}
