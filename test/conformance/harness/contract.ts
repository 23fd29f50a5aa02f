// Runs one service's contract cases against one backend as a mocha suite.
// Invariants:
// - the backend is started in before() and stopped in after(), whatever the cases did;
// - BackendUnavailable skips the whole suite with its reason printed (pending, never passed);
// - a case listed in departures.ts for THIS backend is skipped with its reason printed; every
//   other case runs; with CONFORMANCE_CHECK_DEPARTURES=1 departed cases run and must FAIL
//   (a passing one is a stale departure);
// - cases are independent: each creates its own uniquely named resources.
import { randomUUID } from 'node:crypto';
import { BackendUnavailable, type Backend, type BackendInstance } from './backend.js';
import { departureFor } from '../departures.js';

export interface ContractCase<C> {
  name: string;
  /** Per-case mocha timeout when the default (20 s) is not enough. */
  timeoutMs?: number;
  run(ctx: C): Promise<void>;
}

export interface Contract<C> {
  service: string;
  makeContext(instance: BackendInstance): C;
  cases: ContractCase<C>[];
}

/** A short unique name, safe for ECS, Secrets Manager and Consul names. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function runContract<C>(contract: Contract<C>, backend: Backend): void {
  describe(`${contract.service} contract on ${backend.name}`, function () {
    let instance: BackendInstance | undefined;
    let ctx: C | undefined;

    before(async function () {
      this.timeout(120_000);
      try {
        instance = await backend.start();
      } catch (error) {
        if (error instanceof BackendUnavailable) {
          console.log(`    [unavailable] ${backend.name}: ${error.message}`);
          this.skip();
        }
        throw error;
      }
      ctx = contract.makeContext(instance);
    });

    after(async function () {
      this.timeout(30_000);
      await instance?.stop();
    });

    for (const testCase of contract.cases) {
      const departure = departureFor(backend.name, contract.service, testCase.name);
      it(testCase.name, async function () {
        if (testCase.timeoutMs !== undefined) this.timeout(testCase.timeoutMs);
        if (departure !== undefined && process.env.CONFORMANCE_CHECK_DEPARTURES !== '1') {
          console.log(`      [departure] ${backend.name}: ${departure.reason}`);
          this.skip();
        }
        if (ctx === undefined) throw new Error('backend did not start');
        if (departure === undefined) {
          await testCase.run(ctx);
          return;
        }
        // CONFORMANCE_CHECK_DEPARTURES=1: a departed case must still fail on its backend.
        const outcome = await testCase.run(ctx).then(
          () => 'passed',
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        if (outcome === 'passed') throw new Error(`stale departure: the case passes on ${backend.name}`);
        console.log(`      [departure confirmed] ${outcome.split('\n')[0]}`);
      });
    }
  });
}
