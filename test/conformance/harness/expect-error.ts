// Asserts that an AWS SDK call fails with a given error name (the service's error code).
// Invariant: a call that succeeds, or fails with another name, fails the assertion with the
// actual outcome in the message. HTTP status is deliberately not asserted (moto uses 404 where
// AWS uses 400 for ResourceNotFoundException).
import { expect } from 'chai';

export async function expectAwsError(call: Promise<unknown>, name: string): Promise<Error> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const actual = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    expect(error instanceof Error ? error.name : undefined, actual).to.equal(name);
    return error as Error;
  }
  expect.fail(`expected ${name}, but the call succeeded with ${JSON.stringify(result).slice(0, 300)}`);
}
