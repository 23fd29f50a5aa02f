import { expect } from 'chai';

import { fastElectionFlags } from '../helpers/controller-cli.js';
import { spawnController } from './cli-process.js';
import { AclWorld, eventually, useAclWorld } from './world.js';

const TTL_MS = 2_000;
const LOCK_DELAY_MS = 1_000;
const RESYNC_MS = 1_000;

describe('high availability, end to end', function () {
  this.timeout(60_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started), { consul: { sessionTtlMinMs: 1_000 } });

  it('fails over when the leader is killed: the standby takes over within TTL + lock-delay + one resync, with no duplicate token', async () => {
    await world.createServiceSecret('web');
    await world.runTasks('web');
    const flags = [
      '-leader-election',
      '-leader-election-ttl',
      `${TTL_MS / 1000}s`,
      '-leader-election-renew',
      '500ms',
      '-leader-election-lock-delay',
      `${LOCK_DELAY_MS / 1000}s`,
      // This world's Consul has session_ttl_min 1s (above), so the short TTL is accepted.
      '-consul-session-ttl-min',
      '1s',
      '-resync-interval',
      `${RESYNC_MS / 1000}s`,
      '-gc-grace-period',
      '0',
    ];
    const replicas = [spawnController(world, flags), spawnController(world, flags)];
    try {
      const holder = async () => {
        const { status, json } = await world.consul<Array<{ Value: string; Session?: string }>>(
          'GET',
          `/v1/kv/ecs-acl-controller/${world.cluster}/leader`,
        );
        if (status !== 200 || !json[0]?.Session) return undefined;
        return (JSON.parse(Buffer.from(json[0].Value, 'base64').toString()) as { holder: string }).holder;
      };
      const first = await eventually('a leader', holder);
      const leader = replicas.find((replica) => first.endsWith(`/${replica.pid}`));
      const standby = replicas.find((replica) => replica !== leader);
      expect(leader, `holder ${first}`).to.not.equal(undefined);
      const token = await eventually('the token', async () => (await world.serviceTokens())[0]);
      expect(standby?.output()).to.not.contain('created service token');

      leader?.child.kill('SIGKILL');
      const killedAt = performance.now();
      await world.consul('DELETE', `/v1/acl/token/${token.AccessorID}`);
      const second = await eventually('the standby leads', async () => {
        const current = await holder();
        return current && current !== first ? current : undefined;
      });
      expect(second.endsWith(`/${standby?.pid}`)).to.equal(true);
      const back = await eventually(
        'the token repaired by the new leader',
        async () => (await world.serviceTokens())[0],
      );
      const takeoverMs = performance.now() - killedAt;
      expect(back.AccessorID).to.equal(token.AccessorID);
      expect(await world.serviceTokens()).to.have.length(1);
      // The child's stdout reaches us through a pipe, possibly after Consul's answers.
      await eventually('the standby logged its takeover', () => {
        expect(standby?.output()).to.contain('leadership gained; controllers started');
        return true;
      });
      // Reported, not asserted as a timing: TTL + lock-delay + one resync is the bound to meet.
      console.log(
        `      failover: token back ${Math.round(takeoverMs)} ms after SIGKILL (bound ${TTL_MS + LOCK_DELAY_MS + RESYNC_MS} ms)`,
      );
    } finally {
      for (const replica of replicas) replica.child.kill('SIGKILL');
      await Promise.all(replicas.map((replica) => replica.exited));
    }
  });

  it('a standby is ready; only the leader speaks for the client token (gauge 1 there, 0 on the standby)', async () => {
    const flags = [...fastElectionFlags(), '-resync-interval', '1s'];
    const replicas = [spawnController(world, flags), spawnController(world, flags)];
    try {
      const leader = await eventually('a leader', async () =>
        replicas.find((replica) => replica.output().includes('leadership gained; controllers started')),
      );
      const standby = replicas.find((replica) => replica !== leader) as (typeof replicas)[number];
      await leader.metricsMatching(
        /^acl_controller_client_token_ready\{cluster="[^"]+"\} 1$/m,
        'the leader ready',
      );
      const readyz = await eventually('the standby ready', async () => {
        const response = await fetch(`${await standby.opsUrl()}/readyz?verbose`);
        const body = await response.text();
        return response.status === 200 ? body : undefined;
      });
      expect(readyz).to.contain('client-token');
      const text = await standby.metricsMatching(
        /^leader_election_master_status\{name="[^"]+"\} 0$/m,
        'the standby not leading',
      );
      expect(text).to.match(/^acl_controller_client_token_ready\{cluster="[^"]+"\} 0$/m);
    } finally {
      for (const replica of replicas) replica.child.kill('SIGKILL');
      await Promise.all(replicas.map((replica) => replica.exited));
    }
  });

  it('without leader election, two replicas still converge to one token per service', async () => {
    await world.createServiceSecret('web');
    await world.createServiceSecret('api');
    const a = await world.startController();
    const b = await world.startController();
    await world.runTasks('web');
    await world.runTasks('api');
    await eventually('one token per service', async () => {
      const tokens = await world.serviceTokens();
      const services = tokens.map((token) => token.ServiceIdentities?.[0].ServiceName).sort();
      return services.join(',') === 'api,web' ? true : undefined;
    });
    await eventually('two resyncs', async () => world.ecsServer.calls.count('ListTasks') >= 6);
    const tokens = await world.serviceTokens();
    expect(tokens).to.have.length(2);
    for (const service of ['web', 'api']) {
      const secret = await world.secretValue(`${world.prefix}-${service}`);
      expect(
        tokens.some((token) => token.AccessorID === secret.accessor_id && token.SecretID === secret.token),
      ).to.equal(true);
    }
    await Promise.all([a.stop(), b.stop()]);
  });

  it("exits 2, naming the flag, on a lock TTL outside Consul's session TTL range (real CLI process)", async () => {
    const run = async (extra: string[]) => {
      const controller = spawnController(world, ['-leader-election', ...extra]);
      return { code: await controller.exited, output: controller.output() };
    };
    // Consul's default session_ttl_min is 10s: a 3s TTL would fail every session create.
    const tooShort = await run(['-leader-election-ttl', '3s', '-leader-election-renew', '1s']);
    expect(tooShort.code, tooShort.output).to.equal(2);
    expect(tooShort.output).to.contain('flag -leader-election-ttl must be between 10s and 24h');
    const tooLong = await run(['-leader-election-ttl', '48h']);
    expect(tooLong.code, tooLong.output).to.equal(2);
    expect(tooLong.output).to.contain('flag -leader-election-ttl must be between 10s and 24h');
    const renew = await run(['-leader-election-ttl', '10s', '-leader-election-renew', '10s']);
    expect(renew.code, renew.output).to.equal(2);
    expect(renew.output).to.contain('flag -leader-election-renew must be shorter than -leader-election-ttl');
  });
});
