// The hostile tenant and token ownership, through the real CLI: a tenant who controls task tags,
// task families and one service's secret must never make the controller write a token that is
// not the service's own, and the client token must stay exactly the client token (issue 12).
// Each scenario runs on envtest (AWS and Consul) and on envtest AWS + the real Consul 1.14.8 that
// scripts/setup-backends.sh builds; a backend that is not installed is reported and its
// scenarios are pending, never passed.
import { randomUUID } from 'node:crypto';

import { expect } from 'chai';

import { sameRules } from '../../src/consul/policy-rules.js';
import { consulDevBackend } from '../conformance/backends/consul-dev.js';
import {
  envtestConsulBackend,
  envtestEcsBackend,
  envtestSecretsManagerBackend,
} from '../conformance/backends/envtest.js';
import { type Backend, type BackendInstance, BackendUnavailable } from '../conformance/harness/backend.js';
import { type ControllerProcess, spawnController } from './cli-process.js';
import { type AclBackends, AclWorld, type ConsulTokenStub, eventually, MESH } from './world.js';

const FLAGS = ['-resync-interval', '1s', '-gc-grace-period', '0', '-secret-recheck-interval', '1s'];
const GLOBAL_MANAGEMENT = '00000000-0000-0000-0000-000000000001';
const SERVICE_NAME_TAG = 'consul.hashicorp.com/service-name';

interface TokenRead extends ConsulTokenStub {
  readonly ModifyIndex: number;
  readonly Roles?: unknown[];
}

const CLIENT_RULES = 'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n';

async function readToken(world: AclWorld, accessorId: string): Promise<TokenRead | undefined> {
  const { status, json } = await world.consul<TokenRead>('GET', `/v1/acl/token/${accessorId}`);
  return status === 200 ? json : undefined;
}

/** The token the client secret names, once it exists with the secret's SecretID. */
async function clientToken(world: AclWorld): Promise<TokenRead> {
  return eventually('the client token', async () => {
    const secret = await world.secretValue(world.clientSecretArn);
    if (!secret.accessor_id) return undefined;
    const token = await readToken(world, secret.accessor_id);
    return token?.SecretID === secret.token ? token : undefined;
  });
}

/** The one token of ours for `service` whose IDs are those in its secret. */
async function serviceToken(world: AclWorld, service: string): Promise<TokenRead> {
  return eventually(`the token of ${service}`, async () => {
    const secret = await world.secretValue(`${world.prefix}-${service}`);
    if (!secret.accessor_id) return undefined;
    const token = await readToken(world, secret.accessor_id);
    return token?.SecretID === secret.token && token.ServiceIdentities?.[0]?.ServiceName === service
      ? token
      : undefined;
  });
}

function clientPolicy(world: AclWorld): string {
  return `${world.prefix}-consul-client-policy`;
}

function isExactClientToken(world: AclWorld, token: TokenRead | undefined): boolean {
  return (
    token !== undefined &&
    token.Description === `ECS Consul client Token\necs-acl-controller/cluster: ${world.cluster}` &&
    JSON.stringify(token.Policies?.map((policy) => policy.Name)) === JSON.stringify([clientPolicy(world)]) &&
    (token.Roles ?? []).length === 0 &&
    (token.ServiceIdentities ?? []).length === 0
  );
}

