// Test helper: the error a promise rejects with (fails the test if it resolves).
import { expect } from 'chai';

export interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $fault?: string;
}

export async function rejectionOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(Error);
    return error as SdkError;
  }
  expect.fail('expected the call to fail, but it succeeded');
}

/** Polls (with real I/O turns, no sleeps) until `condition` holds. */
export async function eventually(condition: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect.fail('condition never held');
}
