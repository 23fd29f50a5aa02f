import { expect } from 'chai';
import { randomUUID } from 'node:crypto';

import { type CallRecord } from '../../envtest/call-log.js';
import { type AclToken } from '../../envtest/consul/acl/model.js';
import { createPolicy } from '../../envtest/consul/acl/policies.js';
import { createToken } from '../../envtest/consul/acl/tokens.js';
import { DEFAULT_SCOPE } from '../../envtest/consul/scope.js';
import { ConsulState } from '../../envtest/consul/state.js';
import { aclContext, emptySecretStore } from './state-fixtures.js';
import { clientTokenDescription, serviceDescription } from '../../controllers/domain/token-description.js';
import { CLIENT_POLICY_RULES, clientPolicyName } from './client-invariants.js';
import { foreignDescriptions, secretBaseline, tokenBaseline } from './foreign.js';
import {
  crossClusterViolations,
  judgeSecretWrite,
  judgeTokenWrite,
  type SafetyInput,
  safetyViolations,
  secretIds,
  type StateInput,
  stateViolations,
  tokenOwner,
  type TokenWrite,
  CLIENT,
  type SecretWrite,
  type TokenOwner,
} from './invariants.js';
import { LogScan } from './log-scan.js';

const CLUSTER = 'chaos';
const CLIENT_SECRET = 'chaos-consul-client-token';

/** Envtest state built directly (no servers, no sleeps): a converged world with web active. */
function fixture() {
  const consul = new ConsulState();
  const acl = aclContext(consul);
  const secrets = emptySecretStore();
  const token = (description: string, service?: string, policy?: string): AclToken =>
    createToken(
      acl,
      {
        AccessorID: randomUUID(),
        SecretID: randomUUID(),
        Description: description,
        ...(service ? { ServiceIdentities: [{ ServiceName: service }] } : {}),
        ...(policy ? { Policies: [{ Name: policy }] } : {}),
      },
      DEFAULT_SCOPE,
    );
  /** The client policy and token of `cluster`, as the controller makes them, its secret naming it. */
  const clientOf = (cluster: string) => {
    const policy = createPolicy(
      acl,
      {
        Name: clientPolicyName(cluster),
        Description: 'Consul Client Token Policy for ECS',
        Rules: CLIENT_POLICY_RULES,
      },
      DEFAULT_SCOPE,
    );
    const client = token(clientTokenDescription(cluster), undefined, policy.name);
    pointSecretAt(`${cluster}-consul-client-token`, client);
    return { client, policy };
  };
  const serviceToken = (service: string, cluster = CLUSTER) =>
    token(serviceDescription('Token', { name: service }, cluster), service);
  const putSecret = (name: string, value: string) => {
    const secret = secrets.find(name) ?? secrets.create({ name, tags: [] });
    secrets.putValue(secret, randomUUID(), { secretString: value });
  };
  const pointSecretAt = (name: string, t: AclToken) =>
    putSecret(name, JSON.stringify({ accessor_id: t.accessorId, token: t.secretId }));
  const { client, policy: clientPolicy } = clientOf(CLUSTER);
  const web = serviceToken('web');
  pointSecretAt('chaos-web', web);
  const foreignTokens = foreignDescriptions(CLUSTER, 'web').map((d) => token(d, 'web'));
  putSecret('other-web', JSON.stringify({ accessor_id: foreignTokens[0].accessorId, token: 'x' }));
  const state = (overrides: Partial<StateInput> = {}): StateInput => ({
    cluster: CLUSTER,
    prefix: 'chaos',
    clientSecretId: CLIENT_SECRET,
    consul,
    secrets,
    active: new Set(['web']),
    goneForMs: () => Number.POSITIVE_INFINITY,
    leftoverAfterMs: 3_000,
    ...overrides,
  });
  const scan = new LogScan();
  const safety = (overrides: Partial<SafetyInput> = {}): SafetyInput => ({
    foreign: {
      tokens: foreignTokens.map(tokenBaseline),
      secrets: [secretBaseline(secrets, 'other-web')!],
      consulCallsBefore: 0,
      smCallsBefore: 0,
    },
    consul,
    secrets,
    consulCalls: [],
    smCalls: [],
    secretIds: new Map([...consul.tokens.values()].map((t) => [t.secretId, `token ${t.accessorId}`])),
    logUuids: scan.uuids,
    crashes: scan.crashes,
    ...overrides,
  });
  return {
    consul,
    acl,
    secrets,
    client,
    clientPolicy,
    clientOf,
    token,
    serviceToken,
    putSecret,
    pointSecretAt,
    web,
    foreignTokens,
    state,
    safety,
    scan,
  };
}

