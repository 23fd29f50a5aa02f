// Side by side: HashiCorp's consul-ecs v0.10.0 `controller` (the real binary, built from
// ../shared/thirdparty by scripts/build-consul-ecs.sh 0.10.0) and our `ecs-acl-controller
// controller`, each on its own fresh envtest ECS and real Consul 1.14.8 dev agent, in the same
// scenario, configured the same way (terraform-aws-consul-ecs `modules/controller`'s
// CONSUL_ECS_CONFIG_JSON, the cluster ARN from task metadata; ours polls every 10 s like v0.10,
// with no grace period, as v0.10 has none):
// - the Consul resources each leaves after start are the same (policies, roles, auth method,
//   binding rules, the anonymous token's policies, the synthetic node);
// - each removes the same login tokens and catalog services when a task stops (and those of a task
//   that never ran), and keeps the running task's;
// - after the auth method is deleted (its binding rules go with it), ours puts both back within a
//   resync; v0.10 creates them only at start, so they stay gone;
// - ECS and Consul calls per minute in steady state (envtest's call log and a counting proxy).
// The table is printed, and written to $SIDE_BY_SIDE_OUT when set (BENCHMARKS.md quotes it).
// Pending (never passed) when the Consul or consul-ecs v0.10.0 binary is missing.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

import { expect } from 'chai';

