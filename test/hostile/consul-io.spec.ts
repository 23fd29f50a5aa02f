/**
 * ConsulTransport and AclApi against a loopback server answering garbage: every outcome is a
 * validated value or a ConsulError/ConsulUnreachableError naming the operation, every attempt is
 * reported to the API observer, and no call stays pending past its timeout.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { asyncScheduler } from 'rxjs';

import { AclApi } from '../../src/consul/acl-api.js';
import { aclPolicyProblem, aclTokenProblem } from '../../src/consul/acl-shape.js';
import { ConsulError, ConsulUnreachableError } from '../../src/consul/consul-error.js';
import { type ConsulSettings } from '../../src/consul/consul-settings.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { garbageBody, hostileJsonValue } from './arbitraries.js';
import {
  RecordingObserver,
  type Script,
  type ScriptedServer,
  startScriptedServer,
} from './scripted-server.js';

const ACCESSOR = '3f9a2b1c-0d4e-4f5a-8b6c-7d8e9f0a1b2c';
const TIMEOUT_MS = 300;

type Call = (acl: AclApi) => Promise<unknown>;
const OPERATIONS: Record<string, Call> = {
  'acl.token.read': (acl) => acl.readToken(ACCESSOR),
  'acl.token.self': (acl) => acl.readSelf(),
  'acl.token.create': (acl) => acl.createToken({ Description: 'd' }),
  'acl.tokens.list': (acl) => acl.listTokens(),
  'acl.policies.list': (acl) => acl.listPolicies(),
  'acl.policy.read_by_name': (acl) => acl.readPolicyByName('p'),
  'acl.token.delete': (acl) => acl.deleteToken(ACCESSOR),
};

describe('hostile input: Consul transport and ACL API against a garbage server', () => {
  let server: ScriptedServer;
  let observer: RecordingObserver;

  const aclApi = (maxRetries = 0) => {
    const settings: ConsulSettings = {
      address: new URL(server.url),
      token: 'request-token-never-leaks',
      verifyTls: true,
      timeoutMs: TIMEOUT_MS,
      maxRetries,
    };
    return new AclApi(new ConsulTransport(settings, new SchedulerClock(asyncScheduler), observer, () => 0));
  };

  beforeEach(async () => {
    server = await startScriptedServer();
    observer = new RecordingObserver();
  });
  afterEach(() => server.close());

  it('any status and body: a checked value, or an error naming the operation (never a TypeError)', async () => {
    const status = fc.constantFrom(200, 200, 200, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503);
    const body = fc.oneof(
      garbageBody,
      hostileJsonValue.map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(OPERATIONS)),
        status,
        body,
        async (operation, code, text) => {
          server.script = () => ({ status: code, body: text });
          observer.calls.length = 0;
          let value: unknown;
          let error: unknown;
          try {
            value = await (OPERATIONS[operation] as Call)(aclApi());
          } catch (caught) {
            error = caught;
          }
          expect(observer.codes()).to.deep.equal([String(code)]);
          if (error !== undefined) {
            expect(error).to.be.instanceOf(ConsulError);
            expect((error as Error).message.startsWith(`consul ${operation}: HTTP ${code}`)).to.equal(true);
            expect((error as Error).message).to.not.include('request-token-never-leaks');
            return;
          }
          // Resolved: only a 2xx, or a not-found read; and the value is what the types promise.
          const notFound = code === 404 || (code === 403 && /ACL not found/i.test(text));
          expect((code >= 200 && code < 300) || notFound).to.equal(true);
          if (operation === 'acl.tokens.list' || operation === 'acl.policies.list') {
            const check = operation === 'acl.tokens.list' ? aclTokenProblem : aclPolicyProblem;
            for (const item of (value as { items: unknown[] }).items) expect(check(item)).to.equal(undefined);
          } else if (operation === 'acl.token.read' || operation === 'acl.policy.read_by_name') {
            const check = operation === 'acl.token.read' ? aclTokenProblem : aclPolicyProblem;
            if (value !== undefined) expect(check(value)).to.equal(undefined);
            else expect(notFound || text.trim() === 'null').to.equal(true);
          } else if (operation !== 'acl.token.delete') {
            expect(aclTokenProblem(value)).to.equal(undefined);
          }
        },
      ),
      { numRuns: 250 },
    );
  });

  it('a token read answered {} with 200 is an error, not "no such token" (regression)', async () => {
    server.script = () => ({ status: 200, body: '{}' });
    const error = await aclApi()
      .readToken(ACCESSOR)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).to.be.instanceOf(ConsulError);
    expect((error as Error).message).to.equal(
      'consul acl.token.read: HTTP 200: unexpected response: AccessorID is missing',
    );
  });

  it('a token list that is HTML, a string, an object or holds garbage is an error, never an empty list', async () => {
    for (const body of [
      '<html>oops</html>',
      '"tokens"',
      '{}',
      '[{}]',
      '[null]',
      '[1]',
      '{"0":{"AccessorID":"x"}}',
    ]) {
      server.script = () => ({ status: 200, body });
      const outcome = await aclApi()
        .listTokens()
        .then(
          (page) => page.items.length,
          (error: Error) => error.name,
        );
      expect(outcome, body).to.equal('ConsulError');
    }
    server.script = () => ({ status: 200, body: 'null', headers: { 'x-consul-index': '7' } });
    expect(await aclApi().listTokens()).to.deep.equal({ items: [], index: '7' });
  });

  const connectionFailures: Array<[string, Script]> = [
    ['reset before the headers', { reset: 'before-headers' }],
    ['reset in the middle of the body', { reset: 'mid-body', status: 200, partial: '[{"AccessorID":"' }],
    ['headers then silence', { stall: 'after-headers' }],
    ['silence', { stall: 'before-headers' }],
  ];
  for (const [what, script] of connectionFailures) {
    it(`a connection ${what}: ConsulUnreachableError within the timeout, reported as "network"`, async () => {
      server.script = () => script;
      const started = performance.now();
      const error = await Promise.race([
        aclApi()
          .listTokens()
          .then(
            () => 'resolved',
            (caught: unknown) => caught,
          ),
        new Promise((resolve) => setTimeout(() => resolve('still pending'), TIMEOUT_MS + 1_500)),
      ]);
      expect(error).to.be.instanceOf(ConsulUnreachableError);
      expect((error as Error).message).to.match(/^consul acl\.tokens\.list: /);
      expect(performance.now() - started).to.be.below(TIMEOUT_MS + 1_000);
      expect(observer.codes()).to.deep.equal(['network']);
    });
  }

  it('retries a GET after a mid-body reset and succeeds on a good answer', async () => {
    let calls = 0;
    server.script = () =>
      ++calls === 1
        ? { reset: 'mid-body', status: 200, partial: '[' }
        : { status: 200, body: '[]', headers: { 'x-consul-index': '3' } };
    expect(await aclApi(2).listTokens()).to.deep.equal({ items: [], index: '3' });
    expect(observer.codes()).to.deep.equal(['network', '200']);
  });

  it('quotes at most 200 characters of a 5 MB HTML error page', async () => {
    server.script = () => ({ status: 502, body: `<html>${'x'.repeat(5_000_000)}</html>` });
    const error = (await aclApi()
      .readToken(ACCESSOR)
      .catch((caught: unknown) => caught)) as Error;
    expect(error).to.be.instanceOf(ConsulError);
    expect(error.message.length).to.be.below(260);
  });
});
