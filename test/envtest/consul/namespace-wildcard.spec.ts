/**
 * `ns=*` on the ACL list endpoints, as Consul Enterprise documents it (api-docs/acl/tokens.mdx,
 * policies.mdx, roles.mdx: "The namespace may be specified as '*' to return results for all
 * namespaces"): every namespace of one partition, that named by `partition=`, else the request
 * token's. Consul CE rejects any `ns` with 400; that case is also in the Consul contract
 * (test/conformance/consul.contract.ts), which runs it against a real Consul 1.14.8 CE. The
 * Enterprise cases run against envtest only: CI builds no Consul Enterprise (it is not public).
 */
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/index.js';
import {
  type Call,
  ensureTenancy,
  type PolicyJson,
  type TokenJson,
  until,
  useConsulServer,
} from './helpers.js';

interface Scoped {
  readonly Namespace?: string;
  readonly Partition?: string;
}

const where = (items: Scoped[]) => items.map((item) => `${item.Partition}/${item.Namespace}`).sort();

describe('Consul envtest: the ns=* namespace wildcard of list endpoints (Enterprise)', () => {
  let clock: ManualClock;
  const consul = useConsulServer(() => {
    clock = new ManualClock();
    return { enterprise: true, clock };
  });
  const { call } = consul;

  /** One token and one policy (named after the scope) in each of partition/namespace `scopes`. */
  async function seed(scopes: readonly string[]): Promise<Map<string, TokenJson>> {
    const tokens = new Map<string, TokenJson>();
    for (const scope of scopes) {
      const [partition, namespace] = scope.split('/');
      await ensureTenancy(call, partition!, namespace!);
      const query = `?partition=${partition}&ns=${namespace}`;
      const policy = await call('PUT', `/v1/acl/policy${query}`, {
        body: { Name: `p-${partition}-${namespace}`, Rules: '' },
      });
      expect(policy.status, policy.text).to.equal(200);
      const token = await call('PUT', `/v1/acl/token${query}`, { body: { Description: `t ${scope}` } });
      expect(token.status, token.text).to.equal(200);
      tokens.set(scope, token.json<TokenJson>());
    }
    return tokens;
  }

  const ownTokens = async (path: string, token?: string) => {
    const response = await call('GET', path, token === undefined ? {} : { token });
    expect(response.status, response.text).to.equal(200);
    return response.json<(TokenJson & Scoped)[]>().filter((t) => t.Description.startsWith('t '));
  };

  it('lists the tokens of every namespace of the named partition, and no other partition', async () => {
    await seed(['default/default', 'default/team1', 'default/team2', 'other/team1']);
    expect(where(await ownTokens('/v1/acl/tokens?partition=default&ns=*'))).to.deep.equal([
      'default/default',
      'default/team1',
      'default/team2',
    ]);
    expect(where(await ownTokens('/v1/acl/tokens?partition=other&ns=*'))).to.deep.equal(['other/team1']);
    // Without the wildcard, one namespace; without ns at all, the token's (the management token's: default).
    expect(where(await ownTokens('/v1/acl/tokens?partition=default&ns=team1'))).to.deep.equal([
      'default/team1',
    ]);
    expect(where(await ownTokens('/v1/acl/tokens'))).to.deep.equal(['default/default']);
  });

  it('takes the partition from the request token when the request names none', async () => {
    await seed(['default/default', 'default/team1', 'other/team1']);
    // The management token lives in default/default, so ns=* alone means the default partition.
    expect(where(await ownTokens('/v1/acl/tokens?ns=*'))).to.deep.equal(['default/default', 'default/team1']);
    // A token of default/team1 with acl:read: ns=* is still its partition, no ns is its namespace.
    await call('PUT', '/v1/acl/policy', { body: { Name: 'acl-read', Rules: 'acl = "read"' } });
    const reader = (
      await call('PUT', '/v1/acl/token?ns=team1', { body: { Policies: [{ Name: 'acl-read' }] } })
    ).json<TokenJson>();
    expect(where(await ownTokens('/v1/acl/tokens?ns=*', reader.SecretID))).to.deep.equal([
      'default/default',
      'default/team1',
    ]);
    expect(where(await ownTokens('/v1/acl/tokens', reader.SecretID))).to.deep.equal(['default/team1']);
  });

  it('lists the policies and roles of every namespace of the partition', async () => {
    await seed(['default/default', 'default/team1', 'other/team1']);
    const policies = await call('GET', '/v1/acl/policies?partition=default&ns=*');
    expect(policies.status, policies.text).to.equal(200);
    const names = policies
      .json<(PolicyJson & Scoped)[]>()
      .map((policy) => policy.Name)
      .sort();
    expect(names).to.deep.equal(['global-management', 'p-default-default', 'p-default-team1']);
    // team2 does not exist yet: the write is refused, as in Consul Enterprise.
    const refused = await call('PUT', '/v1/acl/role?ns=team2', { body: { Name: 'r2' } });
    expect([refused.status, refused.text]).to.deep.equal([500, 'Namespace "team2" does not exist']);
    await ensureTenancy(call, 'default', 'team2');
    const role = await call('PUT', '/v1/acl/role?ns=team2', {
      body: { Name: 'r2', Policies: [{ Name: 'p-default-default' }] },
    });
    expect(role.status, role.text).to.equal(200);
    const roles = (await call('GET', '/v1/acl/roles?ns=*')).json<{ Name: string }[]>();
    expect(roles.map((role) => role.Name)).to.deep.equal(['r2']);
    expect((await call('GET', '/v1/acl/roles')).json<unknown[]>()).to.deep.equal([]);
  });

  it('wakes a blocked ns=* token list when a token is created in any namespace of the partition', async () => {
    const first = await call('GET', '/v1/acl/tokens?partition=default&ns=*');
    const timers = clock.pendingTimers;
    const pending = call('GET', `/v1/acl/tokens?partition=default&ns=*&index=${first.index}&wait=30s`);
    await until(() => clock.pendingTimers > timers, 'the blocking list to be held');
    const created = await seed(['default/team9']);
    const answer = await pending;
    expect(answer.index).to.be.greaterThan(first.index);
    const accessors = answer.json<TokenJson[]>().map((token) => token.AccessorID);
    expect(accessors).to.include(created.get('default/team9')!.AccessorID);
  });
});

describe('Consul envtest: ns=* on Consul CE', () => {
  const consul = useConsulServer();

  it('is rejected like any ns value, on tokens and policies alike', async () => {
    const call: Call = consul.call;
    for (const path of [
      '/v1/acl/tokens?ns=*',
      '/v1/acl/policies?ns=*',
      '/v1/acl/tokens?partition=default&ns=*',
    ]) {
      const response = await call('GET', path);
      expect([response.status, response.text.trim()], path).to.deep.equal([
        400,
        'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature',
      ]);
    }
  });
});
