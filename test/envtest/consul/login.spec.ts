// envtest Consul's aws-iam login and logout, with the identity check faked by a map from bearer
// to IAM identity (server option `iamIdentities`, handle method `addIamIdentity`): the binding
// rules consul-ecs v0.10 (and our `controller`) make, projection and trust as Consul 1.14's
// aws-iam method does them, the token it writes (read back by our login-token parser), and the
// refusals. Enterprise-only cases (namespaces) run on envtest's Enterprise mode only.
import { expect } from 'chai';

import { toLoginToken } from '../../../controllers/adapters/login-token-informer.js';
import {
  AUTH_METHOD_NAME,
  boundPrincipalArn,
  desiredAuthMethod,
  desiredBindingRules,
} from '../../../controllers/domain/iam-auth-resources.js';
import { parseLoginDescription } from '../../../controllers/domain/login-token.js';
import { type IamIdentity } from '../../../envtest/consul/acl/iam-identity.js';
import { startConsulServer } from '../../../envtest/consul/server.js';
import { type AclToken } from '../../../src/consul/acl-types.js';
import { type Call, client, useConsulServer } from './helpers.js';

const ACCOUNT = '123456789012';
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;
const META = { 'consul.hashicorp.com/task-id': 'abc123', 'consul.hashicorp.com/cluster': CLUSTER };

interface LoginToken extends AclToken {
  AuthMethod?: string;
  Local: boolean;
  ExpirationTime?: string;
  CreateTime: string;
  NodeIdentities?: { NodeName: string; Datacenter: string }[];
  Namespace?: string;
}