import { startEcsServer } from '../../envtest/ecs/server.js';
import { startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { startConsulListProxy } from '../bench/harness/consul-list-proxy.js';
import { type ConsulDevAgent, startConsulDevAgent } from '../conformance/backends/consul-dev.js';
import { consulBin } from '../conformance/harness/paths.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { type LoggedChild, consulEcsUnavailable, spawnLogged } from '../helpers/consul-ecs/run-consul-ecs.js';
import {
  CONSUL_ECS_CONTROLLER_VERSION,
  moduleControllerConfig,
  runConsulEcsController,
} from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { CLI, controllerEnv } from '../helpers/controller-cli.js';
import { AclWorld, eventually } from './world.js';

const ACCOUNT = '123456789012';
const CLUSTER = 'prod';
const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${CLUSTER}`;
const AUTH_METHOD = 'iam-ecs-service-token';
const WINDOW_MS = 20_000;
/** Two v0.10 polls and a margin: how long a repair is waited for. */
const REPAIR_WAIT_MS = 25_000;

type Peer = 'consul-ecs v0.10.0' | 'ours';

interface PeerResult {
  resources: unknown;
  removedAfterStopS: number;
  left: { tokens: string[]; services: string[] };
  repaired: { authMethod: boolean; bindingRules: number; afterS: number | undefined };
  ecsPerMin: Record<string, number>;
  consulPerMin: Record<string, number>;
}

const login = (taskId: string) =>
  `token created via login: ${JSON.stringify({ 'consul.hashicorp.com/cluster': CLUSTER_ARN, 'consul.hashicorp.com/task-id': taskId })}`;

async function consulGet<T>(agent: ConsulDevAgent, path: string): Promise<T | undefined> {
  const response = await fetch(`${agent.endpoint}${path}`, {
    headers: { 'x-consul-token': agent.consulToken },
  });
  return response.status === 200 ? ((await response.json()) as T) : undefined;
}

type Json = Record<string, unknown>;
const byName = (a: Json, b: Json) => String(a.Name).localeCompare(String(b.Name));

/** The Consul resources a controller makes at start, without IDs and indexes. */
async function resources(agent: ConsulDevAgent): Promise<unknown> {
  const policies: Json[] = [];
  for (const entry of (await consulGet<Json[]>(agent, '/v1/acl/policies')) ?? []) {
    if (entry.Name === 'global-management') continue;
    const policy = (await consulGet<Json>(agent, `/v1/acl/policy/${String(entry.ID)}`)) ?? {};
    policies.push({
      Name: policy.Name,
      Description: policy.Description,
      Rules: String(policy.Rules ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
    });
  }
  const roles = ((await consulGet<Json[]>(agent, '/v1/acl/roles')) ?? []).map((role) => ({
    Name: role.Name,
    Description: role.Description,
    Policies: ((role.Policies as Json[] | null) ?? []).map((policy) => policy.Name).sort(),
  }));
  const method = await consulGet<Json>(agent, `/v1/acl/auth-method/${AUTH_METHOD}`);
  const rules = ((await consulGet<Json[]>(agent, '/v1/acl/binding-rules')) ?? [])
    .map((rule) => ({
      AuthMethod: rule.AuthMethod,
      Description: rule.Description,
      Selector: rule.Selector,
      BindType: rule.BindType,
      BindName: rule.BindName,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const anonymous = await consulGet<Json>(agent, '/v1/acl/token/00000000-0000-0000-0000-000000000002');
  const node = await consulGet<{ Node: Json }>(agent, `/v1/catalog/node/${encodeURIComponent(CLUSTER_ARN)}`);
  return {
    policies: policies.sort(byName),
    roles: roles.sort(byName),
    authMethod:
      method === undefined
        ? undefined
        : {
            Name: method.Name,
            Type: method.Type,
            DisplayName: method.DisplayName,
            Description: method.Description,
            MaxTokenTTL: method.MaxTokenTTL,
            TokenLocality: method.TokenLocality,
            Config: method.Config,
          },
    bindingRules: rules,
    anonymousPolicies: ((anonymous?.Policies as Json[] | null) ?? []).map((policy) => policy.Name).sort(),
    node: node === undefined ? undefined : { Node: node.Node.Node, Meta: node.Node.Meta },
  };
}

function perMinute(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>) {
  const rates: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta > 0) rates[key] = Math.round((delta * 60_000 * 10) / WINDOW_MS) / 10;
  }
  return rates;
}

async function runPeer(peer: Peer): Promise<PeerResult> {
  const [agent, ecs, secretsManager] = await Promise.all([
    startConsulDevAgent({ grpc: true }),
    startEcsServer(),
    startSecretsManagerServer(),
  ]);
  const proxy = await startConsulListProxy(agent.endpoint);
  const world = await AclWorld.attach(
    {
      name: 'side-by-side',
      ecsUrl: ecs.url,
      secretsManagerUrl: secretsManager.url,
      consulUrl: agent.endpoint,
      managementToken: agent.consulToken,
    },
    { cluster: CLUSTER },
  );
  let child: LoggedChild | undefined;
  try {
    const taskId = (arn: string | undefined) => String(arn).slice(String(arn).lastIndexOf('/') + 1);
    const [stopping, running] = (await world.runTasks('web', 2)).map(taskId) as [string, string];
    const neverRan = randomBytes(16).toString('hex');
    const role: Record<string, string> = {
      [stopping]: 'stopped',
      [running]: 'running',
      [neverRan]: 'never-ran',
    };
    const tokenFor: Record<string, string> = {};
    for (const id of [stopping, running, neverRan]) {
      const { json } = await world.consul<Json>('PUT', '/v1/acl/token', {
        Description: login(id),
        ServiceIdentities: [{ ServiceName: 'web' }],
      });
      tokenFor[id] = String(json.AccessorID);
    }
    if (peer === 'ours') {
      const metadata = await startTaskMetadataStub({ cluster: CLUSTER_ARN, accountId: ACCOUNT });
      const env = {
        ...controllerEnv({
          ecsUrl: ecs.url,
          secretsManagerUrl: secretsManager.url,
          consulUrl: '',
          consulToken: agent.consulToken,
          accessKeyId: CONTROLLER_ACCESS_KEY_ID,
          secretAccessKey: 'test',
        }),
        CONSUL_HTTP_ADDR: '',
        ECS_CONTAINER_METADATA_URI_V4: metadata.url,
        CONSUL_ECS_CONFIG_JSON: JSON.stringify(
          moduleControllerConfig({ consulHttpUrl: proxy.url, grpcPort: agent.grpcPort ?? 0 }),
        ),
      };
      const flags = ['-resync-interval', '10s', '-gc-grace-period', '0s', '-listen-addr', '127.0.0.1:0'];
      child = spawnLogged(process.execPath, [CLI, 'controller', ...flags], env, () => metadata.close());
    } else {
      child = await runConsulEcsController({
        cluster: CLUSTER_ARN,
        accountId: ACCOUNT,
        ecsUrl: ecs.url,
        consulHttpUrl: proxy.url,
        grpcPort: agent.grpcPort ?? 0,
        consulToken: agent.consulToken,
      });
    }
    const logs = () => (child?.logs ?? []).slice(-5).join('\n');
    await eventually(`${peer}: the synthetic node and the anonymous token policy`, async () => {
      const made = (await resources(agent)) as { node?: unknown; anonymousPolicies: string[] };
      return made.node !== undefined && made.anonymousPolicies.length > 0 ? true : undefined;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; last output:\n${logs()}`);
    });
    // The services mesh-init registers on the synthetic node, one per task.
    for (const id of [stopping, running, neverRan]) {
      await world.consul('PUT', '/v1/catalog/register', {
        Node: CLUSTER_ARN,
        SkipNodeUpdate: true,
        Service: { ID: `web-${id}`, Service: 'web', Meta: { 'task-id': id, source: 'consul-ecs' } },
      });
    }
    await world.stopTasks([`arn:aws:ecs:us-east-1:${ACCOUNT}:task/${CLUSTER}/${stopping}`]);
    const stoppedAt = performance.now();
    const tokensLeft = async () => {
      const left: string[] = [];
      for (const [id, accessor] of Object.entries(tokenFor))
        if ((await world.consul('GET', `/v1/acl/token/${accessor}`)).status === 200)
          left.push(role[id] as string);
      return left.sort();
    };
    const servicesLeft = async () =>
      Object.keys(
        (await consulGet<{ Services: Json }>(agent, `/v1/catalog/node/${encodeURIComponent(CLUSTER_ARN)}`))
          ?.Services ?? {},
      )
        .map((serviceId) => role[serviceId.replace(/^web-/, '')] ?? serviceId)
        .sort();
    await eventually(
      `${peer}: the stopped and never-run tasks' tokens and services removed`,
      async () => ((await tokensLeft()).length === 1 && (await servicesLeft()).length === 1) || undefined,
      45_000,
    );
    const removedAfterStopS = (performance.now() - stoppedAt) / 1000;
    const left = { tokens: await tokensLeft(), services: await servicesLeft() };
    const made = await resources(agent);

    const ecsBefore = ecs.calls.snapshot();
    const consulBefore = { ...proxy.routes };
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const ecsPerMin = perMinute(ecsBefore, ecs.calls.snapshot());
    const consulPerMin = perMinute(consulBefore, proxy.routes);

    await world.consul('DELETE', `/v1/acl/auth-method/${AUTH_METHOD}`);
    const deletedAt = performance.now();
    const repairedNow = async () => {
      const now = (await resources(agent)) as { authMethod?: unknown; bindingRules: unknown[] };
      return { authMethod: now.authMethod !== undefined, bindingRules: now.bindingRules.length };
    };
    let repaired = await repairedNow();
    let afterS: number | undefined;
    while (performance.now() - deletedAt < REPAIR_WAIT_MS) {
      repaired = await repairedNow();
      if (repaired.authMethod && repaired.bindingRules === 4) {
        afterS = (performance.now() - deletedAt) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return {
      resources: made,
      removedAfterStopS,
      left,
      repaired: { ...repaired, afterS },
      ecsPerMin,
      consulPerMin,
    };
  } finally {
    await child?.stop();
    await world.close();
    await proxy.close();
    await Promise.all([agent.stop(), ecs.close(), secretsManager.close()]);
  }
}

