// Consul contract: the ACL, session, KV-lock and catalog HTTP behaviour our controllers rely
// on, as cases that run unchanged against a real Consul and our envtest Consul.
// Invariants:
// - Consul CE (OSS) semantics; the server's major.minor (instance.consulVersion) decides the
//   not-found convention: ≤ 1.14 answers 403 "ACL not found", ≥ 1.15 answers 404;
// - every case creates uniquely named objects and deletes them again (the deletion is part of
//   what it asserts), so it can also run against a long-lived Consul (consul-env);
// - no timing assertions: blocking queries are judged by X-Consul-Index and content only.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { BackendInstance } from './harness/backend.js';
import { ConsulHttp, type ConsulResponse } from './harness/consul-http.js';
import { uniqueName, type Contract, type ContractCase } from './harness/contract.js';

export interface ConsulContext {
  consul: ConsulHttp;
  /** "1.14", "1.15", … or "" when unknown. */
  version: string;
}

interface Link {
  ID?: string;
  Name?: string;
}

interface Token {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: Link[];
  Roles?: Link[];
  ServiceIdentities?: { ServiceName: string; Datacenters?: string[] }[];
  CreateIndex: number;
  ModifyIndex: number;
}

interface Policy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
}

interface Role {
  ID: string;
  Name: string;
  Policies?: Link[];
}

function makeContext(instance: BackendInstance): ConsulContext {
  if (instance.consulToken === undefined) throw new Error('a Consul backend must provide consulToken');
  return {
    consul: new ConsulHttp(instance.endpoint, instance.consulToken),
    version: instance.consulVersion ?? '',
  };
}

function ok(res: ConsulResponse, what: string): ConsulResponse {
  expect(res.status, `${what}: ${res.text}`).to.equal(200);
  return res;
}

/** True for Consul ≤ 1.14 (the 403 "ACL not found" / delete-is-idempotent generation). */
function isLegacy(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major === 1 && minor !== undefined && minor <= 14;
}

/** Versions ≤ 1.14 answer a missing token/policy with 403 "ACL not found"; ≥ 1.15 with 404. */
function expectAclNotFound(res: ConsulResponse, version: string): void {
  const legacy = isLegacy(version);
  if (version === '') {
    expect([403, 404], res.text).to.include(res.status);
  } else if (legacy) {
    expect([res.status, res.text.trim()]).to.deep.equal([403, 'ACL not found']);
  } else {
    expect(res.status, res.text).to.equal(404);
  }
  expect(res.text).to.contain('ACL not found');
}

const NODE_READ = 'node_prefix "" { policy = "read" }';

async function createPolicy(
  ctx: ConsulContext,
  name = uniqueName('policy'),
  rules = NODE_READ,
): Promise<Policy> {
  const res = ok(await ctx.consul.put('/v1/acl/policy', { Name: name, Rules: rules }), 'create policy');
  return res.json<Policy>();
}

async function createToken(ctx: ConsulContext, body: object): Promise<Token> {
  return ok(await ctx.consul.put('/v1/acl/token', body), 'create token').json<Token>();
}

async function deleteToken(ctx: ConsulContext, accessor: string): Promise<void> {
  const res = ok(await ctx.consul.delete(`/v1/acl/token/${accessor}`), 'delete token');
  expect(res.json<boolean>()).to.equal(true);
}

async function deletePolicy(ctx: ConsulContext, id: string): Promise<void> {
  const res = ok(await ctx.consul.delete(`/v1/acl/policy/${id}`), 'delete policy');
  expect(res.json<boolean>()).to.equal(true);
}

/**
 * A blocking read of `path` (with the index of a plain read first) returns after `change`, with a
 * higher X-Consul-Index. The reads the consul-resources watches rely on being blocking.
 */
async function expectBlockingRead(
  ctx: ConsulContext,
  path: string,
  change: () => Promise<void>,
): Promise<ConsulResponse> {
  const first = ok(await ctx.consul.get(path), `read ${path}`);
  expect(first.index, path).to.be.a('number').and.greaterThan(0);
  const separator = path.includes('?') ? '&' : '?';
  const blocked = ctx.consul.get(`${path}${separator}index=${first.index}&wait=10s`);
  await change();
  const woken = ok(await blocked, `blocking read ${path}`);
  expect(woken.index, path).to.be.greaterThan(first.index ?? 0);
  return woken;
}

