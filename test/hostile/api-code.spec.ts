/**
 * The `code` label of external_api_requests_total stays within a fixed set however a server
 * answers: made-up AWS error names and arbitrary HTTP statuses from a loopback server go through
 * the real TokenSecretStore and ConsulTransport into the real ApiMetrics, and the exported label
 * values are checked against API_CODES.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import fc from 'fast-check';
import { asyncScheduler } from 'rxjs';

import { awsErrorCode } from '../../src/aws/observed-call.js';
import { TokenSecretStore } from '../../controllers/adapters/token-secret-store.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { API_CODES, boundedApiCode } from '../../src/metrics/api-code.js';
import { ApiMetrics } from '../../src/metrics/api-metrics.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { type ScriptedServer, startScriptedServer } from './scripted-server.js';

const clock = new SchedulerClock(asyncScheduler);
const CALLS = 200;

function exportedCodes(text: string): Map<string, Set<string>> {
  const byService = new Map<string, Set<string>>();
  for (const match of text.matchAll(
    /^external_api_requests_total\{service="([^"]+)",[^}]*code="([^"]*)"\}/gm,
  )) {
    const [, service, code] = match;
    byService.set(service, (byService.get(service) ?? new Set()).add(code));
  }
  return byService;
}

describe('hostile input: bounded API metric codes', function () {
  this.timeout(60_000);
  let server: ScriptedServer;

  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(() => server.close());

  it('maps any code to a member of the fixed set, and keeps the known ones as they are', () => {
    fc.assert(fc.property(fc.string(), (code) => API_CODES.has(boundedApiCode(code))));
    for (const known of ['200', '404', 'ThrottlingException', 'network', 'InvalidResponse', 'TimeoutError']) {
      expect(boundedApiCode(known)).to.equal(known);
    }
    expect(boundedApiCode('418')).to.equal('4xx');
    expect(boundedApiCode('204')).to.equal('2xx');
    expect(boundedApiCode('999')).to.equal('other');
    expect(boundedApiCode('MadeUpException')).to.equal('other');
    expect(awsErrorCode(Object.assign(new Error('x'), { name: 'MadeUpException' }))).to.equal('other');
    expect(awsErrorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).to.equal('network');
  });

  it(`${CALLS} made-up AWS error names and ${CALLS} random Consul statuses give only bounded label values`, async () => {
    const registry = createRegistry();
    const metrics = new ApiMetrics(registry);
    const sm = new SecretsManagerClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });
    const store = new TokenSecretStore(sm, clock, metrics);
    const random = fc.sample(
      fc.record({
        name: fc.stringMatching(/^[A-Z][A-Za-z0-9.#]{0,40}$/),
        status: fc.constantFrom(400, 400, 403, 404, 409, 418, 500, 503),
        known: fc.constantFrom(
          undefined,
          undefined,
          undefined,
          'ThrottlingException',
          'AccessDeniedException',
        ),
      }),
      { numRuns: CALLS, seed: 12 },
    );
    let next = 0;
    server.script = () => {
      const { name, status, known } = random[next++ % random.length];
      return { status, body: JSON.stringify({ __type: known ?? `${name}${next}Exception`, message: 'no' }) };
    };
    for (let i = 0; i < CALLS; i++) await store.read(`secret-${i}`).catch(() => undefined);
    sm.destroy();

    const statuses = fc.sample(fc.integer({ min: 200, max: 599 }), { numRuns: CALLS, seed: 7 });
    let call = 0;
    server.script = () => ({ status: statuses[call++ % statuses.length], body: '{}' });
    const consul = new ConsulTransport(
      { address: new URL(server.url), verifyTls: true, timeoutMs: 5_000, maxRetries: 0 },
      clock,
      metrics,
      () => 0,
    );
    for (let i = 0; i < CALLS; i++) {
      await consul.send({ operation: 'kv.get', method: 'GET', path: '/v1/kv/x' }).catch(() => undefined);
    }

    const codes = exportedCodes(await registry.metrics());
    const aws = [...(codes.get('secretsmanager') ?? [])];
    const consulCodes = [...(codes.get('consul') ?? [])];
    expect(server.seen.length).to.equal(2 * CALLS);
    for (const code of [...aws, ...consulCodes]) expect(API_CODES.has(code), code).to.equal(true);
    expect(aws).to.include.members(['ThrottlingException', 'AccessDeniedException', '400', '4xx', '500']);
    expect(aws.length).to.be.at.most(12);
    // 400 statuses drawn from 200–599: the exact ones the controller handles, else their class.
    expect(consulCodes).to.include.members(['2xx', '3xx', '4xx', '5xx']);
    expect(consulCodes.length).to.be.at.most(13);
  });
});