function table(results: Record<Peer, PeerResult>): string {
  const peers: Peer[] = ['consul-ecs v0.10.0', 'ours'];
  const row = (label: string, cell: (result: PeerResult) => string) =>
    `| ${label} | ${peers.map((peer) => cell(results[peer])).join(' | ')} |`;
  const total = (rates: Record<string, number>) =>
    Math.round(Object.values(rates).reduce((sum, value) => sum + value, 0) * 10) / 10;
  const routes = (rates: Record<string, number>) =>
    Object.entries(rates)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, rate]) => `${route} ${rate}`)
      .join('; ');
  return [
    `| 1 running + 1 stopped + 1 never-run task, real Consul 1.14.8, envtest ECS, 10 s cadence | ${peers.join(' | ')} |`,
    '|---|---|---|',
    row(
      'Consul resources after start (policies, roles, auth method, binding rules, anonymous policy, node)',
      (r) =>
        r === results.ours &&
        JSON.stringify(r.resources) === JSON.stringify(results['consul-ecs v0.10.0'].resources)
          ? 'identical'
          : `${String((r.resources as { policies: unknown[] }).policies.length)} policies, ${String((r.resources as { bindingRules: unknown[] }).bindingRules.length)} binding rules`,
    ),
    row('Stopped and never-run tasks: login tokens and services removed after the stop, s', (r) =>
      r.removedAfterStopS.toFixed(1),
    ),
    row(
      'Left: login tokens / services',
      (r) => `${r.left.tokens.join(', ')} / ${r.left.services.join(', ')}`,
    ),
    row('Auth method deleted (its 4 binding rules with it): restored within 25 s', (r) =>
      r.repaired.afterS === undefined
        ? `no (auth method ${r.repaired.authMethod ? 'back' : 'gone'}, ${r.repaired.bindingRules} binding rules)`
        : `yes, in ${r.repaired.afterS.toFixed(1)} s`,
    ),
    row('ECS calls/min, steady', (r) => String(total(r.ecsPerMin))),
    row('… by operation', (r) => routes(r.ecsPerMin)),
    row('Consul calls/min, steady', (r) => String(total(r.consulPerMin))),
    row('… by route', (r) => routes(r.consulPerMin)),
  ].join('\n');
}