const ANONYMOUS_TOKEN = '00000000-0000-0000-0000-000000000002';

function blockingReadCases(): ContractCase<ConsulContext>[] {
  const method = (name: string) => ({
    Name: name,
    Type: 'aws-iam',
    Config: { BoundIAMPrincipalARNs: ['arn:aws:iam::123456789012:role/consul-ecs/app'] },
  });
  return [
    {
      name: 'blocking reads of /v1/acl/auth-methods and /v1/acl/binding-rules?authmethod= return after a change',
      async run(ctx) {
        const name = uniqueName('method');
        const listed = await expectBlockingRead(ctx, '/v1/acl/auth-methods', async () => {
          ok(await ctx.consul.put('/v1/acl/auth-method', method(name)), 'create method');
        });
        expect(listed.json<{ Name: string }[]>().map((m) => m.Name)).to.include(name);
        // A method's rules list is an empty list, never an error, while the method is missing.
        const missing = ok(
          await ctx.consul.get(`/v1/acl/binding-rules?authmethod=${uniqueName('no')}`),
          'rules',
        );
        expect(missing.json<unknown>() ?? []).to.deep.equal([]);
        const rules = await expectBlockingRead(ctx, `/v1/acl/binding-rules?authmethod=${name}`, async () => {
          ok(
            await ctx.consul.put('/v1/acl/binding-rule', {
              AuthMethod: name,
              BindType: 'service',
              BindName: 'web',
            }),
            'create rule',
          );
        });
        expect(rules.json<{ AuthMethod: string }[]>().map((r) => r.AuthMethod)).to.deep.equal([name]);
        ok(await ctx.consul.delete(`/v1/acl/auth-method/${name}`), 'delete method');
      },
    },
    {
      name: 'blocking reads of /v1/acl/policies and /v1/acl/roles return after a change',
      async run(ctx) {
        let policy: Policy | undefined;
        await expectBlockingRead(ctx, '/v1/acl/policies', async () => {
          policy = await createPolicy(ctx);
        });
        const name = uniqueName('role');
        const roles = await expectBlockingRead(ctx, '/v1/acl/roles', async () => {
          ok(await ctx.consul.put('/v1/acl/role', { Name: name, Policies: [{ ID: policy!.ID }] }), 'role');
        });
        const role = roles.json<Role[]>().find((r) => r.Name === name);
        expect(role?.Policies?.map((link) => link.ID)).to.deep.equal([policy!.ID]);
        ok(await ctx.consul.delete(`/v1/acl/role/${role!.ID}`), 'delete role');
        await deletePolicy(ctx, policy!.ID);
      },
    },
    {
      name: 'blocking reads of one token (the anonymous one) and of /v1/catalog/node/<node> return after its change',
      async run(ctx) {
        const path = `/v1/acl/token/${ANONYMOUS_TOKEN}`;
        const before = ok(await ctx.consul.get(path), 'anonymous').json<Token>();
        const description = uniqueName('anonymous');
        const woken = await expectBlockingRead(ctx, path, async () => {
          ok(
            await ctx.consul.put(path, { Description: description, Policies: before.Policies ?? [] }),
            'update',
          );
        });
        expect(woken.json<Token>().Description).to.equal(description);
        ok(
          await ctx.consul.put(path, { Description: before.Description, Policies: before.Policies ?? [] }),
          'restore',
        );
        const node = uniqueName('synthetic');
        ok(await ctx.consul.put('/v1/catalog/register', { Node: node, Address: '10.0.0.1' }), 'register');
        const registered = await expectBlockingRead(ctx, `/v1/catalog/node/${node}`, async () => {
          ok(
            await ctx.consul.put('/v1/catalog/register', {
              Node: node,
              Address: '10.0.0.1',
              NodeMeta: { 'synthetic-node': 'true' },
            }),
            'register with meta',
          );
        });
        expect(registered.json<{ Node: { Meta: Record<string, string> } }>().Node.Meta).to.deep.include({
          'synthetic-node': 'true',
        });
        ok(await ctx.consul.put('/v1/catalog/deregister', { Node: node }), 'deregister');
      },
    },
  ];
}

