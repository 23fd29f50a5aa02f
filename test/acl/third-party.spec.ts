// The core ACL controller scenarios, run unchanged on third-party servers: ECS + Secrets Manager
// on {moto, ministack, envtest} and Consul on {envtest 1.14, envtest 1.15, a real Consul agent}.
// Invariants:
// - each backend's server is started once for the whole suite (the conformance backends in
//   test/conformance/backends), shared by every combination and scenario that uses it, and
//   stopped in the root after();
// - a backend that is not installed is reported `[unavailable]` and the combinations using it
//   are pending, never passed;
// - scenarios share servers, so each runs in an AclWorld.attach() world with its own cluster
//   and secret prefix, and looks only at its own cluster's tokens;
// - no scenario here asserts on call logs (only envtest has them): ordering is observed from
//   the outside instead (see writesSecretFirst);
// - a scenario that cannot work on a backend because of a documented departure
//   (test/conformance/departures.ts) is skipped for that backend by name, with the reason; the
//   assertions themselves are never weakened per backend; with CONFORMANCE_CHECK_DEPARTURES=1
//   departed scenarios run and must fail (a passing one is a stale departure).
import { randomUUID } from 'node:crypto';

import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { consulDevBackend } from '../conformance/backends/consul-dev.js';
import {
  envtestConsulBackend,
  envtestEcsBackend,
  envtestSecretsManagerBackend,
} from '../conformance/backends/envtest.js';
import { ministackBackend } from '../conformance/backends/ministack.js';
import { motoBackend } from '../conformance/backends/moto.js';
import { departureFor } from '../conformance/departures.js';
import {
  BackendUnavailable,
  type Backend,
  type BackendInstance,
  type EcsNetwork,
} from '../conformance/harness/backend.js';
import { AclWorld, type AclBackends, type ConsulTokenStub, eventually, MESH } from './world.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The same AWS-valid default the ECS contract uses when a backend does not need bridge mode. */
const AWSVPC: EcsNetwork = {
  mode: 'awsvpc',
  subnets: ['subnet-0123456789abcdef0'],
  securityGroups: ['sg-0123456789abcdef0'],
};

/** Starts each conformance backend at most once; remembers why one is unavailable. */
class BackendPool {
  private readonly started = new Map<string, Promise<BackendInstance>>();

  start(backend: Backend): Promise<BackendInstance> {
    let instance = this.started.get(backend.name);
    if (instance === undefined) {
      instance = backend.start();
      // Settled here so an unused rejection is not reported as unhandled.
      instance.catch(() => undefined);
      this.started.set(backend.name, instance);
    }
    return instance;
  }

  async stopAll(): Promise<void> {
    const all = await Promise.allSettled(this.started.values());
    this.started.clear();
    await Promise.all(all.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stop() : null)));
  }
}

/** An ECS + Secrets Manager side: one backend serving both, or envtest's two servers. */
interface AwsSide {
  name: string;
  /** Departures are listed under this backend name. */
  backends: Backend[];
}

const MOTO: AwsSide = { name: 'moto', backends: [motoBackend] };
const MINISTACK: AwsSide = { name: 'ministack', backends: [ministackBackend] };
const ENVTEST_AWS: AwsSide = {
  name: 'envtest-aws',
  backends: [envtestEcsBackend, envtestSecretsManagerBackend],
};

interface Combination {
  aws: AwsSide;
  consul: Backend;
}

const COMBINATIONS: Combination[] = [
  { aws: MOTO, consul: envtestConsulBackend('1.14') },
  { aws: MINISTACK, consul: envtestConsulBackend('1.15') },
  { aws: ENVTEST_AWS, consul: consulDevBackend },
  { aws: MOTO, consul: consulDevBackend },
  { aws: MINISTACK, consul: consulDevBackend },
];

interface Scenario {
  name: string;
  run(world: AclWorld): Promise<void>;
}

/**
 * Scenarios that cannot work on a backend because of a documented departure: skipped for that
 * backend, with the departure's reason. Each entry must name a departure in departures.ts.
 */
const SCENARIO_DEPARTURES: Array<{ backend: string; scenario: string; service: string; case: string }> = [
  {
    backend: 'moto',
    scenario: 'tasks of a cluster whose name contains ours get no token of ours',
    service: 'ecs',
    case: 'ListTasks on a cluster excludes tasks of a cluster whose name contains it',
  },
];

function departedScenario(backend: string, scenario: string): string | undefined {
  for (const entry of SCENARIO_DEPARTURES) {
    if (entry.backend !== backend || entry.scenario !== scenario) continue;
    const departure = departureFor(entry.backend, entry.service, entry.case);
    if (departure === undefined) throw new Error(`no departure "${entry.case}" for ${entry.backend}`);
    return `${departure.case}: ${departure.reason}`;
  }
  return undefined;
}

function description(service: string, cluster: string): string {
  return `Token for ${service} service\nconsul.hashicorp.com/cluster: ${cluster}`;
}

async function tokensOf(world: AclWorld, service: string): Promise<ConsulTokenStub[]> {
  return (await world.ownServiceTokens()).filter((token) =>
    token.ServiceIdentities?.some((identity) => identity.ServiceName === service),
  );
}