function identity(name: string, path: string, tags: Record<string, string> = {}): IamIdentity {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
    accountId: ACCOUNT,
    entityName: name,
    entityPath: path,
    entityId: `AROA${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    tags,
  };
}

const IDENTITIES: Record<string, IamIdentity> = {
  'bearer-web': identity('web-task', '/consul-ecs/', { 'consul.hashicorp.com.service-name': 'Web' }),
  'bearer-gateway': identity('gw-task', '/consul-ecs/', {
    'consul.hashicorp.com.service-name': 'mesh-gw',
    'consul.hashicorp.com.gateway-kind': 'mesh-gateway',
  }),
  'bearer-outside': identity('x', '/other/', { 'consul.hashicorp.com.service-name': 'web' }),
  'bearer-untagged': identity('bare', '/consul-ecs/'),
};

async function ok(call: Call, method: string, path: string, body: unknown) {
  const res = await call(method, path, { body });
  expect(res.status, `${method} ${path}: ${res.text}`).to.equal(200);
  return res;
}

/** The auth method, binding rules and mesh-gateway role our controller makes (no partitions). */
async function controllerObjects(call: Call): Promise<void> {
  await ok(
    call,
    'PUT',
    '/v1/acl/auth-method',
    desiredAuthMethod(boundPrincipalArn(ACCOUNT, '/consul-ecs/'), false),
  );
  for (const rule of desiredBindingRules(false, '')) await ok(call, 'PUT', '/v1/acl/binding-rule', rule);
  await ok(call, 'PUT', '/v1/acl/role', { Name: 'consul-ecs-mesh-gateway-role' });
}

function loginAs(call: Call, bearer: string, extra: Record<string, unknown> = {}, path = '/v1/acl/login') {
  return call('POST', path, {
    token: null,
    body: { AuthMethod: AUTH_METHOD_NAME, BearerToken: bearer, Meta: META, ...extra },
  });
}

describe('Consul envtest: aws-iam login and logout', () => {
  const fixture = useConsulServer(() => ({ iamIdentities: IDENTITIES }));

  it('logs a task in: lowercased service identity from its tag, Go-formatted meta description, AuthMethod, local; listed by authmethod; our parser reads it', async () => {
    const call = fixture.call;
    await controllerObjects(call);
    const login = await loginAs(call, 'bearer-web');
    expect(login.status, login.text).to.equal(200);
    const token = login.json<LoginToken>();
    expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
    expect([token.AuthMethod, token.Local, token.ExpirationTime]).to.deep.equal([
      AUTH_METHOD_NAME,
      true,
      undefined,
    ]);
    expect(token.Description).to.equal(
      `token created via login: {"consul.hashicorp.com/cluster":"${CLUSTER}","consul.hashicorp.com/task-id":"abc123"}`,
    );
    expect(toLoginToken(token, [CLUSTER])).to.deep.include({ taskId: 'abc123', cluster: CLUSTER });
    const listed = await call('GET', `/v1/acl/tokens?authmethod=${AUTH_METHOD_NAME}`);
    expect(listed.json<LoginToken[]>().map((t) => [t.AccessorID, t.AuthMethod, t.Description])).to.deep.equal(
      [[token.AccessorID, AUTH_METHOD_NAME, token.Description]],
    );
    expect((await call('GET', '/v1/acl/tokens?authmethod=other')).json<unknown[]>()).to.deep.equal([]);
    // The token is a credential, and logs itself out (an X-Consul-Token sent to login is ignored).
    expect((await call('GET', '/v1/acl/token/self', { token: token.SecretID })).status).to.equal(200);
    expect((await call('POST', '/v1/acl/logout', { token: token.SecretID })).text).to.equal('true');
    expect(fixture.server.state.tokens.has(token.AccessorID)).to.equal(false);
  });

  it('binds a gateway its role (by ID, rendered with its name) and service identity; a missing role is skipped', async () => {
    const call = fixture.call;
    await controllerObjects(call);
    const role = (await call('GET', '/v1/acl/role/name/consul-ecs-mesh-gateway-role')).json<{ ID: string }>();
    const token = (await loginAs(call, 'bearer-gateway')).json<LoginToken>();
    expect(token.Roles).to.deep.equal([{ ID: role.ID, Name: 'consul-ecs-mesh-gateway-role' }]);
    expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'mesh-gw' }]);
    await ok(call, 'DELETE', `/v1/acl/role/${role.ID}`, undefined);
    const without = (await loginAs(call, 'bearer-gateway')).json<LoginToken>();
    expect([without.Roles, without.ServiceIdentities]).to.deep.equal([
      undefined,
      [{ ServiceName: 'mesh-gw' }],
    ]);
  });

  it('refuses an untrusted principal, bearers AWS would refuse, an unknown method, and writes no token', async () => {
    const call = fixture.call;
    await controllerObjects(call);
    const before = fixture.server.state.tokens.size;
    const outside = await loginAs(call, 'bearer-outside');
    expect([outside.status, outside.text]).to.deep.equal([
      500,
      `IAM principal arn:aws:iam::${ACCOUNT}:role/other/x is not trusted`,
    ]);
    const notJson = await loginAs(call, 'not-a-bearer');
    expect([notJson.status, notJson.text]).to.deep.equal([
      500,
      "invalid token: invalid character 'o' in literal null (expecting 'u')",
    ]);
    const unknown = await loginAs(call, '{"iam_http_request_method":"POST"}');
    expect(unknown.status).to.equal(500);
    expect(unknown.text).to.match(/^received error code 403 from STS: /);
    const noMethod = await loginAs(call, 'bearer-web', { AuthMethod: 'nope' });
    expect([noMethod.status, noMethod.text]).to.deep.equal([
      403,
      'ACL not found: auth method "nope" not found',
    ]);
    expect(fixture.server.state.tokens.size, 'no token was made').to.equal(before);
  });

  it('answers 403 "Permission denied" when no binding rule binds anything', async () => {
    const call = fixture.call;
    await ok(
      call,
      'PUT',
      '/v1/acl/auth-method',
      desiredAuthMethod(boundPrincipalArn(ACCOUNT, '/consul-ecs/'), false),
    );
    const gatewayRule = desiredBindingRules(false, '').find((rule) => rule.BindType === 'role');
    await ok(call, 'PUT', '/v1/acl/binding-rule', gatewayRule);
    const denied = await loginAs(call, 'bearer-web');
    expect([denied.status, denied.text]).to.deep.equal([403, 'Permission denied']);
  });

  it('projects only IAMEntityTags, and entity details only when enabled (canonical ARN, no wildcard)', async () => {
    const call = fixture.call;
    const method = (config: Record<string, unknown>) => ({ Name: 'm', Type: 'aws-iam', Config: config });
    await ok(
      call,
      'PUT',
      '/v1/acl/auth-method',
      method({
        BoundIAMPrincipalARNs: [`arn:aws:iam::${ACCOUNT}:role/consul-ecs/*`],
        EnableIAMEntityDetails: true,
        IAMEntityTags: ['team'],
      }),
    );
    fixture.server.addIamIdentity(
      'bearer-team',
      identity('api', '/consul-ecs/', { team: 'Payments', other: 'x' }),
    );
    const rule = await ok(call, 'PUT', '/v1/acl/binding-rule', {
      AuthMethod: 'm',
      BindType: 'service',
      BindName: '${entity_tags.team}-${entity_name}',
      Selector: 'entity_tags["team"] == "Payments" and entity_path == "/consul-ecs/"',
    });
    const login = (bearer: string) => loginAs(call, bearer, { AuthMethod: 'm', Meta: {} });
    const team = (await login('bearer-team')).json<LoginToken>();
    expect([team.ServiceIdentities, team.Description]).to.deep.equal([
      [{ ServiceName: 'payments-api' }],
      'token created via login',
    ]);
    const ruleId = rule.json<{ ID: string }>().ID;
    await ok(call, 'PUT', `/v1/acl/binding-rule/${ruleId}`, {
      AuthMethod: 'm',
      BindType: 'service',
      BindName: '${entity_tags.other}',
    });
    const unlisted = await login('bearer-team');
    expect([unlisted.status, unlisted.text]).to.deep.equal([
      500,
      'cannot compute "service" bind name for bind target: 1:3: unknown variable accessed: entity_tags.other',
    ]);
    // Without entity details: the canonical ARN (no path) must be bound exactly; no entity_path.
    await ok(
      call,
      'PUT',
      '/v1/acl/auth-method/m',
      method({ BoundIAMPrincipalARNs: [`arn:aws:iam::${ACCOUNT}:role/api`] }),
    );
    await ok(call, 'PUT', `/v1/acl/binding-rule/${ruleId}`, {
      AuthMethod: 'm',
      BindType: 'service',
      BindName: '${entity_name}',
    });
    expect((await login('bearer-team')).json<LoginToken>().ServiceIdentities).to.deep.equal([
      { ServiceName: 'api' },
    ]);
    await ok(call, 'PUT', `/v1/acl/binding-rule/${ruleId}`, {
      AuthMethod: 'm',
      BindType: 'service',
      BindName: '${entity_path}',
    });
    expect((await login('bearer-team')).text).to.contain('unknown variable accessed: entity_path');
  });

  it('rejects an invalid computed name, binds node identities in this datacenter, and honours TokenLocality and MaxTokenTTL', async () => {
    const call = fixture.call;
    await ok(call, 'PUT', '/v1/acl/auth-method', {
      Name: 'm',
      Type: 'aws-iam',
      TokenLocality: 'global',
      MaxTokenTTL: '1h',
      Config: { BoundIAMPrincipalARNs: [`arn:aws:iam::${ACCOUNT}:role/bare`] },
    });
    const rule = await ok(call, 'PUT', '/v1/acl/binding-rule', {
      AuthMethod: 'm',
      BindType: 'node',
      BindName: 'node-${entity_name}',
    });
    const token = (await loginAs(call, 'bearer-untagged', { AuthMethod: 'm' })).json<LoginToken>();
    expect(token.NodeIdentities).to.deep.equal([{ NodeName: 'node-bare', Datacenter: 'dc1' }]);
    expect(token.Local).to.equal(false);
    expect(Date.parse(token.ExpirationTime!) - Date.parse(token.CreateTime)).to.equal(3_600_000);
    await ok(call, 'PUT', `/v1/acl/binding-rule/${rule.json<{ ID: string }>().ID}`, {
      AuthMethod: 'm',
      BindType: 'service',
      BindName: 'svc ${entity_id}',
    });
    const invalid = await loginAs(call, 'bearer-untagged', { AuthMethod: 'm' });
    expect([invalid.status, invalid.text]).to.deep.equal([
      500,
      'computed "service" bind name for bind target is invalid: "svc aroabare"',
    ]);
  });

  it('evaluates the bexpr subset of selectors and answers 500 for a form envtest does not emulate', async () => {
    const call = fixture.call;
    await controllerObjects(call);
    const serviceRule = desiredBindingRules(false, '').find((rule) => rule.BindType === 'service');
    const rules = (await call('GET', `/v1/acl/binding-rules?authmethod=${AUTH_METHOD_NAME}`)).json<
      { ID: string; BindType: string }[]
    >();
    const service = rules.find((r) => r.BindType === 'service')!;
    const withSelector = async (Selector: string) => {
      await ok(call, 'PUT', `/v1/acl/binding-rule/${service.ID}`, { ...serviceRule, Selector });
      return loginAs(call, 'bearer-web');
    };
    const bound = async (selector: string) => (await withSelector(selector)).status === 200;
    expect(await bound('entity_tags["consul.hashicorp.com.service-name"] != ""')).to.equal(true);
    expect(
      await bound('"consul.hashicorp.com.service-name" in entity_tags and entity_name == web-task'),
    ).to.equal(true);
    expect(await bound('not (account_id == "123456789012") or entity_id contains "WEB"')).to.equal(true);
    expect(await bound('entity_tags["consul.hashicorp.com.gateway-kind"] is not empty')).to.equal(false);
    // A key the method does not project fails bexpr's evaluation: no match, whatever the operator.
    expect(await bound('entity_tags["unlisted"] != "x"')).to.equal(false);
    expect(await bound('no_such_field == "x"')).to.equal(false);
    const unsupported = await withSelector('entity_name matches "^web"');
    expect([unsupported.status, unsupported.text]).to.deep.equal([
      500,
      'envtest: binding rule selector not emulated: entity_name matches "^web"',
    ]);
  });

  it('writes Meta as Go json.Marshal does (sorted bytes, HTML-safe escapes), which our parser reads back', async () => {
    const call = fixture.call;
    await controllerObjects(call);
    const meta = { ...META, 'z<&>': 'a\bb\\b', A: '\u2028' };
    const token = (await loginAs(call, 'bearer-web', { Meta: meta })).json<LoginToken>();
    expect(token.Description).to.equal(
      'token created via login: {"A":"\\u2028","consul.hashicorp.com/cluster":"' +
        CLUSTER +
        '","consul.hashicorp.com/task-id":"abc123","z\\u003c\\u0026\\u003e":"a\\u0008b\\\\b"}',
    );
    expect(parseLoginDescription(token.Description)).to.deep.equal({ cluster: CLUSTER, taskId: 'abc123' });
    const badMeta = await loginAs(call, 'bearer-web', { Meta: { a: 1 } });
    expect(badMeta.status).to.equal(400);
    expect(badMeta.text).to.match(/^Failed to decode request body: json: cannot unmarshal number/);
  });

  it('lets only a login token log out: refusals for a plain token, an unknown one and none', async () => {
    const call = fixture.call;
    const plain = (await call('PUT', '/v1/acl/token', { body: { Description: 'plain' } })).json<AclToken>();
    const refused = await call('POST', '/v1/acl/logout', { token: plain.SecretID });
    expect([refused.status, refused.text]).to.deep.equal([
      403,
      "Permission denied: token wasn't created via login",
    ]);
    expect((await call('GET', `/v1/acl/token/${plain.AccessorID}`)).status).to.equal(200);
    const unknown = await call('POST', '/v1/acl/logout', { token: '6e7b3b1f-95b5-4e1e-9a43-5a4a8bfa1b8c' });
    expect([unknown.status, unknown.text]).to.deep.equal([403, 'ACL not found']);
    const none = await call('POST', '/v1/acl/logout', { token: null });
    expect([none.status, none.text]).to.deep.equal([403, 'ACL not found']);
  });

  it('CE rejects a namespace or partition named by a login with 400', async () => {
    const call = fixture.call;
    await controllerObjects(call);
    const ns = await loginAs(call, 'bearer-web', {}, '/v1/acl/login?ns=team');
    expect([ns.status, ns.text]).to.deep.equal([
      400,
      'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature',
    ]);
    const field = await loginAs(call, 'bearer-web', { Namespace: 'team' });
    expect([field.status, field.text]).to.deep.equal([
      400,
      'Failed to decode request body: json: unknown field "Namespace" - Namespaces are a Consul Enterprise feature',
    ]);
  });
});

describe('Consul envtest Enterprise (Enterprise-only): login into namespaces', () => {
  it('puts the token in the namespace its NamespaceRule names, which must exist; the method is found in the named partition', async () => {
    const server = await startConsulServer({
      enterprise: true,
      iamIdentities: {
        'bearer-team': identity('api', '/consul-ecs/', {
          'consul.hashicorp.com.service-name': 'api',
          'consul.hashicorp.com.namespace': 'team',
        }),
      },
    });
    const call = client(server);
    try {
      await ok(
        call,
        'PUT',
        '/v1/acl/auth-method',
        desiredAuthMethod(boundPrincipalArn(ACCOUNT, '/consul-ecs/'), true),
      );
      for (const rule of desiredBindingRules(true, 'default'))
        await ok(call, 'PUT', '/v1/acl/binding-rule', rule);
      const missing = await loginAs(call, 'bearer-team');
      expect([missing.status, missing.text]).to.deep.equal([500, 'Namespace "team" does not exist']);
      await ok(call, 'PUT', '/v1/namespace', { Name: 'team' });
      const token = (await loginAs(call, 'bearer-team')).json<LoginToken>();
      expect([token.Namespace, token.ServiceIdentities]).to.deep.equal(['team', [{ ServiceName: 'api' }]]);
      const elsewhere = await loginAs(call, 'bearer-team', {}, '/v1/acl/login?partition=other');
      expect([elsewhere.status, elsewhere.text]).to.deep.equal([
        403,
        `ACL not found: auth method "${AUTH_METHOD_NAME}" not found`,
      ]);
    } finally {
      await server.close();
    }
  });
});
