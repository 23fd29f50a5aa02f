/**
 * InvalidAwsResponseError: an AWS answer that parsed but cannot be trusted. The AWS SDK does not
 * check the types of the fields it deserializes (`{"tasks": 5}` comes back as `tasks: 5`), and a
 * proxy can answer `{}` with HTTP 200, so the controller checks every field it acts on.
 *
 * Invariants:
 * - Its `name` is "InvalidResponse", which observedCall reports as the API metric's `code`.
 * - The message names the operation and the problem, never a value (it may be a secret).
 */
export class InvalidAwsResponseError extends Error {
  constructor(
    readonly operation: string,
    problem: string,
  ) {
    super(`${operation} answered with an unusable response: ${problem}`);
    this.name = 'InvalidResponse';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` is absent, or a string. */
export function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}
