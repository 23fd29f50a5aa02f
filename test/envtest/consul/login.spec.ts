// envtest Consul's aws-iam login and logout, with the identity check faked by the state's map from
// bearer to IAM identity: the binding rules consul-ecs v0.10 (and our `controller`) make give a
// task's login token its service identity or gateway role; the token carries the description
// Consul writes and our login-token parser reads; only a login token can log out.
import { expect } from 'chai';

import { toLoginToken } from '../../../controllers/adapters/login-token-informer.js';
import {
  AUTH_METHOD_NAME,
  boundPrincipalArn,
  desiredAuthMethod,
  desiredBindingRules,
} from '../../../controllers/domain/iam-auth-resources.js';
import { describe as loginDescription } from '../../../envtest/consul/acl/login.js';
import { type AclToken } from '../../../src/consul/acl-types.js';
import { useConsulServer, client } from './helpers.js';

const ACCOUNT = '123456789012';
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;

describe('Consul envtest: aws-iam login and logout', () => {
  const fixture = useConsulServer();

  const setUp = async () => {
    const call = client(fixture.server);
    expect(
      (
        await call('PUT', '/v1/acl/auth-method', {
          body: desiredAuthMethod(boundPrincipalArn(ACCOUNT, '/consul-ecs/'), false),
        })
      ).status,
    ).to.equal(200);
    for (const rule of desiredBindingRules(false, ''))
      expect((await call('PUT', '/v1/acl/binding-rule', { body: rule })).status).to.equal(200);
    for (const role of ['consul-ecs-mesh-gateway-role'])
      expect((await call('PUT', '/v1/acl/role', { body: { Name: role } })).status).to.equal(200);
    const identity = (name: string, path: string, tags: Record<string, string>) => ({
      arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
      accountId: ACCOUNT,
      entityName: name,
      entityPath: path,
      entityId: `AROA${name.toUpperCase()}`,
      tags,
    });
    const identities = fixture.server.state.iamIdentities;
    identities.set(
      'bearer-web',
      identity('web-task', '/consul-ecs/', { 'consul.hashicorp.com.service-name': 'web' }),
    );
    identities.set(
      'bearer-gateway',
      identity('gw-task', '/consul-ecs/', {
        'consul.hashicorp.com.service-name': 'mesh-gw',
        'consul.hashicorp.com.gateway-kind': 'mesh-gateway',
      }),
    );
    identities.set(
      'bearer-outside',
      identity('x', '/other/', { 'consul.hashicorp.com.service-name': 'web' }),
    );
    identities.set('bearer-untagged', identity('bare', '/consul-ecs/', {}));
    return call;
  };
  const meta = { 'consul.hashicorp.com/task-id': 'abc123', 'consul.hashicorp.com/cluster': CLUSTER };

  it('logs a task in: service identity from its tag, the description Consul writes, AuthMethod, local; our parser reads it', async () => {
    const call = await setUp();
    const login = await call('POST', '/v1/acl/login', {
      token: null,
      body: { AuthMethod: AUTH_METHOD_NAME, BearerToken: 'bearer-web', Meta: meta },
    });
    expect(login.status, login.text).to.equal(200);
    const token = login.json<AclToken & { AuthMethod: string; Local: boolean }>();
    expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
    expect(token.AuthMethod).to.equal(AUTH_METHOD_NAME);
    expect(token.Local).to.equal(true);
    expect(token.Description).to.equal(
      `token created via login: {"consul.hashicorp.com/cluster":"${CLUSTER}","consul.hashicorp.com/task-id":"abc123"}`,
    );
    expect(toLoginToken(token, [CLUSTER])).to.deep.include({ taskId: 'abc123', cluster: CLUSTER });
    // The token works as a credential, and logs itself out.
    expect((await call('GET', '/v1/acl/token/self', { token: token.SecretID })).status).to.equal(200);
    expect((await call('POST', '/v1/acl/logout', { token: token.SecretID })).text).to.equal('true');
    expect((await call('GET', `/v1/acl/token/${token.AccessorID}`)).status).to.be.oneOf([403, 404]);
  });

  it('binds a gateway its service identity and its role by the gateway-kind tag', async () => {
    const call = await setUp();
    const login = await call('POST', '/v1/acl/login', {
      token: null,
      body: { AuthMethod: AUTH_METHOD_NAME, BearerToken: 'bearer-gateway', Meta: meta },
    });
    expect(login.status, login.text).to.equal(200);
    const token = login.json<AclToken>();
    expect(token.Roles?.map((role) => role.Name)).to.deep.equal(['consul-ecs-mesh-gateway-role']);
    expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'mesh-gw' }]);
  });

  it('refuses a principal outside the bound ARNs, an unknown bearer, and an unknown method', async () => {
    const call = await setUp();
    const attempt = (AuthMethod: string, BearerToken: string) =>
      call('POST', '/v1/acl/login', { token: null, body: { AuthMethod, BearerToken, Meta: meta } });
    const outside = await attempt(AUTH_METHOD_NAME, 'bearer-outside');
    expect([outside.status, outside.text.startsWith('Permission denied')]).to.deep.equal([403, true]);
    const unknown = await attempt(AUTH_METHOD_NAME, 'who-knows');
    expect(unknown.status).to.equal(500);
    expect(unknown.text).to.match(/^invalid token: /);
    const noMethod = await attempt('nope', 'bearer-web');
    expect([noMethod.status, noMethod.text]).to.deep.equal([
      403,
      'ACL not found: auth method "nope" not found',
    ]);
    expect(fixture.server.state.tokens.size, 'no token was made').to.equal(
      [...fixture.server.state.tokens.values()].filter((token) => !token.authMethod).length,
    );
  });

  it('lets only a login token log out', async () => {
    const call = await setUp();
    const plain = (await call('PUT', '/v1/acl/token', { body: { Description: 'plain' } })).json<AclToken>();
    const refused = await call('POST', '/v1/acl/logout', { token: plain.SecretID });
    expect([refused.status, refused.text]).to.deep.equal([
      403,
      "Permission denied: token wasn't created via login",
    ]);
    expect((await call('GET', `/v1/acl/token/${plain.AccessorID}`)).status).to.equal(200);
  });

  it('writes the bare prefix without meta, and sorts meta keys as Go does', () => {
    expect(loginDescription({})).to.equal('token created via login');
    expect(loginDescription({ b: '2', a: '1' })).to.equal('token created via login: {"a":"1","b":"2"}');
  });
});
