// LoginApi and loginWithIamAuth against a local HTTP stand-in for Consul: what goes out (method,
// path, query, body, token header) and what comes back; the STS lookup is a fake sender.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';

import { type FormPostSender } from '../../src/aws/form-post-sender.js';
import { ConsulError } from '../../src/consul/consul-error.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { IamLoginError, loginWithIamAuth } from '../../src/consul/iam-login.js';
import { LoginApi } from '../../src/consul/login-api.js';
import { NO_API_OBSERVER } from '../../src/metrics/api-metrics.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';

interface Seen {
  method: string;
  url: string;
  token?: string;
  body: string;
}

const LOGIN_ANSWER = {
  AccessorID: '6a1253d2-1785-24fd-91c2-f8e78c745511',
  SecretID: '45a3bd52-07c7-47a4-52fd-0745e0cfe967',
  Description: 'token created via login: {"consul.hashicorp.com/task-id":"t1"}',
  ServiceIdentities: [{ ServiceName: 'web' }],
  AuthMethod: 'iam-ecs-service-token',
  Local: true,
};

describe('LoginApi and loginWithIamAuth', () => {
  let server: Server;
  let seen: Seen[];
  let answer: { status: number; body: unknown };

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const token = req.headers['x-consul-token'];
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          ...(typeof token === 'string' ? { token } : {}),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => server.close());
  beforeEach(() => {
    seen = [];
    answer = { status: 200, body: LOGIN_ANSWER };
  });

  const transport = () =>
    new ConsulTransport(
      {
        address: new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}`),
        token: 'controller-token',
        verifyTls: true,
        timeoutMs: 5_000,
        maxRetries: 0,
      },
      new SchedulerClock(asyncScheduler),
      NO_API_OBSERVER,
      () => 0,
    );

  it('logs in with POST /v1/acl/login {AuthMethod, BearerToken, Meta}, partition and ns only when set', async () => {
    const api = new LoginApi(transport());
    const token = await api.login({ authMethod: 'm', bearerToken: '{"b":1}', meta: { k: 'v' } });
    expect(token.SecretID).to.equal(LOGIN_ANSWER.SecretID);
    expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
    await api.login({ authMethod: 'm', bearerToken: 'x', scope: { partition: 'p1', namespace: 'n1' } });
    expect(seen.map((s) => [s.method, s.url])).to.deep.equal([
      ['POST', '/v1/acl/login'],
      ['POST', '/v1/acl/login?partition=p1&ns=n1'],
    ]);
    expect(JSON.parse(seen[0].body)).to.deep.equal({
      AuthMethod: 'm',
      BearerToken: '{"b":1}',
      Meta: { k: 'v' },
    });
    expect(JSON.parse(seen[1].body)).to.deep.equal({ AuthMethod: 'm', BearerToken: 'x' });
  });

  it('rejects a login answer without a SecretID, and passes Consul refusals on as ConsulError', async () => {
    const api = new LoginApi(transport());
    answer = { status: 200, body: { ...LOGIN_ANSWER, SecretID: undefined } };
    const shape = await api.login({ authMethod: 'm', bearerToken: 'x' }).catch((e: unknown) => e);
    expect(shape).to.be.instanceOf(ConsulError);
    expect((shape as ConsulError).message).to.contain('SecretID is missing');
    answer = { status: 403, body: 'ACL not found: auth method "m" not found' };
    const refused = await api.login({ authMethod: 'm', bearerToken: 'x' }).catch((e: unknown) => e);
    expect((refused as ConsulError).status).to.equal(403);
  });

  it("logs out with POST /v1/acl/logout carrying the login token's SecretID as X-Consul-Token", async () => {
    answer = { status: 200, body: 'true' };
    await new LoginApi(transport()).logout(LOGIN_ANSWER.SecretID);
    expect(seen).to.deep.equal([
      { method: 'POST', url: '/v1/acl/logout', token: LOGIN_ANSWER.SecretID, body: '' },
    ]);
  });

  it('learns the role from sts:GetCallerIdentity, embeds its GetRole, signs at the clock time and logs in', async () => {
    const lookups: string[] = [];
    const send: FormPostSender = async (post) => {
      lookups.push(`${post.url} ${post.body} ${post.headers['x-amz-date']}`);
      return {
        status: 200,
        contentType: 'text/xml',
        body:
          '<GetCallerIdentityResponse><GetCallerIdentityResult><UserId>AROAX:sess</UserId>' +
          '<Account>123456789012</Account><Arn>arn:aws:sts::123456789012:assumed-role/web-task/sess</Arn>' +
          '</GetCallerIdentityResult></GetCallerIdentityResponse>',
      };
    };
    let resolved = 0;
    const token = await loginWithIamAuth({
      consul: transport(),
      meta: { 'consul.hashicorp.com/task-id': 't1' },
      region: 'eu-west-1',
      credentials: async () => {
        resolved++;
        return { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'ST' };
      },
      clock: new ManualClock(Date.UTC(2026, 5, 7, 8, 9, 10)),
      serverIdHeaderValue: 'sid',
      send,
    });
    expect(token.AccessorID).to.equal(LOGIN_ANSWER.AccessorID);
    expect(resolved).to.equal(1);
    expect(lookups).to.deep.equal([
      'https://sts.eu-west-1.amazonaws.com/ Action=GetCallerIdentity&Version=2011-06-15 20260607T080910Z',
    ]);
    const body = JSON.parse(seen[0].body) as { AuthMethod: string; BearerToken: string; Meta: unknown };
    expect(body.AuthMethod).to.equal('iam-ecs-service-token');
    expect(body.Meta).to.deep.equal({ 'consul.hashicorp.com/task-id': 't1' });
    const bearer = JSON.parse(body.BearerToken) as Record<string, string>;
    const headers = JSON.parse(Buffer.from(bearer.iam_request_headers, 'base64').toString()) as Record<
      string,
      string[]
    >;
    expect(headers['X-Consul-Iam-Getentity-Body']).to.deep.equal([
      'Action=GetRole&RoleName=web-task&Version=2010-05-08',
    ]);
    expect(headers['X-Consul-Iam-Serverid']).to.deep.equal(['sid']);
    expect(headers['X-Amz-Date']).to.deep.equal(['20260607T080910Z']);
    expect(seen[0].body).to.not.contain('SECRET');
  });

  it('skips the lookup without entity details, and refuses a caller that is not a role or user', async () => {
    const base = {
      consul: transport(),
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 'SECRET' }),
      clock: new ManualClock(0),
    };
    const never: FormPostSender = () => Promise.reject(new Error('no lookup expected'));
    await loginWithIamAuth({ ...base, includeEntity: false, send: never });
    const bearer = JSON.parse((JSON.parse(seen[0].body) as { BearerToken: string }).BearerToken) as Record<
      string,
      string
    >;
    expect(Buffer.from(bearer.iam_request_headers, 'base64').toString()).to.not.contain('Getentity');

    const federated: FormPostSender = async () => ({
      status: 200,
      contentType: 'text/xml',
      body: '<Arn>arn:aws:sts::123456789012:federated-user/bob</Arn><UserId>1:bob</UserId><Account>123456789012</Account>',
    });
    const error = await loginWithIamAuth({ ...base, send: federated }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(IamLoginError);
    expect((error as Error).message).to.equal(
      'caller arn:aws:sts::123456789012:federated-user/bob is not an IAM role or user',
    );
  });
});
