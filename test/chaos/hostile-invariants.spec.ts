import { expect } from 'chai';
import { randomUUID } from 'node:crypto';

import { type CallRecord } from '../../envtest/call-log.js';
import { type AclToken, GLOBAL_MANAGEMENT_POLICY_ID } from '../../envtest/consul/acl/model.js';
import { createPolicy, ensureBuiltinPolicy } from '../../envtest/consul/acl/policies.js';
import { createRole } from '../../envtest/consul/acl/roles.js';
import { createToken } from '../../envtest/consul/acl/tokens.js';
import { DEFAULT_SCOPE } from '../../envtest/consul/scope.js';
import { ConsulState } from '../../envtest/consul/state.js';
import { clientTokenDescription, serviceDescription } from '../../controllers/domain/token-description.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { CLIENT_POLICY_RULES, clientPolicyName, normalizeRules } from './client-invariants.js';
import { ClientWatch } from './client-watch.js';
import { CrossClusterWatch } from './cross-cluster.js';
import {
  CLIENT,
  judgeTokenWrite,
  secretIds,
  type StateInput,
  stateViolations,
  tokenOwner,
  type TokenOwner,
  type TokenWrite,
} from './invariants.js';
import { aclContext, emptySecretStore } from './state-fixtures.js';

const CLUSTER = 'chaos';
const CLUSTERS = [CLUSTER, 'chaos-b'];
const CLIENT_SECRET = 'chaos-consul-client-token';
/** The service a hostile tenant names so that its secret `chaos-<service>` is the client secret. */
const COLLIDING = 'consul-client-token';
const DRIVER = '6a1b2c3d-0000-4000-8000-00000000d71e';
const REPLICAS = '6a1b2c3d-0000-4000-8000-0000000c0a7e';
const WINDOW = 15_000;

/** One served cluster, converged: the client policy and token, web and api healthy and active. */
function fixture() {
  const clock = new ManualClock();
  const consul = new ConsulState();
  const acl = aclContext(consul);
  ensureBuiltinPolicy(consul);
  const secrets = emptySecretStore(clock);
  const pointSecretAt = (name: string, t: AclToken) => {
    const secret = secrets.find(name) ?? secrets.create({ name, tags: [] });
    secrets.putValue(secret, randomUUID(), {
      secretString: JSON.stringify({ accessor_id: t.accessorId, token: t.secretId }),
    });
  };
  const policy = createPolicy(
    acl,
    {
      Name: clientPolicyName(CLUSTER),
      Description: 'Consul Client Token Policy for ECS',
      Rules: CLIENT_POLICY_RULES,
    },
    DEFAULT_SCOPE,
  );
  const client = createToken(
    acl,
    {
      AccessorID: randomUUID(),
      SecretID: randomUUID(),
      Description: clientTokenDescription(CLUSTER),
      Policies: [{ ID: policy.id }],
    },
    DEFAULT_SCOPE,
  );
  pointSecretAt(CLIENT_SECRET, client);
  const service = (name: string) => {
    const token = createToken(
      acl,
      {
        AccessorID: randomUUID(),
        SecretID: randomUUID(),
        Description: serviceDescription('Token', { name }, CLUSTER),
        ServiceIdentities: [{ ServiceName: name }],
      },
      DEFAULT_SCOPE,
    );
    pointSecretAt(`${CLUSTER}-${name}`, token);
    return token;
  };
  const web = service('web');
  const api = service('api');
  const state = (overrides: Partial<StateInput> = {}): StateInput => ({
    cluster: CLUSTER,
    prefix: CLUSTER,
    clientSecretId: secrets.find(CLIENT_SECRET)!.arn,
    consul,
    secrets,
    active: new Set(['web', 'api']),
    goneForMs: () => Number.POSITIVE_INFINITY,
    leftoverAfterMs: 0,
    ...overrides,
  });
  /** Replaces a token in the state as a Consul update would (same AccessorID and SecretID). */
  const rewrite = (token: AclToken, fields: Partial<AclToken>): AclToken => {
    const updated = { ...token, ...fields, modifyIndex: token.modifyIndex + 1 };
    consul.tokens.set(token.accessorId, updated);
    return updated;
  };
  /** The client token made a service token of `name`, as the buggy drift reset does. */
  const hijack = (name: string) =>
    rewrite(client, {
      description: serviceDescription('Token', { name }, CLUSTER),
      serviceIdentities: [{ ServiceName: name }],
      policyIds: [],
    });
  return { clock, consul, acl, secrets, policy, client, web, api, state, rewrite, hijack, pointSecretAt };
}