const cases: ContractCase<ConsulContext>[] = [
  {
    name: 'token create with preset AccessorID and SecretID, then read and self',
    async run(ctx) {
      const accessor = randomUUID();
      const secret = randomUUID();
      const created = await createToken(ctx, {
        AccessorID: accessor,
        SecretID: secret,
        Description: 'preset',
      });
      expect([created.AccessorID, created.SecretID, created.Description]).to.deep.equal([
        accessor,
        secret,
        'preset',
      ]);
      expect(created.CreateIndex).to.be.greaterThan(0);
      const read = ok(await ctx.consul.get(`/v1/acl/token/${accessor}`), 'read').json<Token>();
      expect([read.AccessorID, read.SecretID, read.Description]).to.deep.equal([accessor, secret, 'preset']);
      const self = ok(await ctx.consul.get('/v1/acl/token/self', { token: secret }), 'self').json<Token>();
      expect(self.AccessorID).to.equal(accessor);
      await deleteToken(ctx, accessor);
    },
  },
  {
    name: 'token update replaces the description and the linked policies',
    async run(ctx) {
      const policy = await createPolicy(ctx);
      const token = await createToken(ctx, { Description: 'before' });
      const updated = ok(
        await ctx.consul.put(`/v1/acl/token/${token.AccessorID}`, {
          Description: 'after',
          Policies: [{ Name: policy.Name }],
        }),
        'update',
      ).json<Token>();
      expect(updated.SecretID).to.equal(token.SecretID);
      expect(updated.Description).to.equal('after');
      expect(updated.Policies).to.deep.equal([{ ID: policy.ID, Name: policy.Name }]);
      expect(updated.ModifyIndex).to.be.greaterThan(token.ModifyIndex);
      const read = ok(await ctx.consul.get(`/v1/acl/token/${token.AccessorID}`), 'read').json<Token>();
      expect(read.Policies).to.deep.equal([{ ID: policy.ID, Name: policy.Name }]);
      await deleteToken(ctx, token.AccessorID);
      await deletePolicy(ctx, policy.ID);
    },
  },
  {
    name: 'token delete, then reading it is not found (1.14: 403 "ACL not found"; 1.15+: 404)',
    async run(ctx) {
      const token = await createToken(ctx, { Description: 'doomed' });
      await deleteToken(ctx, token.AccessorID);
      expectAclNotFound(await ctx.consul.get(`/v1/acl/token/${token.AccessorID}`), ctx.version);
    },
  },
  {
    name: 'deleting a token or policy that does not exist (1.14: 200 true; 1.15+: 404)',
    async run(ctx) {
      const token = await ctx.consul.delete(`/v1/acl/token/${randomUUID()}`);
      const policy = await ctx.consul.delete(`/v1/acl/policy/${randomUUID()}`);
      if (isLegacy(ctx.version)) {
        expect([token.status, token.text.trim()]).to.deep.equal([200, 'true']);
        expect([policy.status, policy.text.trim()]).to.deep.equal([200, 'true']);
      } else if (ctx.version !== '') {
        expect([token.status, policy.status]).to.deep.equal([404, 404]);
        expect(token.text).to.contain('Cannot find token to delete');
        expect(policy.text).to.contain('Cannot find policy to delete');
      } else {
        expect([200, 404]).to.include(token.status);
        expect([200, 404]).to.include(policy.status);
      }
    },
  },
  {
    name: 'token list includes created tokens and filters by policy ID',
    async run(ctx) {
      const policy = await createPolicy(ctx);
      const linked = await createToken(ctx, { Description: 'linked', Policies: [{ ID: policy.ID }] });
      const plain = await createToken(ctx, { Description: 'plain' });
      const all = ok(await ctx.consul.get('/v1/acl/tokens'), 'list').json<Token[]>();
      const accessors = all.map((t) => t.AccessorID);
      expect(accessors).to.include.members([linked.AccessorID, plain.AccessorID]);
      const listedLinked = all.find((t) => t.AccessorID === linked.AccessorID);
      expect(listedLinked?.SecretID).to.equal(linked.SecretID);
      const filtered = ok(await ctx.consul.get(`/v1/acl/tokens?policy=${policy.ID}`), 'list').json<Token[]>();
      expect(filtered.map((t) => t.AccessorID)).to.deep.equal([linked.AccessorID]);
      await deleteToken(ctx, linked.AccessorID);
      await deleteToken(ctx, plain.AccessorID);
      await deletePolicy(ctx, policy.ID);
    },
  },
  {
    // Consul 1.14.8 has no `servicename` list filter (agent/acl_endpoint.go reads only policy,
    // role and authmethod): the parameter is ignored and every token comes back. Later docs
    // list the filter; it is asserted only for 1.14, where its absence is known.
    name: 'ServiceIdentities are stored and listed; 1.14 ignores the servicename list parameter',
    async run(ctx) {
      const service = uniqueName('web');
      const token = await createToken(ctx, { ServiceIdentities: [{ ServiceName: service }] });
      const other = await createToken(ctx, { Description: 'no identity' });
      expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: service }]);
      const read = ok(await ctx.consul.get(`/v1/acl/token/${token.AccessorID}`), 'read').json<Token>();
      expect(read.ServiceIdentities).to.deep.equal([{ ServiceName: service }]);
      const all = ok(await ctx.consul.get('/v1/acl/tokens'), 'list').json<Token[]>();
      expect(all.find((t) => t.AccessorID === token.AccessorID)?.ServiceIdentities).to.deep.equal([
        { ServiceName: service },
      ]);
      if (ctx.version === '1.14') {
        const listed = ok(await ctx.consul.get(`/v1/acl/tokens?servicename=${service}`), 'list').json<
          Token[]
        >();
        expect(listed.map((t) => t.AccessorID)).to.include.members([token.AccessorID, other.AccessorID]);
      }
      await deleteToken(ctx, token.AccessorID);
      await deleteToken(ctx, other.AccessorID);
    },
  },
  {
    name: 'policy create, read by ID and by name, update, list and delete',
    async run(ctx) {
      const name = uniqueName('policy');
      const created = await createPolicy(ctx, name);
      expect(created.Name).to.equal(name);
      expect(created.Rules).to.equal(NODE_READ);
      const byId = ok(await ctx.consul.get(`/v1/acl/policy/${created.ID}`), 'read').json<Policy>();
      expect(byId.Name).to.equal(name);
      const byName = ok(await ctx.consul.get(`/v1/acl/policy/name/${name}`), 'read by name').json<Policy>();
      expect(byName.ID).to.equal(created.ID);
      const updated = ok(
        await ctx.consul.put(`/v1/acl/policy/${created.ID}`, {
          Name: name,
          Description: 'd2',
          Rules: NODE_READ,
        }),
        'update',
      ).json<Policy>();
      expect([updated.ID, updated.Description]).to.deep.equal([created.ID, 'd2']);
      const list = ok(await ctx.consul.get('/v1/acl/policies'), 'list').json<Policy[]>();
      expect(list.find((p) => p.ID === created.ID)?.Description).to.equal('d2');
      await deletePolicy(ctx, created.ID);
      expectAclNotFound(await ctx.consul.get(`/v1/acl/policy/${created.ID}`), ctx.version);
    },
  },
  {
    name: 'policy create with a duplicate name is rejected',
    async run(ctx) {
      const policy = await createPolicy(ctx);
      const duplicate = await ctx.consul.put('/v1/acl/policy', { Name: policy.Name, Rules: NODE_READ });
      expect(duplicate.status, duplicate.text).to.be.within(400, 599);
      expect(duplicate.text).to.contain(`A Policy with Name "${policy.Name}" already exists`);
      await deletePolicy(ctx, policy.ID);
    },
  },
  {
    name: 'role create, read by name, list and delete; a missing role reads 404',
    async run(ctx) {
      const policy = await createPolicy(ctx);
      const name = uniqueName('role');
      const role = ok(
        await ctx.consul.put('/v1/acl/role', { Name: name, Policies: [{ ID: policy.ID }] }),
        'create',
      ).json<Role>();
      expect(role.Policies).to.deep.equal([{ ID: policy.ID, Name: policy.Name }]);
      const byName = ok(await ctx.consul.get(`/v1/acl/role/name/${name}`), 'read by name').json<Role>();
      expect(byName.ID).to.equal(role.ID);
      const list = ok(await ctx.consul.get('/v1/acl/roles'), 'list').json<Role[]>();
      expect(list.map((r) => r.ID)).to.include(role.ID);
      const deleted = ok(await ctx.consul.delete(`/v1/acl/role/${role.ID}`), 'delete');
      expect(deleted.json<boolean>()).to.equal(true);
      const missing = await ctx.consul.get(`/v1/acl/role/name/${name}`);
      expect(missing.status, missing.text).to.equal(404);
      await deletePolicy(ctx, policy.ID);
    },
  },
  {
    name: 'aws-iam auth method create, read, update and delete; its binding rules listed by auth method and deleted with it',
    async run(ctx) {
      const name = uniqueName('iam-method');
      const config = {
        BoundIAMPrincipalARNs: ['arn:aws:iam::123456789012:role/consul-ecs/*'],
        EnableIAMEntityDetails: true,
        IAMEntityTags: ['consul.hashicorp.com.service-name'],
      };
      const created = ok(
        await ctx.consul.put('/v1/acl/auth-method', {
          Name: name,
          Type: 'aws-iam',
          Description: 'd',
          Config: config,
        }),
        'create',
      ).json<{ Name: string; Type: string; Config: Record<string, unknown> }>();
      expect(created).to.deep.include({ Name: name, Type: 'aws-iam' });
      expect(created.Config).to.deep.include(config);
      // A create of an existing name replaces it (an upsert, like the update endpoint).
      const again = ok(
        await ctx.consul.put('/v1/acl/auth-method', {
          Name: name,
          Type: 'aws-iam',
          Description: 'again',
          Config: config,
        }),
        'create again',
      ).json<{ Description: string }>();
      expect(again.Description).to.equal('again');
      const wildcardWithoutDetails = await ctx.consul.put('/v1/acl/auth-method', {
        Name: uniqueName('iam-method'),
        Type: 'aws-iam',
        Config: { ...config, EnableIAMEntityDetails: false, IAMEntityTags: [] },
      });
      expect(wildcardWithoutDetails.status, wildcardWithoutDetails.text).to.equal(500);
      expect(wildcardWithoutDetails.text).to.contain(
        'Must set EnableIAMEntityDetails=true to use wildcards in BoundIAMPrincipalARNs',
      );
      const missingArns = await ctx.consul.put('/v1/acl/auth-method', {
        Name: uniqueName('iam-method'),
        Type: 'aws-iam',
        Config: {},
      });
      expect(missingArns.status, missingArns.text).to.equal(500);
      const updated = ok(
        await ctx.consul.put(`/v1/acl/auth-method/${name}`, {
          Name: name,
          Type: 'aws-iam',
          Description: 'e',
          Config: config,
        }),
        'update',
      ).json<{ Description: string }>();
      expect(updated.Description).to.equal('e');
      const rule = ok(
        await ctx.consul.put('/v1/acl/binding-rule', {
          AuthMethod: name,
          BindType: 'service',
          BindName: '${entity_tags.consul.hashicorp.com.service-name}',
          Description: 'rule',
        }),
        'create rule',
      ).json<{ ID: string; BindType: string }>();
      const unknown = await ctx.consul.put('/v1/acl/binding-rule', {
        AuthMethod: uniqueName('no-such-method'),
        BindType: 'service',
        BindName: 'x',
      });
      expect(unknown.status, unknown.text).to.equal(500);
      const rules = ok(await ctx.consul.get(`/v1/acl/binding-rules?authmethod=${name}`), 'list rules').json<
        { ID: string }[]
      >();
      expect(rules.map((r) => r.ID)).to.deep.equal([rule.ID]);
      ok(await ctx.consul.delete(`/v1/acl/auth-method/${name}`), 'delete');
      const gone = await ctx.consul.get(`/v1/acl/auth-method/${name}`);
      expect(gone.status, gone.text).to.be.oneOf([403, 404]);
      const ruleGone = await ctx.consul.get(`/v1/acl/binding-rule/${rule.ID}`);
      expect(ruleGone.status, ruleGone.text).to.be.oneOf([403, 404]);
    },
  },
  {
    // A successful login needs a real STS (Consul's aws-iam method sends the signed request there),
    // so only the refusals are contract cases; successful logins are envtest-only
    // (test/envtest/consul/login.spec.ts).
    name: 'login and logout errors: unknown auth method, undecodable bearer, logout of a token not made by login, of an unknown one or of none',
    async run(ctx) {
      const name = uniqueName('iam-method');
      ok(
        await ctx.consul.put('/v1/acl/auth-method', {
          Name: name,
          Type: 'aws-iam',
          Config: {
            BoundIAMPrincipalARNs: ['arn:aws:iam::123456789012:role/consul-ecs/*'],
            EnableIAMEntityDetails: true,
          },
        }),
        'create method',
      );
      // token undefined: the management token; null: none.
      const post = (path: string, body: unknown, token: string | null | undefined) =>
        ctx.consul.request('POST', path, { body, ...(token === undefined ? {} : { token }) });
      const noMethod = await post('/v1/acl/login', { AuthMethod: `${name}-missing`, BearerToken: 'x' }, null);
      expect(noMethod.status, noMethod.text).to.equal(403);
      expect(noMethod.text).to.equal(`ACL not found: auth method "${name}-missing" not found`);
      // The request token plays no part in a login: the management token changes nothing.
      const withToken = await post(
        '/v1/acl/login',
        { AuthMethod: `${name}-missing`, BearerToken: 'x' },
        undefined,
      );
      expect([withToken.status, withToken.text]).to.deep.equal([403, noMethod.text]);
      // Not JSON: Consul's bearer decoding fails with Go's JSON error (envtest gives the same text).
      const badBearer = await post('/v1/acl/login', { AuthMethod: name, BearerToken: 'not-a-bearer' }, null);
      expect([badBearer.status, badBearer.text]).to.deep.equal([
        500,
        "invalid token: invalid character 'o' in literal null (expecting 'u')",
      ]);
      const plain = await createToken(ctx, { Description: 'not made by login' });
      const notLogin = await post('/v1/acl/logout', undefined, plain.SecretID);
      expect(notLogin.status, notLogin.text).to.equal(403);
      expect(notLogin.text).to.equal("Permission denied: token wasn't created via login");
      ok(await ctx.consul.get(`/v1/acl/token/${plain.AccessorID}`), 'the refused token is kept');
      const unknown = await post('/v1/acl/logout', undefined, randomUUID());
      expect([unknown.status, unknown.text]).to.deep.equal([403, 'ACL not found']);
      const none = await post('/v1/acl/logout', undefined, null);
      expect(none.status, none.text).to.equal(403);
      expect(none.text).to.equal('ACL not found');
      ok(await ctx.consul.delete(`/v1/acl/token/${plain.AccessorID}`), 'delete token');
      ok(await ctx.consul.delete(`/v1/acl/auth-method/${name}`), 'delete method');
    },
  },
  {
    name: 'login body decoding: unknown field and non-string Meta are 400; CE rejects a namespace or partition on login',
    async run(ctx) {
      const post = (path: string, body: unknown) => ctx.consul.request('POST', path, { body, token: null });
      const bogus = await post('/v1/acl/login', { AuthMethod: 'x', BearerToken: 'y', Bogus: 1 });
      expect([bogus.status, bogus.text.trim()]).to.deep.equal([
        400,
        'Failed to decode request body: json: unknown field "Bogus"',
      ]);
      const meta = await post('/v1/acl/login', { AuthMethod: 'x', BearerToken: 'y', Meta: { a: 1 } });
      expect([meta.status, meta.text.trim()]).to.deep.equal([
        400,
        'Failed to decode request body: json: cannot unmarshal number into Go struct field ACLLoginParams.Meta of type string',
      ]);
      // Enterprise-only: logins into a namespace or partition (envtest's Enterprise mode covers them);
      // CE answers 400 to both.
      const ns = await post('/v1/acl/login?ns=team', { AuthMethod: 'x', BearerToken: 'y' });
      expect([ns.status, ns.text.trim()]).to.deep.equal([
        400,
        'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature',
      ]);
      const partition = await post('/v1/acl/login?partition=team', { AuthMethod: 'x', BearerToken: 'y' });
      expect([partition.status, partition.text.trim()]).to.deep.equal([
        400,
        'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature',
      ]);
      const listed = ok(await ctx.consul.get(`/v1/acl/tokens?authmethod=${uniqueName('no-method')}`), 'list');
      expect(listed.json<unknown[]>()).to.deep.equal([]);
    },
  },
  {
    name: 'blocking query on /v1/acl/tokens returns after a change with a higher X-Consul-Index',
    async run(ctx) {
      const first = ok(await ctx.consul.get('/v1/acl/tokens'), 'list');
      expect(first.index).to.be.a('number').and.greaterThan(0);
      const blocked = ctx.consul.get(`/v1/acl/tokens?index=${first.index}&wait=10s`);
      const token = await createToken(ctx, { Description: 'wakes the watcher' });
      const woken = ok(await blocked, 'blocking list');
      expect(woken.index).to.be.greaterThan(first.index ?? 0);
      expect(woken.json<Token[]>().map((t) => t.AccessorID)).to.include(token.AccessorID);
      await deleteToken(ctx, token.AccessorID);
    },
  },
  ...blockingReadCases(),
  {
    name: 'blocking query with index and a short wait returns the same index when nothing changed',
    async run(ctx) {
      const first = ok(await ctx.consul.get('/v1/acl/tokens'), 'list');
      const again = ok(await ctx.consul.get(`/v1/acl/tokens?index=${first.index}&wait=1s`), 'blocking list');
      expect(again.index).to.equal(first.index);
      expect(again.json<Token[]>().length).to.equal(first.json<Token[]>().length);
    },
  },
  {
    name: 'an unknown request token gives 403 "ACL not found"',
    async run(ctx) {
      const res = await ctx.consul.get('/v1/acl/tokens', { token: randomUUID() });
      expect([res.status, res.text.trim()]).to.deep.equal([403, 'ACL not found']);
    },
  },
  {
    name: 'a token without acl:write, and no token at all, get 403 "Permission denied"',
    async run(ctx) {
      const policy = await createPolicy(ctx);
      const token = await createToken(ctx, { Policies: [{ ID: policy.ID }] });
      const denied = await ctx.consul.put(
        '/v1/acl/policy',
        { Name: uniqueName('x') },
        { token: token.SecretID },
      );
      expect(denied.status, denied.text).to.equal(403);
      expect(denied.text).to.match(/^Permission denied: .*lacks permission 'acl:write'/);
      const anonymous = await ctx.consul.get('/v1/acl/tokens', { token: null });
      expect(anonymous.status, anonymous.text).to.equal(403);
      expect(anonymous.text).to.match(/^Permission denied: .*lacks permission 'acl:read'/);
      await deleteToken(ctx, token.AccessorID);
      await deletePolicy(ctx, policy.ID);
    },
  },
  {
    name: 'unknown JSON fields in a token or policy body are rejected with 400',
    async run(ctx) {
      const token = await ctx.consul.put('/v1/acl/token', { Description: 'x', Bogus: 1 });
      expect([token.status, token.text.trim()]).to.deep.equal([
        400,
        'Token decoding failed: json: unknown field "Bogus"',
      ]);
      const policy = await ctx.consul.put('/v1/acl/policy', { Name: uniqueName('p'), Bogus: 1 });
      expect(policy.status, policy.text).to.equal(400);
      expect(policy.text).to.contain('Policy decoding failed: json: unknown field "Bogus"');
    },
  },
  {
    name: 'CE rejects a Namespace field and ns (also ns=*) and partition query parameters with 400',
    async run(ctx) {
      const field = await ctx.consul.put('/v1/acl/token', { Description: 'x', Namespace: '' });
      expect(field.status, field.text).to.equal(400);
      expect(field.text).to.contain('unknown field "Namespace"');
      const ns = await ctx.consul.get('/v1/acl/tokens?ns=team');
      expect([ns.status, ns.text.trim()]).to.deep.equal([
        400,
        'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature',
      ]);
      // Consul Enterprise's namespace wildcard of list endpoints is just another ns value to CE.
      for (const list of ['/v1/acl/tokens?ns=*', '/v1/acl/policies?ns=*']) {
        const wildcard = await ctx.consul.get(list);
        expect([wildcard.status, wildcard.text.trim()], list).to.deep.equal([
          400,
          'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature',
        ]);
      }
      const partition = await ctx.consul.get('/v1/acl/tokens?partition=team');
      expect([partition.status, partition.text.trim()]).to.deep.equal([
        400,
        'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature',
      ]);
    },
  },
  {
    name: 'sessions: create, renew, info and destroy; renewing a destroyed session is 404',
    async run(ctx) {
      const created = ok(
        await ctx.consul.put('/v1/session/create', {
          Name: uniqueName('session'),
          TTL: '10s',
          LockDelay: '1s',
        }),
        'create',
      ).json<{ ID: string }>();
      expect(created.ID).to.match(/^[0-9a-f-]{36}$/);
      const renewed = ok(await ctx.consul.put(`/v1/session/renew/${created.ID}`), 'renew').json<
        { ID: string }[]
      >();
      expect(renewed.map((s) => s.ID)).to.deep.equal([created.ID]);
      const info = ok(await ctx.consul.get(`/v1/session/info/${created.ID}`), 'info').json<
        { TTL: string }[]
      >();
      expect(info.map((s) => s.TTL)).to.deep.equal(['10s']);
      const destroyed = ok(await ctx.consul.put(`/v1/session/destroy/${created.ID}`), 'destroy');
      expect(destroyed.json<boolean>()).to.equal(true);
      const gone = await ctx.consul.put(`/v1/session/renew/${created.ID}`);
      expect(gone.status, gone.text).to.equal(404);
      expect(gone.text).to.contain(`Session id '${created.ID}' not found`);
    },
  },
  {
    name: 'KV lock: acquire, contended acquire fails, release, then another session acquires',
    async run(ctx) {
      const key = `conformance/${uniqueName('lock')}`;
      const session = async (): Promise<string> =>
        ok(await ctx.consul.put('/v1/session/create', { TTL: '10s', LockDelay: '0s' }), 'session').json<{
          ID: string;
        }>().ID;
      const a = await session();
      const b = await session();
      expect(
        ok(await ctx.consul.put(`/v1/kv/${key}?acquire=${a}`, 'a'), 'acquire a').json<boolean>(),
      ).to.equal(true);
      expect(
        ok(await ctx.consul.put(`/v1/kv/${key}?acquire=${b}`, 'b'), 'acquire b').json<boolean>(),
      ).to.equal(false);
      const held = ok(await ctx.consul.get(`/v1/kv/${key}`), 'read').json<
        { Session?: string; LockIndex: number }[]
      >();
      expect([held[0]?.Session, held[0]?.LockIndex]).to.deep.equal([a, 1]);
      expect(ok(await ctx.consul.put(`/v1/kv/${key}?release=${a}`, 'a'), 'release').json<boolean>()).to.equal(
        true,
      );
      const free = ok(await ctx.consul.get(`/v1/kv/${key}`), 'read').json<{ Session?: string }[]>();
      expect(free[0]?.Session).to.equal(undefined);
      expect(
        ok(await ctx.consul.put(`/v1/kv/${key}?acquire=${b}`, 'b'), 'acquire b').json<boolean>(),
      ).to.equal(true);
      for (const id of [a, b]) ok(await ctx.consul.put(`/v1/session/destroy/${id}`), 'destroy');
      ok(await ctx.consul.delete(`/v1/kv/${key}`), 'delete key');
    },
  },
  {
    name: 'catalog register, list services, read service nodes and deregister',
    async run(ctx) {
      const node = uniqueName('ext-node');
      const service = uniqueName('svc');
      const registered = ok(
        await ctx.consul.put('/v1/catalog/register', {
          Node: node,
          Address: '127.0.0.1',
          Service: { ID: `${service}-1`, Service: service, Port: 8080, Tags: ['v1'] },
        }),
        'register',
      );
      expect(registered.json<boolean>()).to.equal(true);
      const services = ok(await ctx.consul.get('/v1/catalog/services'), 'services').json<
        Record<string, string[]>
      >();
      expect(services[service]).to.deep.equal(['v1']);
      const nodes = ok(await ctx.consul.get(`/v1/catalog/service/${service}`), 'service nodes').json<
        { Node: string; ServiceID: string; ServicePort: number }[]
      >();
      expect(nodes.map((n) => [n.Node, n.ServiceID, n.ServicePort])).to.deep.equal([
        [node, `${service}-1`, 8080],
      ]);
      expect(
        ok(await ctx.consul.put('/v1/catalog/deregister', { Node: node }), 'deregister').json<boolean>(),
      ).to.equal(true);
      const after = ok(await ctx.consul.get('/v1/catalog/services'), 'services').json<
        Record<string, string[]>
      >();
      expect(after).to.not.have.property(service);
    },
  },
];

export const consulContract: Contract<ConsulContext> = { service: 'consul', makeContext, cases };