/**
 * P12 from the outside: samples (secret, then tokens) until stopped and records every sample in
 * which the secret still had no IDs while a token for the service already existed: a token
 * created before its IDs were written.
 */
function watchSecretFirst(world: AclWorld, service: string): () => Promise<string[]> {
  const violations: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const secret = await world.secretValue(`${world.prefix}-${service}`);
      if (!secret.accessor_id) {
        const tokens = await tokensOf(world, service);
        if (tokens.length > 0) violations.push(`token ${tokens[0].AccessorID} before the secret's IDs`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return violations;
  };
}

/** Starts the controller and waits for our web token, then for two more full task lists. */
async function startUntilWebSettled(world: AclWorld): Promise<void> {
  const controller = await world.startController();
  await eventually('our token for web', async () => (await tokensOf(world, 'web')).length === 1);
  await eventually(
    'two more full lists after the token',
    async () => (await listTasksCalls(await controller.metrics())) >= 3,
  );
}

/** Sum of the controller's ListTasks calls, from its own /metrics (no server call log needed). */
async function listTasksCalls(metrics: string): Promise<number> {
  let total = 0;
  for (const match of metrics.matchAll(
    /^external_api_requests_total\{service="ecs",operation="ListTasks",code="[^"]*"\} (\d+)/gm,
  )) {
    total += Number(match[1]);
  }
  return total;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'a mesh service gets its secret written first, then one token with exactly its IDs (P8, P10–P13)',
    async run(world) {
      await world.createServiceSecret('web');
      await world.runTasks('web', 3);
      const stopWatching = watchSecretFirst(world, 'web');
      let token: ConsulTokenStub;
      try {
        await world.startController();
        token = await eventually('a token for web', async () => (await tokensOf(world, 'web'))[0]);
      } finally {
        expect(await stopWatching(), 'P12: secret written before the token').to.deep.equal([]);
      }
      const secret = await world.secretValue(`${world.prefix}-web`);
      expect(secret.accessor_id).to.match(UUID);
      expect(secret.token).to.match(UUID);
      expect(token.AccessorID).to.equal(secret.accessor_id);
      expect(token.SecretID).to.equal(secret.token);
      expect(token.Description).to.equal(description('web', world.cluster));
      expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
      // P6: three tasks, one service, one token.
      expect(await world.ownServiceTokens()).to.have.length(1);
    },
  },
  {
    name: 'a service whose tasks stop loses its token, keeps its secret, and gets the same IDs back (P9, P14)',
    async run(world) {
      await world.createServiceSecret('web');
      const tasks = await world.runTasks('web', 2);
      await world.startController();
      const first = await eventually('a token', async () => (await tokensOf(world, 'web'))[0]);
      await world.stopTasks(tasks);
      await eventually('the token deleted', async () => (await world.ownServiceTokens()).length === 0);
      const secret = await world.secretValue(`${world.prefix}-web`);
      expect([secret.accessor_id, secret.token]).to.deep.equal([first.AccessorID, first.SecretID]);
      await world.runTasks('web');
      const again = await eventually('a token again', async () => (await tokensOf(world, 'web'))[0]);
      expect([again.AccessorID, again.SecretID]).to.deep.equal([first.AccessorID, first.SecretID]);
    },
  },
  {
    name: 'the client policy and token exist and the client secret holds the token (P16)',
    async run(world) {
      await world.startController();
      const token = await eventually('the client token', async () => {
        const secret = await world.secretValue(world.clientSecretArn);
        if (!secret.accessor_id) return undefined;
        const { status, json } = await world.consul<ConsulTokenStub>(
          'GET',
          `/v1/acl/token/${secret.accessor_id}`,
        );
        return status === 200 && json.SecretID === secret.token ? json : undefined;
      });
      const policyName = `${world.prefix}-consul-client-policy`;
      expect(token.Policies?.map((policy) => policy.Name)).to.deep.equal([policyName]);
      expect(token.Description).to.equal(
        `ECS Consul client Token\necs-acl-controller/cluster: ${world.cluster}`,
      );
      const { status, json: policy } = await world.consul<{ Rules: string }>(
        'GET',
        `/v1/acl/policy/name/${policyName}`,
      );
      expect(status).to.equal(200);
      expect(policy.Rules).to.match(/node_prefix "" \{\s*policy = "write"\s*\}/);
      expect(policy.Rules).to.match(/service_prefix "" \{\s*policy = "read"\s*\}/);
    },
  },
  {
    name: "a token deleted out of band comes back with the secret's IDs",
    async run(world) {
      const ids = { accessor_id: randomUUID(), token: randomUUID() };
      await world.createServiceSecret('web', JSON.stringify(ids));
      await world.runTasks('web');
      await world.startController();
      await eventually('a token', async () => (await tokensOf(world, 'web')).length === 1);
      const deleted = await world.consul('DELETE', `/v1/acl/token/${ids.accessor_id}`);
      expect(deleted.status).to.equal(200);
      const again = await eventually('the token back', async () => (await tokensOf(world, 'web'))[0]);
      expect([again.AccessorID, again.SecretID]).to.deep.equal([ids.accessor_id, ids.token]);
      expect(again.Description).to.equal(description('web', world.cluster));
    },
  },
  {
    name: "another cluster's tokens are left untouched",
    async run(world) {
      const other = `${world.cluster}-2`;
      const foreign: ConsulTokenStub[] = [];
      // One for a service we also run (a wrongly claimed duplicate would be deleted) and one for
      // a service with no task (a wrongly claimed token would be collected with grace 0).
      for (const service of ['web', 'api']) {
        const { status, json } = await world.consul<ConsulTokenStub>('PUT', '/v1/acl/token', {
          Description: description(service, other),
          ServiceIdentities: [{ ServiceName: service }],
        });
        expect(status).to.equal(200);
        foreign.push(json);
      }
      await world.createServiceSecret('web');
      await world.runTasks('web');
      await startUntilWebSettled(world);
      for (const token of foreign) {
        const { status, json } = await world.consul<ConsulTokenStub & { ModifyIndex: number }>(
          'GET',
          `/v1/acl/token/${token.AccessorID}`,
        );
        expect(status, `foreign token ${token.Description}`).to.equal(200);
        expect([json.SecretID, json.Description, json.ServiceIdentities]).to.deep.equal([
          token.SecretID,
          token.Description,
          token.ServiceIdentities,
        ]);
        expect(json.ModifyIndex).to.equal((token as ConsulTokenStub & { ModifyIndex: number }).ModifyIndex);
      }
    },
  },
  {
    name: 'tasks of a cluster whose name contains ours get no token of ours',
    async run(world) {
      const other = `${world.cluster}-2`;
      await world.ecs.send(new CreateClusterCommand({ clusterName: other }));
      await world.createServiceSecret('web');
      await world.createServiceSecret('intruder');
      await world.runTasks('intruder', 1, [MESH], other);
      await world.runTasks('web');
      await startUntilWebSettled(world);
      expect((await world.ownServiceTokens()).map((token) => token.ServiceIdentities)).to.deep.equal([
        [{ ServiceName: 'web' }],
      ]);
      expect(await world.secretValue(`${world.prefix}-intruder`)).to.deep.equal({});
    },
  },
];