const kinds = (violations: Array<{ kind: string }>) => violations.map((v) => v.kind);

describe('chaos: hostile-tenant invariants', () => {
  describe('refused service (its secret is the client secret)', () => {
    it('expects no token for it: a healthy world with it active has no violation', () => {
      const world = fixture();
      expect(stateViolations(world.state({ active: new Set(['web', 'api', COLLIDING]) }))).to.deep.equal([]);
    });

    it('reports the client token turned into its service token', () => {
      const world = fixture();
      world.hijack(COLLIDING);
      const violations = stateViolations(world.state({ active: new Set(['web', 'api', COLLIDING]) }));
      expect(kinds(violations)).to.deep.equal(['refused-service', 'client-token']);
      expect(violations[0].message).to.contain(world.client.accessorId).and.contain(CLIENT_SECRET);
      expect(violations[1].message).to.contain(`a token of chaos (${COLLIDING})`);
      // Gone too: still a token the refused service must never have (not a mere leftover).
      expect(kinds(stateViolations(world.state()))).to.deep.equal(['refused-service', 'client-token']);
      expect(violations.map((v) => v.message).join('\n')).to.not.contain(world.client.secretId);
    });
  });

  describe('client drift (once converged)', () => {
    it('reports an extra policy, a role, a service identity or a node identity on the client token', () => {
      const drifts: Array<(world: ReturnType<typeof fixture>) => Partial<AclToken>> = [
        (world) => ({ policyIds: [world.policy.id, GLOBAL_MANAGEMENT_POLICY_ID] }),
        () => ({ serviceIdentities: [{ ServiceName: 'web' }] }),
        () => ({ nodeIdentities: [{ NodeName: 'n', Datacenter: 'dc1' }] }),
        () => ({ policyIds: [] }),
      ];
      for (const drift of drifts) {
        const world = fixture();
        world.rewrite(world.client, drift(world));
        expect(kinds(stateViolations(world.state())), JSON.stringify(drift(world))).to.deep.equal([
          'client-drift',
        ]);
      }
      const world = fixture();
      const role = createRole(
        world.acl,
        { Name: 'hostile', Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID }] },
        DEFAULT_SCOPE,
      );
      world.rewrite(world.client, { roleIds: [role.id], policyIds: [GLOBAL_MANAGEMENT_POLICY_ID] });
      const messages = stateViolations(world.state()).map((v) => v.message);
      expect(messages).to.deep.equal([
        `chaos: client token ${world.client.accessorId} has policies [global-management], not exactly chaos-consul-client-policy`,
        `chaos: client token ${world.client.accessorId} has roles [hostile]`,
      ]);
    });

    it('reports the client policy with other rules, or gone, but not the same rules laid out otherwise', () => {
      const world = fixture();
      const replace = (rules: string) =>
        world.consul.policies.set(world.policy.id, { ...world.policy, rules });
      replace('node_prefix ""{policy="write"}\n\n  service_prefix "" {   policy = "read" }');
      expect(stateViolations(world.state())).to.deep.equal([]);
      replace('acl = "write"');
      const violations = stateViolations(world.state());
      expect(kinds(violations)).to.deep.equal(['client-drift']);
      expect(violations[0].message).to.contain('chaos-consul-client-policy has other rules');
      replace(CLIENT_POLICY_RULES.replace('"read"', '"write"'));
      expect(kinds(stateViolations(world.state()))).to.deep.equal(['client-drift']);
      world.consul.policies.delete(world.policy.id);
      expect(kinds(stateViolations(world.state()))).to.deep.equal(['client-drift', 'client-drift']);
    });

    it('normalizes whitespace outside quoted strings only', () => {
      expect(normalizeRules(' a = "x y" \n b {\t}')).to.equal('a="x y"b{}');
      expect(normalizeRules('key_prefix "a b" {}')).to.not.equal(normalizeRules('key_prefix "ab" {}'));
    });
  });

  describe('token writes by the controller (judgeTokenWrite)', () => {
    const write = (overrides: Partial<TokenWrite>): TokenWrite => ({
      operation: 'acl.token.update',
      status: 200,
      accessorId: 'a',
      before: undefined,
      after: undefined,
      byDriver: false,
      ownerSecret: undefined,
      wantedForMs: 0,
      ...overrides,
    });

    it('flags an update that turns the client token into a service token, or web’s token into api’s', () => {
      const world = fixture();
      const before = tokenOwner(world.client, CLUSTERS);
      expect(before?.service).to.equal(CLIENT);
      const hijacked = world.hijack(COLLIDING);
      const verdict = judgeTokenWrite(
        write({ accessorId: hijacked.accessorId, before, after: hijacked }),
        CLUSTERS,
        WINDOW,
      );
      expect(verdict?.kind).to.equal('token-owner');
      expect(verdict?.message).to.equal(
        `acl.token.update made token ${hijacked.accessorId} of chaos (${CLIENT}) a token of chaos (${COLLIDING})`,
      );
      const webBefore = tokenOwner(world.web, CLUSTERS);
      const moved = world.rewrite(world.web, {
        description: serviceDescription('Token', { name: 'api' }, CLUSTER),
        serviceIdentities: [{ ServiceName: 'api' }],
      });
      const flip = judgeTokenWrite(
        write({ accessorId: moved.accessorId, before: webBefore, after: moved }),
        CLUSTERS,
        WINDOW,
      );
      expect(flip?.kind).to.equal('token-owner');
      // The same update by the run's driver, or a failed one, is not the controller's.
      expect(
        judgeTokenWrite(write({ before: webBefore, after: moved, byDriver: true }), CLUSTERS, WINDOW),
      ).to.equal(undefined);
      expect(
        judgeTokenWrite(write({ before: webBefore, after: moved, status: 500 }), CLUSTERS, WINDOW),
      ).to.equal(undefined);
    });

    it('flags any delete of a token the client secret names, whatever its description became', () => {
      const world = fixture();
      const hijacked = world.hijack(COLLIDING);
      world.consul.tokens.delete(hijacked.accessorId);
      const before = tokenOwner(hijacked, CLUSTERS);
      const verdict = judgeTokenWrite(
        write({ operation: 'acl.token.delete', accessorId: hijacked.accessorId, before, clientOf: CLUSTER }),
        CLUSTERS,
        WINDOW,
      );
      expect(verdict?.kind).to.equal('token-owner');
      expect(verdict?.message).to.contain(
        `(then of chaos (${COLLIDING})), which chaos's client secret names`,
      );
      expect(
        judgeTokenWrite(
          write({
            operation: 'acl.token.delete',
            accessorId: hijacked.accessorId,
            before,
            clientOf: undefined,
          }),
          CLUSTERS,
          WINDOW,
        ),
      ).to.equal(undefined);
    });

    it("flags a delete of web's wanted token that api's secret also names as api's reconcile's", () => {
      const world = fixture();
      const before = tokenOwner(world.web, CLUSTERS) as TokenOwner;
      world.consul.tokens.delete(world.web.accessorId);
      const del = (namedBy: string[], wantedForMs = 20_000) =>
        judgeTokenWrite(
          write({
            operation: 'acl.token.delete',
            accessorId: world.web.accessorId,
            before,
            ownerSecret: secretIds(world.secrets, 'chaos-web'),
            wantedForMs,
            namedBy,
          }),
          CLUSTERS,
          WINDOW,
        );
      const verdict = del(['chaos-api']);
      expect(verdict?.kind).to.equal('token-owner');
      expect(verdict?.message).to.contain('chaos-api names it too');
      expect(del([])?.kind).to.equal('cross-cluster');
      const planted = judgeTokenWrite(
        write({
          operation: 'acl.token.delete',
          accessorId: world.web.accessorId,
          before,
          ownerSecret: secretIds(world.secrets, 'chaos-web'),
          wantedForMs: 20_000,
          planted: true,
        }),
        CLUSTERS,
        WINDOW,
      );
      expect(planted?.kind).to.equal('token-owner');
      expect(planted?.message).to.contain("the run planted its AccessorID in another service's secret");
      expect(del(['chaos-api'], 2_000)).to.equal(undefined);
    });
  });

  describe('the token-owner watch, over the Consul call log', () => {
    function watched() {
      const world = fixture();
      const listeners: Array<(call: CallRecord) => void> = [];
      const clusters = [
        { name: CLUSTER, prefix: CLUSTER, clientSecretArn: world.secrets.find(CLIENT_SECRET)!.arn },
      ];
      const owners = new Map<string, TokenOwner>(
        [world.client, world.web, world.api].map((t) => [t.accessorId, tokenOwner(t, [CLUSTER])!]),
      );
      const planted = new Set<string>();
      const watch = new CrossClusterWatch(
        {
          clusters,
          services: ['web', 'api'],
          consul: { state: world.consul },
          smServer: { state: world.secrets },
          driverAccessorId: DRIVER,
          served: () => clusters[0],
          onConsulCall: (listener) => listeners.push(listener),
          onSecretsCall: () => undefined,
        },
        {
          owners,
          ownerChanges: [],
          secretAccessors: new Map(),
          activeForMs: () => 20_000,
          knownForMs: () => 20_000,
        },
        planted,
        { controllerKey: 'AKIDCONTROLLER', tokenWindowMs: WINDOW, secretWindowMs: 5_000 },
      );
      const call = (operation: string, resource: string, principal = REPLICAS) =>
        listeners.forEach((l) => l({ operation, resource, status: 200, principal, at: 0 }));
      return { ...world, watch, call, planted };
    }

    it('judges each write against the owner the last write left (two flips within one sample)', () => {
      const world = watched();
      const toApi = world.rewrite(world.web, {
        description: serviceDescription('Token', { name: 'api' }, CLUSTER),
        serviceIdentities: [{ ServiceName: 'api' }],
      });
      world.call('acl.token.update', toApi.accessorId);
      world.rewrite(toApi, {
        description: world.web.description,
        serviceIdentities: world.web.serviceIdentities,
      });
      world.call('acl.token.update', toApi.accessorId);
      const messages = world.watch.violations().map((v) => `${v.kind}: ${v.message}`);
      expect(messages).to.deep.equal([
        `token-owner: acl.token.update made token ${world.web.accessorId} of chaos (web) a token of chaos (api)`,
        `token-owner: acl.token.update made token ${world.web.accessorId} of chaos (api) a token of chaos (web)`,
      ]);
    });

    it("reports the client token hijacked then deleted by GC, but not the driver's own grant", () => {
      const world = watched();
      world.rewrite(world.client, { policyIds: [world.policy.id, GLOBAL_MANAGEMENT_POLICY_ID] });
      world.call('acl.token.update', world.client.accessorId, DRIVER);
      expect(world.watch.violations()).to.deep.equal([]);
      world.hijack(COLLIDING);
      world.call('acl.token.update', world.client.accessorId);
      world.consul.tokens.delete(world.client.accessorId);
      world.call('acl.token.delete', world.client.accessorId);
      expect(kinds(world.watch.violations())).to.deep.equal(['token-owner', 'token-owner']);
      expect(world.watch.violations()[1].message).to.contain("which chaos's client secret names");
      expect(world.watch.counts).to.include({ tokenUpdates: 2, tokenDeletes: 1 });
    });

    it('says nothing of a healthy world: the driver deleting a token, the controller recreating it', () => {
      const world = watched();
      world.consul.tokens.delete(world.web.accessorId);
      world.call('acl.token.delete', world.web.accessorId, DRIVER);
      world.consul.tokens.set(world.web.accessorId, world.web);
      world.call('acl.token.create', world.web.accessorId);
      world.call('acl.token.update', world.web.accessorId);
      expect(world.watch.violations()).to.deep.equal([]);
      expect(world.watch.counts).to.include({ tokenCreates: 1, tokenDeletes: 1, tokenUpdates: 1 });
    });
  });

  describe('the client secret, throughout the run (ClientWatch)', () => {
    it('is quiet while the client secret names the client token, and counts the samples that find it not', () => {
      const world = fixture();
      const watch = new ClientWatch({
        clusters: [{ name: CLUSTER, clientSecretArn: CLIENT_SECRET }],
        consul: () => world.consul,
        secrets: world.secrets,
      });
      watch.sample();
      world.rewrite(world.client, { policyIds: [GLOBAL_MANAGEMENT_POLICY_ID] }); // drift: not this check's
      watch.sample();
      expect(watch.violations()).to.deep.equal([]);
      world.hijack(COLLIDING);
      watch.sample();
      watch.sample();
      world.consul.tokens.delete(world.client.accessorId);
      watch.sample();
      const violations = watch.violations();
      expect(kinds(violations)).to.deep.equal(['client-token', 'client-token']);
      expect(violations[0].message).to.contain(`a token of chaos (${COLLIDING})`).and.contain('in 2 samples');
      expect(violations[1].message).to.contain('which does not exist').and.contain('in 1 samples');
      expect(violations.map((v) => v.message).join('\n')).to.not.contain(world.client.secretId);
    });
  });
});
