// `ecs-acl-controller controller` with -leader-election, two real processes on envtest: one leads
// (its lock is `controller`'s own, not acl-controller's), the standby removes nothing, and when
// the leader is killed the standby takes over and removes a stopped task's login token.
import { expect } from 'chai';

import { moduleControllerConfig } from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub, type TaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { fastElectionFlags } from '../helpers/controller-cli.js';
import { type ControllerProcess, spawnController, spawnIamController } from './cli-process.js';
import { createLoginToken, loginTokenExists } from './login-tokens.js';
import { AclWorld, eventually, useAclWorld } from './world.js';

const ACCOUNT = '123456789012';

describe('controller (the consul-ecs v0.10 command) with leader election, two real processes', function () {
  this.timeout(60_000);
  let world: AclWorld;
  let stub: TaskMetadataStub | undefined;
  let replicas: ControllerProcess[] = [];
  useAclWorld((started) => (world = started), { consul: { sessionTtlMinMs: 1_000 } });

  afterEach(async () => {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    await Promise.all(replicas.map((replica) => replica.exited));
    replicas = [];
    await stub?.close();
    stub = undefined;
  });

  const flags = [
    ...fastElectionFlags(),
    '-resync-interval',
    '1s',
    '-gc-grace-period',
    '0',
    '-listen-addr',
    '127.0.0.1:0',
  ];
  const config = () =>
    moduleControllerConfig({
      consulHttpUrl: world.backends.consulUrl,
      grpcPort: 8502,
      skipServerWatch: false,
    });
  const holderOf = async (key: string) => {
    const { status, json } = await world.consul<Array<{ Value: string; Session?: string }>>(
      'GET',
      `/v1/kv/${key}`,
    );
    if (status !== 200 || !json[0]?.Session) return undefined;
    return (JSON.parse(Buffer.from(json[0].Value, 'base64').toString()) as { holder: string }).holder;
  };
  const loginToken = (cluster: string, taskArn: string) => createLoginToken(world, cluster, taskArn);
  const tokenExists = (id: string) => loginTokenExists(world, id);

  it('one replica leads; the standby removes nothing; after SIGKILL of the leader the standby removes a stopped task’s login token', async () => {
    stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: ACCOUNT });
    const clusterArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${world.cluster}`;
    const [, first, second] = await world.runTasks('web', 3);
    const tokens = [
      await loginToken(clusterArn, first as string),
      await loginToken(clusterArn, second as string),
    ];
    replicas = [0, 1].map(() => spawnIamController(world, stub!.url, config(), flags));
    const key = `ecs-acl-controller/${world.cluster}/controller-leader`;
    const holder = await eventually('a leader', () => holderOf(key));
    const leader = replicas.find((replica) => holder.endsWith(`/${replica.pid}`)) as ControllerProcess;
    const standby = replicas.find((replica) => replica !== leader) as ControllerProcess;
    expect(leader, `holder ${holder}`).to.not.equal(undefined);
    await leader.metricsMatching(/leader_election_master_status\{[^}]*\} 1/, 'the leader’s gauge at 1');
    await standby.metricsMatching(/leader_election_master_status\{[^}]*\} 0/, 'the standby’s gauge at 0');

    await world.stopTasks([first as string]);
    await eventually(
      'the leader removed the first stopped task’s token',
      async () => !(await tokenExists(tokens[0]!)),
    );
    const removedByStandby = /task_cleanup_removals_total\{[^}]*outcome="deleted"\} [1-9]/;
    expect(await (await fetch(`${await standby.opsUrl()}/metrics`)).text()).not.to.match(removedByStandby);

    leader.child.kill('SIGKILL');
    await world.stopTasks([second as string]);
    await eventually('the standby leads', async () => {
      const current = await holderOf(key);
      return current?.endsWith(`/${standby.pid}`) || undefined;
    });
    await eventually(
      'the new leader removed the second stopped task’s token',
      async () => !(await tokenExists(tokens[1]!)),
    );
    await standby.metricsMatching(
      /task_cleanup_removals_total\{[^}]*controller="login-token-gc",outcome="deleted"\} 1/,
      'the removal counted by the new leader',
    );
    expect(standby.output()).not.to.include(world.backends.managementToken);
  });

  it('acl-controller and controller both lead the same cluster at once: each has its own lock', async () => {
    stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: ACCOUNT });
    await world.createServiceSecret('web');
    await world.runTasks('web');
    replicas = [
      spawnIamController(world, stub.url, config(), flags),
      spawnController(world, [...fastElectionFlags(), '-resync-interval', '1s']),
    ];
    const [iam, acl] = replicas as [ControllerProcess, ControllerProcess];
    const iamHolder = await eventually('controller holds its lock', () =>
      holderOf(`ecs-acl-controller/${world.cluster}/controller-leader`),
    );
    const aclHolder = await eventually('acl-controller holds its lock', () =>
      holderOf(`ecs-acl-controller/${world.cluster}/leader`),
    );
    expect(iamHolder.endsWith(`/${iam.pid}`)).to.equal(true);
    expect(aclHolder.endsWith(`/${acl.pid}`)).to.equal(true);
    // Both do their work: the v0.4 service token, and the v0.10 auth method.
    await eventually('the service token', async () => (await world.serviceTokens())[0]);
    await eventually(
      'the auth method',
      async () =>
        (await world.consul('GET', '/v1/acl/auth-method/iam-ecs-service-token')).status === 200 || undefined,
    );
  });

  it('exits 2 naming the flag on a renew period not below the TTL', async () => {
    stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: ACCOUNT });
    const bad = spawnIamController(world, stub.url, config(), [
      '-leader-election',
      '-leader-election-ttl',
      '10s',
      '-leader-election-renew',
      '10s',
    ]);
    replicas = [bad];
    expect(await bad.exited).to.equal(2);
    expect(bad.output()).to.include('flag -leader-election-renew must be shorter than -leader-election-ttl');
  });
});