describe('side by side with the real consul-ecs v0.10.0 controller (real Consul 1.14.8, envtest ECS)', function () {
  this.timeout(240_000);
  const results = {} as Record<Peer, PeerResult>;

  before(function () {
    const reason =
      consulEcsUnavailable(CONSUL_ECS_CONTROLLER_VERSION) ??
      (existsSync(consulBin()) ? undefined : `${consulBin()} not built; run scripts/setup-backends.sh`);
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  it('runs the same scenario under each: both make the same Consul resources and remove the same login tokens and services; only ours repairs a deleted auth method', async () => {
    results['consul-ecs v0.10.0'] = await runPeer('consul-ecs v0.10.0');
    results.ours = await runPeer('ours');
    const report = table(results);
    console.log(report.replace(/^/gm, '      '));
    if (process.env.SIDE_BY_SIDE_OUT) writeFileSync(process.env.SIDE_BY_SIDE_OUT, `${report}\n`);

    const theirs = results['consul-ecs v0.10.0'];
    expect(results.ours.resources).to.deep.equal(theirs.resources);
    expect((theirs.resources as { bindingRules: unknown[] }).bindingRules).to.have.length(4);
    const runningOnly = { tokens: ['running'], services: ['running'] };
    expect(theirs.left).to.deep.equal(runningOnly);
    expect(results.ours.left).to.deep.equal(runningOnly);
    expect(results.ours.repaired.afterS, 'ours restores the auth method and its binding rules').to.not.equal(
      undefined,
    );
    expect(theirs.repaired.afterS, 'v0.10 creates them only at start').to.equal(undefined);
  });
});