const B = 'chaos-b';
const CLUSTERS = [CLUSTER, B];

/** The fixture with a second served cluster `chaos-b` (prefix `chaos-b`), converged with web active. */
function twoClusters() {
  const world = fixture();
  const { client: bClient } = world.clientOf(B);
  const bWeb = world.serviceToken('web', B);
  world.pointSecretAt('chaos-b-web', bWeb);
  const stateB = (overrides: Partial<StateInput> = {}): StateInput =>
    world.state({ cluster: B, prefix: B, clientSecretId: 'chaos-b-consul-client-token', ...overrides });
  return { ...world, bWeb, bClient, stateB };
}

const kinds = (violations: Array<{ kind: string }>) => violations.map((v) => v.kind);
const call = (operation: string, resource: string): CallRecord => ({
  operation,
  resource,
  status: 200,
  at: 0,
});

describe('chaos: invariant checker', () => {
  it('finds nothing wrong with a converged world (so each case below is caused by its breakage)', () => {
    const world = fixture();
    expect(stateViolations(world.state())).to.deep.equal([]);
    expect(safetyViolations(world.safety())).to.deep.equal([]);
  });

  it('reports an active service without a token', () => {
    const world = fixture();
    const violations = stateViolations(world.state({ active: new Set(['web', 'api']) }));
    expect(kinds(violations)).to.deep.equal(['missing-token']);
    expect(violations[0].message).to.contain('api');
  });

  it('reports an active service with two tokens', () => {
    const world = fixture();
    const second = world.serviceToken('web');
    const violations = stateViolations(world.state());
    expect(kinds(violations)).to.deep.equal(['duplicate-token']);
    expect(violations[0].message).to.contain(second.accessorId);
  });

  it("does not count another cluster's token, or one with an extra line, as a second token", () => {
    const world = fixture();
    world.serviceToken('web', 'chaos-2');
    world.serviceToken('web', 'other');
    expect(stateViolations(world.state())).to.deep.equal([]);
  });

  it('reports a token whose SecretID differs from its secret, and a secret naming another accessor', () => {
    const world = fixture();
    world.putSecret('chaos-web', JSON.stringify({ accessor_id: world.web.accessorId, token: randomUUID() }));
    expect(kinds(stateViolations(world.state()))).to.deep.equal(['secret-mismatch']);
    world.putSecret('chaos-web', 'not json');
    const violations = stateViolations(world.state());
    expect(kinds(violations)).to.deep.equal(['secret-mismatch']);
    expect(violations[0].message).to.not.contain(world.web.secretId);
  });

  it('reports a token left for a service gone longer than the grace period, and only then', () => {
    const world = fixture();
    const old = world.serviceToken('old');
    const recent = stateViolations(world.state({ goneForMs: () => 1_000 }));
    expect(recent).to.deep.equal([]);
    const late = stateViolations(world.state({ goneForMs: () => 10_000 }));
    expect(kinds(late)).to.deep.equal(['leftover-token']);
    expect(late[0].message).to.contain(old.accessorId).and.contain('10.0 s');
  });

  it('reports a client secret that names no client token', () => {
    const world = fixture();
    world.putSecret(CLIENT_SECRET, '{}');
    expect(kinds(stateViolations(world.state()))).to.deep.equal(['client-token']);
  });

  it('reports a write to a foreign token in the Consul call log, but not a read', () => {
    const world = fixture();
    const foreign = world.foreignTokens[1].accessorId;
    expect(safetyViolations(world.safety({ consulCalls: [call('acl.token.read', foreign)] }))).to.deep.equal(
      [],
    );
    for (const operation of ['acl.token.delete', 'acl.token.update']) {
      const violations = safetyViolations(world.safety({ consulCalls: [call(operation, foreign)] }));
      expect(kinds(violations)).to.deep.equal(['foreign-touched']);
      expect(violations[0].message).to.contain(operation).and.contain(foreign);
    }
  });

  it('ignores calls made before the baseline (the seeding itself)', () => {
    const world = fixture();
    const input = world.safety();
    const seeding = [call('acl.token.create', world.foreignTokens[0].accessorId)];
    expect(
      safetyViolations({
        ...input,
        consulCalls: seeding,
        foreign: { ...input.foreign, consulCallsBefore: 1 },
      }),
    ).to.deep.equal([]);
  });

  it('reports a foreign token gone or changed in the final state', () => {
    const world = fixture();
    const input = world.safety();
    world.consul.tokens.delete(world.foreignTokens[3].accessorId);
    const violations = safetyViolations(input);
    expect(kinds(violations)).to.deep.equal(['foreign-touched']);
    expect(violations[0].message).to.contain(world.foreignTokens[3].accessorId).and.contain('gone');
  });

  it('reports a write to a foreign secret, by name or ARN, in the Secrets Manager call log', () => {
    const world = fixture();
    const arn = world.secrets.find('other-web')!.arn;
    expect(safetyViolations(world.safety({ smCalls: [call('GetSecretValue', 'other-web')] }))).to.deep.equal(
      [],
    );
    const byName = safetyViolations(world.safety({ smCalls: [call('PutSecretValue', 'other-web')] }));
    const byArn = safetyViolations(world.safety({ smCalls: [call('UpdateSecret', arn)] }));
    expect(kinds([...byName, ...byArn])).to.deep.equal(['foreign-touched', 'foreign-touched']);
    const baseline = world.safety();
    world.putSecret('other-web', '{}');
    expect(kinds(safetyViolations(baseline))).to.deep.equal(['foreign-touched']);
  });

  it('reports a SecretID in a log line or in /metrics, naming its AccessorID and never the SecretID', () => {
    const world = fixture();
    world.scan.line('replica 0#1', `{"msg":"reconciled","accessorId":"${world.web.accessorId}"}`);
    expect(safetyViolations(world.safety())).to.deep.equal([]);
    world.scan.line('replica 1#2', `{"msg":"oops","token":"${world.web.secretId.toUpperCase()}"}`);
    world.scan.text('replica 0 /metrics', `x{id="${world.foreignTokens[0].secretId}"} 1\n`);
    const violations = safetyViolations(world.safety());
    expect(kinds(violations)).to.deep.equal(['secret-id-leak', 'secret-id-leak']);
    expect(violations[0].message).to.contain('replica 1#2 line 1').and.contain(world.web.accessorId);
    expect(violations.map((v) => v.message).join('\n')).to.not.contain(world.web.secretId);
  });

  it('checks a second cluster on its own: a violation there is reported, named by that cluster', () => {
    const world = twoClusters();
    expect(stateViolations(world.state())).to.deep.equal([]);
    expect(stateViolations(world.stateB())).to.deep.equal([]);
    // chaos-b's web token gone: chaos's identical web token (chaos-b contains chaos) must not hide it.
    world.consul.tokens.delete(world.bWeb.accessorId);
    const violations = stateViolations(world.stateB());
    expect(kinds(violations)).to.deep.equal(['missing-token']);
    expect(violations[0].message).to.equal('chaos-b: active service web has no token');
    expect(stateViolations(world.state())).to.deep.equal([]);
    // And a leftover of chaos-b alone, and its client secret alone.
    world.serviceToken('db', B);
    world.putSecret('chaos-b-consul-client-token', '{}');
    expect(kinds(stateViolations(world.stateB()))).to.deep.equal([
      'missing-token',
      'leftover-token',
      'client-token',
    ]);
    expect(stateViolations(world.state())).to.deep.equal([]);
  });

  it('tells the served clusters apart by exact description (chaos-b is not chaos)', () => {
    const world = twoClusters();
    expect(tokenOwner(world.web, CLUSTERS)).to.deep.include({ cluster: CLUSTER, service: 'web' });
    expect(tokenOwner(world.bWeb, CLUSTERS)).to.deep.include({ cluster: B, service: 'web' });
    expect(tokenOwner(world.bClient, CLUSTERS)).to.deep.include({ cluster: B });
    for (const foreign of world.foreignTokens) expect(tokenOwner(foreign, CLUSTERS)).to.equal(undefined);
  });

  describe('cross-cluster writes', () => {
    const window = 15_000;
    const deleteOf = (world: ReturnType<typeof twoClusters>, overrides: Partial<TokenWrite> = {}) => {
      const before = tokenOwner(world.web, CLUSTERS);
      world.consul.tokens.delete(world.web.accessorId);
      return {
        operation: 'acl.token.delete',
        status: 200,
        accessorId: world.web.accessorId,
        before,
        after: world.consul.tokens.get(world.web.accessorId),
        byDriver: false,
        ownerSecret: secretIds(world.secrets, 'chaos-web'),
        wantedForMs: 20_000,
        ...overrides,
      };
    };

    it("flags a delete of chaos's wanted token (active 20 s, its secret naming it)", () => {
      const world = twoClusters();
      const verdict = judgeTokenWrite(deleteOf(world), CLUSTERS, window);
      expect(verdict?.kind).to.equal('cross-cluster');
      expect(verdict?.message)
        .to.contain(`token ${world.web.accessorId} of chaos (web) deleted`)
        .and.contain('20.0 s')
        .and.not.contain(world.web.secretId);
    });

    it('does not flag deletes chaos itself has a reason for, nor the driver’s, nor failed calls', () => {
      const world = twoClusters();
      expect(judgeTokenWrite(deleteOf(world, { wantedForMs: 2_000 }), CLUSTERS, window)).to.equal(undefined);
      expect(judgeTokenWrite(deleteOf(world, { byDriver: true }), CLUSTERS, window)).to.equal(undefined);
      expect(judgeTokenWrite(deleteOf(world, { status: 500 }), CLUSTERS, window)).to.equal(undefined);
      // Its secret now names other IDs (chaos repaired it): the delete is chaos's own.
      const repaired = { accessorId: randomUUID(), token: randomUUID() };
      expect(judgeTokenWrite(deleteOf(world, { ownerSecret: repaired }), CLUSTERS, window)).to.equal(
        undefined,
      );
      // Same accessor, other SecretID in the secret: a secret_mismatch repair.
      const mismatch = { accessorId: world.web.accessorId, token: randomUUID() };
      expect(judgeTokenWrite(deleteOf(world, { ownerSecret: mismatch }), CLUSTERS, window)).to.equal(
        undefined,
      );
    });

    it("flags an update that moves chaos's token to chaos-b, or to another service, but not a repair", () => {
      const world = twoClusters();
      const before = tokenOwner(world.web, CLUSTERS);
      const update = (description: string, service = 'web'): TokenWrite => ({
        operation: 'acl.token.update',
        status: 200,
        accessorId: world.web.accessorId,
        before,
        after: { ...world.web, description, serviceIdentities: [{ ServiceName: service }] },
        byDriver: false,
        ownerSecret: secretIds(world.secrets, 'chaos-web'),
        wantedForMs: 0,
      });
      const moved = judgeTokenWrite(
        update(serviceDescription('Token', { name: 'web' }, B)),
        CLUSTERS,
        window,
      );
      expect(moved?.kind).to.equal('cross-cluster');
      expect(moved?.message).to.contain('of chaos (web)').and.contain('of chaos-b (web)');
      const renamed = judgeTokenWrite(
        update(serviceDescription('Token', { name: 'api' }, CLUSTER), 'api'),
        CLUSTERS,
        window,
      );
      expect(renamed?.message).to.contain('of chaos (api)');
      expect(judgeTokenWrite(update(world.web.description), CLUSTERS, window)).to.equal(undefined);
    });

    it("flags a controller write over chaos's healthy secret, and nothing chaos has a reason for", () => {
      const world = twoClusters();
      const write = (overrides: Partial<SecretWrite> = {}): SecretWrite => ({
        operation: 'PutSecretValue',
        status: 200,
        principal: 'AKIDCONTROLLER',
        cluster: CLUSTER,
        service: 'web',
        name: 'chaos-web',
        replaced: { accessorId: world.web.accessorId, token: world.web.secretId },
        replacedForMs: 20_000,
        replacedToken: world.web,
        ...overrides,
      });
      const judge = (w: SecretWrite) => judgeSecretWrite(w, 'AKIDCONTROLLER', CLUSTERS, window);
      const verdict = judge(write());
      expect(verdict?.kind).to.equal('cross-cluster');
      expect(verdict?.message)
        .to.contain('PutSecretValue on secret chaos-web of chaos')
        .and.contain(world.web.accessorId)
        .and.not.contain(world.web.secretId);
      // chaos-b's client secret over its healthy client token, likewise.
      const client = judge(
        write({
          cluster: B,
          service: CLIENT,
          name: 'chaos-b-consul-client-token',
          replaced: { accessorId: world.bClient.accessorId, token: world.bClient.secretId },
          replacedToken: world.bClient,
        }),
      );
      expect(client?.message).to.contain('chaos-b-consul-client-token of chaos-b');
      // Reasons of chaos's own, or not the controller: no verdict.
      expect(judge(write({ principal: 'AKIDTEST' }))).to.equal(undefined);
      expect(judge(write({ replacedForMs: 1_000 }))).to.equal(undefined);
      expect(judge(write({ status: 400 }))).to.equal(undefined);
      expect(judge(write({ replacedToken: undefined }))).to.equal(undefined); // token gone: re-mint
      expect(judge(write({ replaced: { accessorId: world.web.accessorId, token: randomUUID() } }))).to.equal(
        undefined,
      ); // SecretIDs differ: a repair
      expect(
        judge(
          write({
            replaced: { accessorId: world.bWeb.accessorId, token: world.bWeb.secretId },
            replacedToken: world.bWeb,
          }),
        ),
      ).to.equal(undefined); // named chaos-b's token: a foreign-token conflict for chaos
    });

    it('flags a secret of one cluster that ever named a token of the other, and owner changes', () => {
      const world = twoClusters();
      const owners = new Map(
        [world.web, world.bWeb].map((t) => [t.accessorId, tokenOwner(t, CLUSTERS)!] as const),
      );
      const named = (a: string, b: string) =>
        new Map([
          [CLUSTER, new Map([['chaos-web', new Set([a])]])],
          [B, new Map([['chaos-b-web', new Set([b, world.foreignTokens[0].accessorId])]])],
        ]);
      const clean = {
        owners,
        ownerChanges: [],
        secretAccessors: named(world.web.accessorId, world.bWeb.accessorId),
      };
      expect(crossClusterViolations(clean)).to.deep.equal([]);
      const crossed = crossClusterViolations({
        ...clean,
        secretAccessors: named(world.web.accessorId, world.web.accessorId),
      });
      expect(kinds(crossed)).to.deep.equal(['cross-cluster']);
      expect(crossed[0].message).to.equal(
        `secret chaos-b-web of chaos-b named token ${world.web.accessorId} of chaos (web)`,
      );
      const from = tokenOwner(world.web, CLUSTERS)!;
      const change = (to: TokenOwner | undefined) => ({ accessorId: world.web.accessorId, from, to });
      const toB = { ...from, cluster: B };
      const toApi = { ...from, service: 'api' };
      const changed = crossClusterViolations({
        ...clean,
        ownerChanges: [change(toB), change(toApi), change(undefined)],
      });
      expect(kinds(changed)).to.deep.equal(['cross-cluster', 'token-owner', 'cross-cluster']);
      expect(changed[1].message).to.equal(
        `token ${world.web.accessorId} of chaos (web) is now owned by chaos (api)`,
      );
      // An AccessorID the driver planted in api's secret may come back as api's: judged per write.
      const planted = new Set([world.web.accessorId]);
      expect(crossClusterViolations({ ...clean, ownerChanges: [change(toApi)], planted })).to.deep.equal([]);
    });
  });

  it('reports an unhandled promise rejection in a log line as a crash', () => {
    const world = fixture();
    world.scan.line('replica 0#1', '{"level":"error","msg":"unhandled promise rejection","error":"boom"}');
    const violations = safetyViolations(world.safety());
    expect(kinds(violations)).to.deep.equal(['crash']);
    expect(violations[0].message).to.contain('replica 0#1 line 1');
  });
});