async function listTasksCalls(controller: ControllerProcess): Promise<number> {
  const text = await (await fetch(`${await controller.opsUrl()}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(
    /^external_api_requests_total\{service="ecs",operation="ListTasks",code="[^"]*"\} (\d+)/gm,
  ))
    total += Number(match[1]);
  return total;
}

/** Waits until the controller has listed the cluster's tasks `n` more times (n more resyncs). */
async function moreResyncs(controller: ControllerProcess, n: number): Promise<void> {
  const start = await listTasksCalls(controller);
  await eventually(`${n} more resyncs`, async () => (await listTasksCalls(controller)) >= start + n);
}

/** Fields of a token that any write would change. */
function fingerprint(token: TokenRead | undefined) {
  return (
    token && [token.ModifyIndex, token.SecretID, token.Description, token.ServiceIdentities, token.Policies]
  );
}

/** Services web and api, each with a running task and its token; the controller started. */
async function webAndApiServed(world: AclWorld, start: () => ControllerProcess) {
  for (const service of ['web', 'api']) {
    await world.createServiceSecret(service);
    await world.runTasks(service);
  }
  const controller = start();
  const web = await serviceToken(world, 'web');
  await serviceToken(world, 'api');
  return { controller, web };
}

interface Scenario {
  readonly name: string;
  run(world: AclWorld, start: (extra?: string[]) => ControllerProcess): Promise<void>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'a service whose secret would be the client secret is refused; the client token survives its tasks and their stop',
    async run(world, start) {
      await world.createServiceSecret('web');
      await world.runTasks('web');
      const hijackers = [
        ...(await world.runTasks('hijack', 1, [
          MESH,
          { key: SERVICE_NAME_TAG, value: 'consul-client-token' },
        ])),
        ...(await world.runTasks('consul-client-token')),
      ];
      const controller = start();
      await serviceToken(world, 'web');
      const client = await clientToken(world);
      const clientSecret = await world.secretValue(world.clientSecretArn);
      await controller.metricsMatching(
        /acl_controller_errors_total\{cluster="[^"]+",kind="secret_name_conflict"\} [1-9]/,
        'the secret-name conflict counted',
      );
      expect(controller.output()).to.match(
        /is not served: its secret \S+-consul-client-token is the Consul client secret/,
      );
      await moreResyncs(controller, 2);
      expect(fingerprint(await readToken(world, client.AccessorID))).to.deep.equal(fingerprint(client));
      expect(isExactClientToken(world, await readToken(world, client.AccessorID))).to.equal(true);
      await world.stopTasks(hijackers);
      await moreResyncs(controller, 3);
      expect(
        fingerprint(await readToken(world, client.AccessorID)),
        'client token after the stop',
      ).to.deep.equal(fingerprint(client));
      expect(await world.secretValue(world.clientSecretArn)).to.deep.equal(clientSecret);
    },
  },
  {
    name: "a secret copied from another service's gets fresh IDs; the other service's token is never written",
    async run(world, start) {
      const { controller, web } = await webAndApiServed(world, start);
      await world.putSecretValue(
        `${world.prefix}-api`,
        JSON.stringify(await world.secretValue(`${world.prefix}-web`)),
      );
      await controller.metricsMatching(
        /acl_controller_errors_total\{cluster="[^"]+",kind="foreign_token_conflict"\} [1-9]/,
        'the conflict counted',
      );
      const api = await serviceToken(world, 'api');
      expect(api.AccessorID).to.not.equal(web.AccessorID);
      await moreResyncs(controller, 3);
      expect(fingerprint(await readToken(world, web.AccessorID))).to.deep.equal(fingerprint(web));
      expect((await serviceToken(world, 'api')).AccessorID).to.equal(api.AccessorID);
      expect(controller.output()).to.not.contain(web.SecretID);
    },
  },
  {
    name: "a secret naming another service's AccessorID with any SecretID never deletes that token",
    async run(world, start) {
      const { controller, web } = await webAndApiServed(world, start);
      const planted = randomUUID();
      await world.putSecretValue(
        `${world.prefix}-api`,
        JSON.stringify({ accessor_id: web.AccessorID, token: planted }),
      );
      const api = await eventually('api on fresh IDs', async () => {
        const token = await serviceToken(world, 'api');
        return token.AccessorID !== web.AccessorID ? token : undefined;
      });
      expect(api.SecretID).to.not.equal(planted);
      await moreResyncs(controller, 3);
      expect(fingerprint(await readToken(world, web.AccessorID))).to.deep.equal(fingerprint(web));
    },
  },
  {
    name: 'extra policies on the client token and replaced client-policy rules are reverted',
    async run(world, start) {
      const controller = start();
      const client = await clientToken(world);
      const updated = await world.consul('PUT', `/v1/acl/token/${client.AccessorID}`, {
        AccessorID: client.AccessorID,
        Description: client.Description,
        Policies: [{ Name: clientPolicy(world) }, { ID: GLOBAL_MANAGEMENT }],
      });
      expect(updated.status).to.equal(200);
      await eventually('the client token reset', async () =>
        isExactClientToken(world, await readToken(world, client.AccessorID)),
      );
      const { json: policy } = await world.consul<{ ID: string; Rules: string }>(
        'GET',
        `/v1/acl/policy/name/${clientPolicy(world)}`,
      );
      const replaced = await world.consul('PUT', `/v1/acl/policy/${policy.ID}`, {
        Name: clientPolicy(world),
        Rules: 'acl = "write"',
      });
      expect(replaced.status).to.equal(200);
      await eventually('the client policy rules restored', async () => {
        const { json } = await world.consul<{ Rules: string }>('GET', `/v1/acl/policy/${policy.ID}`);
        return sameRules(json.Rules, CLIENT_RULES);
      });
      await controller.metricsMatching(
        /acl_controller_tokens_repaired_total\{cluster="[^"]+",controller="client-token",reason="policy_rules"\} [1-9]/,
        'the policy repair counted',
      );
      const text = await controller.metricsMatching(
        /acl_controller_tokens_repaired_total\{cluster="[^"]+",controller="client-token",reason="drifted"\} [1-9]/,
        'the token repair counted',
      );
      expect(text).to.match(/^acl_controller_client_token_ready\{cluster="[^"]+"\} 1$/m);
      expect((await clientToken(world)).AccessorID).to.equal(client.AccessorID);
    },
  },
  {
    name: "a client secret pointed at a service token gets a new client token; the service's token is never written",
    async run(world, start) {
      await world.createServiceSecret('web');
      await world.runTasks('web');
      const controller = start();
      const web = await serviceToken(world, 'web');
      const client = await clientToken(world);
      await world.putSecretValue(
        world.clientSecretArn,
        JSON.stringify({ accessor_id: web.AccessorID, token: web.SecretID }),
      );
      const fresh = await eventually('a new client token', async () => {
        const token = await clientToken(world);
        return token.AccessorID !== web.AccessorID && token.AccessorID !== client.AccessorID
          ? token
          : undefined;
      });
      expect(isExactClientToken(world, fresh)).to.equal(true);
      await controller.metricsMatching(
        /acl_controller_tokens_repaired_total\{cluster="[^"]+",controller="client-token",reason="foreign_token"\} [1-9]/,
        'the repair counted',
      );
      await moreResyncs(controller, 2);
      expect(fingerprint(await readToken(world, web.AccessorID))).to.deep.equal(fingerprint(web));
    },
  },
  {
    name: 'a client policy that existed with other rules is not adopted as it is: its rules are rewritten',
    async run(world, start) {
      const created = await world.consul<{ ID: string }>('PUT', '/v1/acl/policy', {
        Name: clientPolicy(world),
        Rules: 'node_prefix "" { policy = "read" }',
      });
      expect(created.status).to.equal(200);
      start();
      const client = await clientToken(world);
      expect(isExactClientToken(world, client)).to.equal(true);
      await eventually('the rules rewritten', async () => {
        const { json } = await world.consul<{ Rules: string }>('GET', `/v1/acl/policy/${created.json.ID}`);
        return sameRules(json.Rules, CLIENT_RULES);
      });
    },
  },
];

interface Combination {
  readonly name: string;
  readonly aws: readonly Backend[];
  readonly consul: Backend;
}

const COMBINATIONS: Combination[] = [
  {
    name: 'envtest',
    aws: [envtestEcsBackend, envtestSecretsManagerBackend],
    consul: envtestConsulBackend('1.15'),
  },
  {
    name: 'envtest AWS + real Consul',
    aws: [envtestEcsBackend, envtestSecretsManagerBackend],
    consul: consulDevBackend,
  },
];

describe('token ownership under a hostile tenant, through the real CLI', function () {
  this.timeout(60_000);

  for (const combination of COMBINATIONS) {
    describe(combination.name, function () {
      let instances: BackendInstance[] = [];
      let backends: AclBackends | undefined;
      let world: AclWorld | undefined;
      let controllers: ControllerProcess[] = [];

      before(async function () {
        this.timeout(120_000);
        try {
          instances = await Promise.all(
            [...combination.aws, combination.consul].map((backend) => backend.start()),
          );
        } catch (error) {
          if (error instanceof BackendUnavailable) {
            console.log(`    [unavailable] ${combination.name}: ${error.message}`);
            this.skip();
          }
          throw error;
        }
        const [ecs, sm, consul] = instances;
        backends = {
          name: combination.name,
          ecsUrl: ecs.endpoint,
          secretsManagerUrl: sm.endpoint,
          consulUrl: consul.endpoint,
          managementToken: consul.consulToken as string,
        };
      });

      after(async function () {
        await Promise.all(instances.map((instance) => instance.stop()));
      });

      afterEach(async function () {
        for (const controller of controllers) controller.child.kill('SIGKILL');
        await Promise.all(controllers.map((controller) => controller.exited));
        controllers = [];
        await world?.close();
        world = undefined;
      });

      for (const scenario of SCENARIOS) {
        it(scenario.name, async function () {
          world = await AclWorld.attach(backends as AclBackends);
          const attached = world;
          await scenario.run(attached, (extra = []) => {
            const controller = spawnController(attached, [...FLAGS, ...extra]);
            controllers.push(controller);
            return controller;
          });
        });
      }
    });
  }
});