function backendsOf(combination: Combination, aws: BackendInstance[], consul: BackendInstance): AclBackends {
  const [ecs, sm = ecs] = aws;
  if (consul.consulToken === undefined) throw new Error(`${combination.consul.name} gave no token`);
  return {
    name: `${combination.aws.name} + ${combination.consul.name}`,
    ecsUrl: ecs.endpoint,
    secretsManagerUrl: sm.endpoint,
    consulUrl: consul.endpoint,
    managementToken: consul.consulToken,
    ecsNetwork: ecs.ecsNetwork ?? AWSVPC,
  };
}

describe('ACL controller scenarios on third-party backends', function () {
  this.timeout(30_000);
  const pool = new BackendPool();

  before(function () {
    // Start every backend now, in parallel; each combination awaits the ones it uses.
    for (const { aws, consul } of COMBINATIONS) {
      for (const backend of [...aws.backends, consul]) void pool.start(backend);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await pool.stopAll();
  });

  for (const combination of COMBINATIONS) {
    const name = `${combination.aws.name} + ${combination.consul.name}`;
    describe(name, function () {
      let backends: AclBackends | undefined;
      let world: AclWorld | undefined;

      before(async function () {
        this.timeout(120_000);
        try {
          const aws = await Promise.all(combination.aws.backends.map((backend) => pool.start(backend)));
          backends = backendsOf(combination, aws, await pool.start(combination.consul));
        } catch (error) {
          if (error instanceof BackendUnavailable) {
            console.log(`    [unavailable] ${name}: ${error.message}`);
            this.skip();
          }
          throw error;
        }
      });

      afterEach(async function () {
        await world?.close();
        world = undefined;
      });

      for (const scenario of SCENARIOS) {
        it(scenario.name, async function () {
          const departed = [combination.aws.name, combination.consul.name]
            .map((backend) => ({ backend, reason: departedScenario(backend, scenario.name) }))
            .find((entry) => entry.reason !== undefined);
          if (departed !== undefined && process.env.CONFORMANCE_CHECK_DEPARTURES !== '1') {
            console.log(`      [departure] ${departed.backend}: ${departed.reason}`);
            this.skip();
          }
          if (backends === undefined) throw new Error('backends did not start');
          world = await AclWorld.attach(backends);
          if (departed === undefined) {
            await scenario.run(world);
            return;
          }
          // CONFORMANCE_CHECK_DEPARTURES=1: a departed scenario must still fail on its backend.
          const outcome = await scenario.run(world).then(
            () => 'passed',
            (error: unknown) => (error instanceof Error ? error.message : String(error)),
          );
          if (outcome === 'passed')
            throw new Error(`stale departure: the scenario passes on ${departed.backend}`);
          console.log(`      [departure confirmed] ${outcome.split('\n')[0]}`);
        });
      }
    });
  }
});
