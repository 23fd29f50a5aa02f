/**
 * The whole controller (AclWorld: envtest ECS, Secrets Manager and Consul, the real container)
 * fed garbage through a corrupting proxy, and a hung endpoint through a per-resource fault. The
 * outcome must always be: an error and a metric, the other services unaffected, and nothing
 * written (no secret rewritten, no token deleted or rotated) on the strength of bad data.
 */
import { expect } from 'chai';

import { SERVICE_NAME_TAG } from '../../controllers/domain/mesh-tags.js';
import { AclWorld, eventually, MESH, type RunningController } from '../acl/world.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { type CorruptingProxy, startCorruptingProxy } from './corrupting-proxy.js';

/** The value of the first sample of `metric` whose labels include every `labels` pair. */
function sample(text: string, metric: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}

async function metricAtLeast(
  controller: RunningController,
  metric: string,
  labels: Record<string, string>,
  min: number,
): Promise<string> {
  return eventually(`${metric}${JSON.stringify(labels)} >= ${min}`, async () => {
    const text = await controller.metrics();
    return sample(text, metric, labels) >= min ? text : undefined;
  });
}

/**
 * Waits until a secret read failed (`acl_controller_errors_total{kind="secret_read"}`), then
 * checks that GetSecretValue was counted with `code` and the service-token reconcile failed.
 */
async function expectSecretReadFailures(controller: RunningController, code: string): Promise<void> {
  const text = await metricAtLeast(controller, 'acl_controller_errors_total', { kind: 'secret_read' }, 1);
  expect(
    sample(text, 'external_api_requests_total', {
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      code,
    }),
  ).to.be.greaterThan(0);
  expect(
    sample(text, 'controller_runtime_reconcile_errors_total', { controller: 'service-token' }),
  ).to.be.greaterThan(0);
}

/** Waits until the proxy has replaced `count` answers, then a little longer for their effects. */
async function corruptedAtLeast(proxy: CorruptingProxy, count: number): Promise<void> {
  await eventually(`${count} corrupted answers`, () => proxy.corrupted >= count);
  await new Promise((resolve) => setTimeout(resolve, 300));
}

const HTML = '<html><body><h1>502 Bad Gateway</h1></body></html>';

