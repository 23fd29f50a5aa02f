import {
  DescribeTasksCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { parseValueFrom } from '../../../envtest/ecs/task-secrets.js';
import {
  type SecretsManagerServer,
  startSecretsManagerServer,
} from '../../../envtest/secretsmanager/server.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { createMeshService, type EcsFixture, startEcsFixture } from './fixture.js';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';

describe('ECS emulator: task secrets resolved at start', () => {
  describe('parseValueFrom', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-token-AbCdEf';
    it('reads the ARN, json key, stage and version id', () => {
      expect(parseValueFrom(`${arn}:token::`)).to.deep.equal({ secretArn: arn, jsonKey: 'token' });
      expect(parseValueFrom(arn)).to.deep.equal({ secretArn: arn });
      expect(parseValueFrom(`${arn}:token:AWSPREVIOUS:`)).to.deep.equal({
        secretArn: arn,
        jsonKey: 'token',
        versionStage: 'AWSPREVIOUS',
      });
      expect(parseValueFrom(`${arn}::AWSCURRENT:`)).to.deep.equal({
        secretArn: arn,
        versionStage: 'AWSCURRENT',
      });
    });
    it('leaves SSM parameters alone', () => {
      expect(parseValueFrom('arn:aws:ssm:us-east-1:123456789012:parameter/x')).to.equal(undefined);
      expect(parseValueFrom('my-parameter')).to.equal(undefined);
    });
  });

  it('by default a service retries its first failed launch 10 s later (a resolver function works too)', async () => {
    const clock = new ManualClock();
    let value = '{}';
    const fixture = await startEcsFixture({ clock, secrets: () => value });
    try {
      await fixture.ecs.send(new CreateClusterCommand({ clusterName: 'mesh' }));
      await fixture.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [
            {
              name: 'app',
              image: 'nginx',
              memory: 64,
              secrets: [
                {
                  name: 'T',
                  valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf:token::',
                },
              ],
            },
          ],
        }),
      );
      await createMeshService(fixture.ecs, 'web', 1);
      await clock.advance(0);
      expect(fixture.server.state.launchAttemptsOf('web').map((a) => a.outcome)).to.deep.equal(['FAILED']);
      value = '{"token":"t"}';
      await clock.advance(9_999);
      expect(fixture.server.state.launchAttemptsOf('web')).to.have.length(1);
      await clock.advance(1);
      const attempts = fixture.server.state.launchAttemptsOf('web');
      expect(attempts.map((a) => [a.outcome, a.createdAt - clock.now()])).to.deep.equal([
        ['FAILED', -10_000],
        ['RUNNING', 0],
      ]);
    } finally {
      await fixture.close();
    }
  });

  describe('with an envtest Secrets Manager store', () => {
    let clock: ManualClock;
    let smServer: SecretsManagerServer;
    let sm: SecretsManagerClient;
    let fixture: EcsFixture;
    let ecs: ECSClient;

    beforeEach(async () => {
      clock = new ManualClock();
      smServer = await startSecretsManagerServer({ clock });
      sm = new SecretsManagerClient({
        endpoint: smServer.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      fixture = await startEcsFixture({
        clock,
        timings: { provisioningMs: 1_000, pendingMs: 1_000, stoppingMs: 1_000 },
        secrets: smServer.state,
        serviceLaunchRetry: { initialDelayMs: 10_000, maxDelayMs: 40_000 },
      });
      ecs = fixture.ecs;
      await ecs.send(new CreateClusterCommand({ clusterName: 'mesh' }));
    });
    afterEach(async () => {
      await fixture.close();
      sm.destroy();
      await smServer.close();
    });

    async function secret(name: string, value: string): Promise<string> {
      return (await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN ?? '';
    }

    async function register(valueFrom: string, family = 'app'): Promise<string> {
      const out = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [
            { name: 'app', image: 'nginx', memory: 128 },
            {
              name: 'mesh-init',
              image: 'consul-ecs',
              memory: 64,
              secrets: [{ name: 'CONSUL_HTTP_TOKEN', valueFrom }],
            },
          ],
        }),
      );
      return out.taskDefinition?.taskDefinitionArn ?? '';
    }

    async function describe1(taskArn: string) {
      const out = await ecs.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [taskArn] }));
      return out.tasks?.[0];
    }

    async function runOne(taskDefinition = 'app'): Promise<string> {
      const out = await ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition }));
      return out.tasks?.[0]?.taskArn ?? '';
    }

    it('a secret without the JSON key stops the task before RUNNING with TaskFailedToStart', async () => {
      const arn = await secret('app-token', '{}');
      await register(`${arn}:token::`);
      const taskArn = await runOne();
      await clock.advance(3_000);
      const task = await describe1(taskArn);
      expect(task).to.include({
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
      });
      expect(task?.stoppedReason).to.equal(
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval ' +
          'failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved ' +
          'secret from Secrets Manager did not contain json key token',
      );
      expect(task?.startedAt).to.equal(undefined);
      const statuses = fixture.server.state.taskChanges.map((c) => c.lastStatus);
      expect(statuses).to.not.include('RUNNING');
      expect(fixture.server.state.launchAttempts.map((a) => a.outcome)).to.deep.equal(['FAILED']);
    });

    it('an empty JSON key value fails too; the key present runs', async () => {
      const arn = await secret('app-token', '{"token":""}');
      await register(`${arn}:token::`);
      const failed = await runOne();
      await clock.advance(3_000);
      expect((await describe1(failed))?.stopCode).to.equal('TaskFailedToStart');
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: '{"token":"s3cr3t"}' }));
      const ok = await runOne();
      await clock.advance(2_000);
      expect(await describe1(ok)).to.include({ lastStatus: 'RUNNING' });
      expect(fixture.server.state.launchAttempts.map((a) => a.outcome)).to.deep.equal(['FAILED', 'RUNNING']);
    });

    it('the key is read at the end of PENDING, so a token written while PENDING is in time', async () => {
      const arn = await secret('app-token', '{}');
      await register(`${arn}:token::`);
      const taskArn = await runOne();
      await clock.advance(1_500);
      expect((await describe1(taskArn))?.lastStatus).to.equal('PENDING');
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: '{"token":"t"}' }));
      await clock.advance(500);
      expect((await describe1(taskArn))?.lastStatus).to.equal('RUNNING');
    });

    it('a missing secret fails with the agent\'s "can\'t retrieve the secret" reason', async () => {
      const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf';
      await register(`${arn}:token::`);
      const taskArn = await runOne();
      await clock.advance(3_000);
      const task = await describe1(taskArn);
      expect(task?.stopCode).to.equal('TaskFailedToStart');
      expect(task?.stoppedReason).to.match(
        /^ResourceInitializationError: .*can't retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf'/,
      );
    });

    it('a whole-string valueFrom needs no JSON', async () => {
      const arn = await secret('plain', 'not json');
      await register(arn);
      const taskArn = await runOne();
      await clock.advance(2_000);
      expect((await describe1(taskArn))?.lastStatus).to.equal('RUNNING');
    });

    it('a JSON key asked of a non-JSON value fails', async () => {
      const arn = await secret('plain', 'not json');
      await register(`${arn}:token::`);
      const taskArn = await runOne();
      await clock.advance(3_000);
      expect((await describe1(taskArn))?.stoppedReason).to.include('unable to unmarshal secret value');
    });

    it('a service retries failed launches after 10 s, 20 s, 40 s, 40 s (capped), then runs once the key exists', async () => {
      const arn = await secret('web-token', '{}');
      await register(`${arn}:token::`, 'web');
      await createMeshService(ecs, 'web', 1);
      const attempts = () => fixture.server.state.launchAttemptsOf('web');
      await clock.advance(2_000); // first task: PROVISIONING 1 s, PENDING 1 s, fails
      expect(attempts().map((a) => a.outcome)).to.deep.equal(['FAILED']);
      const gaps: number[] = [];
      let lastCreated = attempts()[0]?.createdAt ?? 0;
      for (let i = 0; i < 4; i += 1) {
        const before = attempts().length;
        while (attempts().length === before) await clock.advance(1_000);
        const created = attempts().at(-1)?.createdAt ?? 0;
        gaps.push(created - lastCreated - 2_000);
        lastCreated = created;
      }
      expect(gaps).to.deep.equal([10_000, 20_000, 40_000, 40_000]);
      const service = fixture.server.state.services.find((s) => s.name === 'web');
      expect(service?.consecutiveFailedLaunches).to.equal(5);
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: '{"token":"t"}' }));
      while (attempts().length === 5) await clock.advance(1_000);
      expect(attempts().map((a) => a.outcome)).to.deep.equal([
        'FAILED',
        'FAILED',
        'FAILED',
        'FAILED',
        'FAILED',
        'RUNNING',
      ]);
      expect(service?.consecutiveFailedLaunches).to.equal(0);
      expect(attempts()[5]?.stoppedReason).to.equal(undefined);
    });

    it('a service whose secret already has the key starts its first task on the first try', async () => {
      const arn = await secret('api-token', '{"token":"t"}');
      await register(`${arn}:token::`, 'api');
      await createMeshService(ecs, 'api', 2);
      await clock.advance(2_000);
      const attempts = fixture.server.state.launchAttemptsOf('api');
      expect(attempts.map((a) => a.outcome)).to.deep.equal(['RUNNING', 'RUNNING']);
    });

    it('a new task definition resets the throttle and launches at once', async () => {
      const arn = await secret('web-token', '{}');
      await register(`${arn}:token::`, 'web');
      await createMeshService(ecs, 'web', 1);
      await clock.advance(2_000);
      const good = await secret('web-token-2', '{"token":"t"}');
      const revision2 = await register(`${good}:token::`, 'web');
      await ecs.send(
        new UpdateServiceCommand({ cluster: 'mesh', service: 'web', taskDefinition: revision2 }),
      );
      await clock.advance(2_000);
      expect(fixture.server.state.launchAttemptsOf('web').map((a) => a.outcome)).to.deep.equal([
        'FAILED',
        'RUNNING',
      ]);
    });
  });
});
