/**
 * AwsError: an error an emulated AWS operation answers with.
 *
 * Invariants:
 * - `code` is the wire error code the SDK turns into `error.name` (e.g. `ThrottlingException`).
 * - `status` is the HTTP status: 400 for client errors (throttling included, as AWS does), 5xx for
 *   server faults.
 * - The message never contains secret values.
 * - `queryError` is set only by services the SDK models as awsQueryCompatible (SQS): it is sent as
 *   the `x-amzn-query-error: <code>;<Sender|Receiver>` header, which the SDK copies to `error.Code`.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly queryError?: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** The JSON body of an AWS JSON 1.1 error response. */
export function errorBody(error: AwsError): string {
  return JSON.stringify({ __type: error.code, message: error.message });
}