describe('hostile input: the controller end to end', function () {
  this.timeout(30_000);
  let world: AclWorld;
  let proxy: CorruptingProxy | undefined;

  beforeEach(async () => {
    world = await AclWorld.start();
  });
  afterEach(async () => {
    await world.close();
    await proxy?.close();
    proxy = undefined;
  });

  it('a Consul token list answered with HTML: informer errors, nothing deleted, new services still get tokens', async () => {
    proxy = await startCorruptingProxy(world.consulServer.url);
    for (const service of ['web', 'api', 'db']) await world.createServiceSecret(service);
    await world.runTasks('web');
    await world.runTasks('api');
    const controller = await world.startController({}, undefined, { consulUrl: proxy.url });
    await eventually('tokens for web and api', async () => (await world.serviceTokens()).length === 2);
    const before = (await world.serviceTokens()).map((token) => token.AccessorID).sort();

    proxy.corrupt = (call) =>
      call.method === 'GET' && call.path.startsWith('/v1/acl/tokens')
        ? { status: 200, body: HTML }
        : undefined;
    await world.runTasks('db');
    await eventually('a token for db too', async () => (await world.serviceTokens()).length === 3);
    const text = await metricAtLeast(
      controller,
      'informer_list_errors_total',
      { informer: 'consul-tokens' },
      1,
    );
    expect(sample(text, 'acl_controller_tokens_deleted_total', { controller: 'garbage-collector' })).to.equal(
      0,
    );
    expect(sample(text, 'acl_controller_tokens_deleted_total', { controller: 'service-token' })).to.equal(0);
    const after = (await world.serviceTokens()).map((token) => token.AccessorID);
    expect(after).to.include.members(before);
    expect(proxy.corrupted).to.be.greaterThan(0);
  });

  it('a token read answered {} with HTTP 200: a consul error, and the client token is not rotated (regression)', async () => {
    proxy = await startCorruptingProxy(world.consulServer.url);
    // A zero secret recheck makes every resync read the token again, so the corruption is met.
    const controller = await world.startController({ secretRecheckMs: 0 }, undefined, {
      consulUrl: proxy.url,
    });
    await metricAtLeast(controller, 'acl_controller_client_token_ready', {}, 1);
    const secret = await world.secretValue(world.clientSecretArn);
    const clientTokens = async () =>
      (await world.consul<Array<{ Description: string }>>('GET', '/v1/acl/tokens')).json.filter((token) =>
        token.Description.startsWith('ECS Consul client Token'),
      ).length;
    expect(await clientTokens()).to.equal(1);
    const writesBefore = world.smServer.calls.count('UpdateSecret');

    proxy.corrupt = (call) =>
      call.method === 'GET' && /^\/v1\/acl\/token\/[0-9a-f-]{36}/.test(call.path)
        ? { status: 200, body: '{}' }
        : undefined;
    const errors = sample(await controller.metrics(), 'acl_controller_errors_total', { kind: 'consul' });
    await corruptedAtLeast(proxy, 2);
    expect(world.smServer.calls.count('UpdateSecret')).to.equal(writesBefore);
    expect(await world.secretValue(world.clientSecretArn)).to.deep.equal(secret);
    expect(await clientTokens()).to.equal(1);
    const text = await metricAtLeast(
      controller,
      'acl_controller_errors_total',
      { kind: 'consul' },
      errors + 2,
    );
    expect(sample(text, 'acl_controller_client_token_ready')).to.equal(0);
    expect(world.smServer.calls.count('UpdateSecret')).to.equal(writesBefore);
    expect(await world.secretValue(world.clientSecretArn)).to.deep.equal(secret);
    expect(await clientTokens()).to.equal(1);
    expect(
      controller.logs.some((line) => line.includes('unexpected response: AccessorID is missing')),
    ).to.equal(true);
  });

  it('a secret read answered {} with HTTP 200: a secret_read error, the secret is not rewritten, others unaffected (regression)', async () => {
    proxy = await startCorruptingProxy(world.smServer.url);
    await world.createServiceSecret('web');
    await world.createServiceSecret('api');
    await world.runTasks('web');
    const controller = await world.startController({ secretRecheckMs: 200 }, undefined, {
      secretsManagerUrl: proxy.url,
    });
    const [token] = await eventually('a token for web', async () => {
      const tokens = await world.serviceTokens();
      return tokens.length === 1 ? tokens : undefined;
    });
    const secret = await world.secretValue('test-web');
    const writesBefore = world.smServer.calls
      .all()
      .filter((call) => call.operation === 'UpdateSecret').length;

    proxy.corrupt = (call) =>
      call.operation === 'GetSecretValue' && call.requestBody.includes('"test-web"')
        ? { status: 200, body: '{}' }
        : undefined;
    await world.runTasks('api');
    await eventually('a token for api', async () => (await world.serviceTokens()).length === 2);
    await corruptedAtLeast(proxy, 2);
    expect(await world.secretValue('test-web')).to.deep.equal(secret);
    await expectSecretReadFailures(controller, 'InvalidResponse');
    const puts = world.smServer.calls.all().filter((call) => call.operation === 'UpdateSecret');
    expect(puts.slice(writesBefore).map((call) => call.resource)).to.deep.equal(['test-api']);
    expect(await world.secretValue('test-web')).to.deep.equal(secret);
    expect((await world.serviceTokens()).map((t) => t.AccessorID)).to.include(token?.AccessorID);
  });

  it('a DescribeTasks answer without taskDefinitionArn: the running service keeps its token (regression)', async () => {
    proxy = await startCorruptingProxy(world.ecsServer.url);
    await world.createServiceSecret('web');
    const first = await world.runTasks('web');
    const controller = await world.startController({ gcGracePeriodMs: 0 }, undefined, { ecsUrl: proxy.url });
    const [token] = await eventually('a token for web', async () => {
      const tokens = await world.serviceTokens();
      return tokens.length === 1 ? tokens : undefined;
    });

    proxy.corrupt = (call) => {
      if (call.operation !== 'DescribeTasks' || call.status !== 200) return undefined;
      const answer = JSON.parse(call.body) as { tasks?: Array<Record<string, unknown>> };
      for (const task of answer.tasks ?? []) delete task['taskDefinitionArn'];
      return { status: 200, body: JSON.stringify(answer) };
    };
    await world.runTasks('web');
    await world.stopTasks(first);
    await corruptedAtLeast(proxy, 1);
    expect((await world.serviceTokens()).map((t) => t.AccessorID)).to.deep.equal([token?.AccessorID]);
    const text = await metricAtLeast(
      controller,
      'external_api_requests_total',
      { service: 'ecs', operation: 'DescribeTasks', code: 'InvalidResponse' },
      1,
    );
    expect(sample(text, 'informer_list_errors_total', { informer: 'ecs-tasks' })).to.be.greaterThan(0);
    expect(sample(text, 'acl_controller_tokens_deleted_total', { controller: 'garbage-collector' })).to.equal(
      0,
    );
    expect((await world.serviceTokens()).map((t) => t.AccessorID)).to.deep.equal([token?.AccessorID]);

    proxy.corrupt = undefined;
    const syncs = sample(text, 'informer_syncs_total', { informer: 'ecs-tasks' });
    const healed = await metricAtLeast(
      controller,
      'informer_syncs_total',
      { informer: 'ecs-tasks' },
      syncs + 2,
    );
    expect(
      sample(healed, 'acl_controller_tokens_deleted_total', { controller: 'garbage-collector' }),
    ).to.equal(0);
    expect((await world.serviceTokens()).map((t) => t.AccessorID)).to.deep.equal([token?.AccessorID]);
  });

  it("a service-name tag with slashes is an invalid task, not another service's secret (regression)", async () => {
    await world.createServiceSecret('web');
    await world.createServiceSecret('api');
    await world.runTasks('evil', 1, [MESH, { key: SERVICE_NAME_TAG, value: 'evil/default/web' }]);
    await world.runTasks('api');
    const controller = await world.startController();
    await eventually('a token for api', async () => (await world.serviceTokens()).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const touched = world.smServer.calls
      .all()
      .filter((call) => call.resource === 'test-web' && call.principal === CONTROLLER_ACCESS_KEY_ID);
    expect(touched.map((call) => call.operation)).to.deep.equal([]);
    expect(await world.secretValue('test-web')).to.deep.equal({});
    const text = await metricAtLeast(
      controller,
      'acl_controller_errors_total',
      { kind: 'invalid_task_tags' },
      1,
    );
    expect(sample(text, 'acl_controller_errors_total', { kind: 'consul' })).to.equal(0);
  });

  it('a hung secret read never blocks other services, even with one worker: the request times out', async () => {
    for (const service of ['slow', 'web', 'api']) await world.createServiceSecret(service);
    world.smServer.faults.add({
      operation: 'GetSecretValue',
      resource: 'test-slow',
      kind: 'latency',
      latencyMs: 600_000,
      fraction: 1,
    });
    for (const service of ['slow', 'web', 'api']) await world.runTasks(service);
    const controller = await world.startController({ concurrency: 1 }, undefined, {
      awsRequestTimeoutMs: 400,
    });
    await eventually('tokens for web and api', async () => {
      const names = (await world.serviceTokens())
        .map((token) => token.ServiceIdentities?.[0]?.ServiceName)
        .sort();
      return names.join(',') === 'api,web';
    });
    await expectSecretReadFailures(controller, 'TimeoutError');
    expect(
      world.smServer.calls.all().some((call) => call.resource === 'test-slow' && call.error === 'ClientGone'),
    ).to.equal(true);
  });
});
