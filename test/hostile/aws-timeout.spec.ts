/**
 * Per-request timeouts for the controller's AWS clients. The AWS SDK has none by default, and in
 * this SDK `requestHandler.requestTimeout` alone only logs a warning: the call still hangs unless
 * `throwOnRequestTimeout` is set too. awsClientOptions (used by the CLI and the test world) sets
 * both.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';

import { awsClientOptions } from '../../controllers/module/acl-settings.js';
import { TokenSecretStore } from '../../controllers/adapters/token-secret-store.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { RecordingObserver, type ScriptedServer, startScriptedServer } from './scripted-server.js';

const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

/** The settled outcome of `promise`, or "pending" if it has not settled after `ms`. */
async function within(ms: number, promise: Promise<unknown>): Promise<unknown> {
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => error,
    ),
    new Promise((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe('hostile input: a hung AWS endpoint', () => {
  let server: ScriptedServer;
  const clients: SecretsManagerClient[] = [];
  const client = (extra: object) => {
    const made = new SecretsManagerClient({
      region: 'us-east-1',
      credentials: CREDENTIALS,
      endpoint: server.url,
      maxAttempts: 1,
      ...extra,
    });
    clients.push(made);
    return made;
  };

  beforeEach(async () => {
    server = await startScriptedServer(() => ({ stall: 'before-headers' }));
  });
  afterEach(async () => {
    for (const made of clients.splice(0)) made.destroy();
    await server.close();
  });

  const get = (sm: SecretsManagerClient) => sm.send(new GetSecretValueCommand({ SecretId: 'test-web' }));

  it('the SDK default: no timeout at all (why the controller sets one)', async () => {
    const pending = get(client({}));
    pending.catch(() => undefined);
    expect(await within(800, pending)).to.equal('pending');
  });

  it('requestTimeout without throwOnRequestTimeout still hangs (only a warning)', async () => {
    const warnings: unknown[] = [];
    const pending = get(
      client({
        requestHandler: { requestTimeout: 200 },
        logger: { debug() {}, info() {}, warn: (...args: unknown[]) => warnings.push(args), error() {} },
      }),
    );
    pending.catch(() => undefined);
    expect(await within(800, pending)).to.equal('pending');
  });

  it('awsClientOptions: the call fails with TimeoutError after the timeout, and TokenSecretStore reports it', async () => {
    const observer = new RecordingObserver();
    const store = new TokenSecretStore(
      client(awsClientOptions(250)),
      new SchedulerClock(asyncScheduler),
      observer,
    );
    const started = performance.now();
    const outcome = await within(2_000, store.read('test-web'));
    expect(outcome).to.be.instanceOf(Error);
    expect((outcome as Error).name).to.equal('TimeoutError');
    expect(performance.now() - started).to.be.below(1_500);
    expect(observer.codes('GetSecretValue')).to.deep.equal(['TimeoutError']);
  });

  it('awsClientOptions defaults to a 30 s timeout that throws', () => {
    expect(awsClientOptions().requestHandler).to.include({
      requestTimeout: 30_000,
      throwOnRequestTimeout: true,
    });
  });
});
