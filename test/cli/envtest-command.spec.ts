/**
 * `ecs-acl-controller envtest` through the real bin (dist/controllers/cli/main.js), as a user runs it:
 * --help lists every flag, bad flags exit 2, and the running servers are wired as on AWS: every
 * ARN and URL in the printed region and account, ECS task state changes in the printed events
 * queue, task `secrets` resolved from the Secrets Manager server (a missing secret or JSON key
 * stops the task with ResourceInitializationError), and the real controller, pointed at the
 * printed URLs with -events-queue-url, gives a mesh service its token.
 */
import { spawnSync } from 'node:child_process';

import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';

import { eventually } from '../acl/world.js';
import { CLI, controllerArgs, controllerEnv } from '../helpers/controller-cli.js';
import { type NodeChild, startNodeChild } from '../helpers/node-child.js';

const FLAGS = [
  'ecs-port',
  'secretsmanager-port',
  'sqs-port',
  'consul-port',
  'region',
  'account-id',
  'events-queue-name',
  'consul-version',
  'consul-enterprise',
  'consul-token',
];

interface Printed {
  ecs: string;
  secretsmanager: string;
  sqs: string;
  consul: string;
  eventsQueueUrl: string;
  region: string;
  account: string;
  consulToken: string;
}

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('ecs-acl-controller envtest', function () {
  this.timeout(60_000);

  it('--help lists every flag and what it prints, and exits 0', () => {
    const result = run('envtest', '--help');
    expect(result.status).to.equal(0);
    for (const flag of FLAGS) expect(result.stdout, flag).to.match(new RegExp(`^\\s+-${flag}\\b`, 'm'));
    expect(result.stdout).to.contain('eventsQueueUrl').and.to.contain('ResourceInitializationError');
  });

  for (const [args, message] of [
    [['-account-id', '1234'], 'flag -account-id: "1234" is not 12 digits'],
    [['-region', 'Mars'], 'flag -region: "Mars" is not a region name'],
    [['-events-queue-name', 'a/b'], 'flag -events-queue-name: "a/b" is not an SQS queue name'],
    [['-sqs-port', 'x'], 'invalid value "x" for flag -sqs-port'],
  ] as const) {
    it(`exits 2 naming the flag: ${args.join(' ')}`, () => {
      const result = run('envtest', ...args);
      expect(result.status).to.equal(2);
      expect(result.stderr).to.contain(message);
      expect(result.stdout).to.equal('');
    });
  }

  describe('running', () => {
    let envtest: NodeChild;
    let printed: Printed;
    let ecs: ECSClient;
    let secrets: SecretsManagerClient;
    let sqs: SQSClient;
    const controllers: NodeChild[] = [];

    before(async () => {
      envtest = await startNodeChild(
        [CLI, 'envtest', '-region', 'eu-west-1', '-account-id', '111122223333', '-consul-version', '1.14'],
        { env: { PATH: process.env.PATH }, readyLine: '{"ecs"' },
      );
      printed = JSON.parse(envtest.logs.find((line) => line.startsWith('{"ecs"')) as string) as Printed;
      const client = (endpoint: string) => ({
        endpoint,
        region: printed.region,
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      ecs = new ECSClient(client(printed.ecs));
      secrets = new SecretsManagerClient(client(printed.secretsmanager));
      sqs = new SQSClient(client(printed.sqs));
      await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    });

    after(async () => {
      for (const controller of controllers) await controller.stop();
      for (const sdk of [ecs, secrets, sqs]) sdk?.destroy();
      await envtest?.stop();
    });

    it('prints one JSON line: the four URLs, the events queue, region, account and Consul token', async () => {
      expect(Object.keys(printed).sort()).to.deep.equal(
        [
          'account',
          'consul',
          'consulToken',
          'ecs',
          'eventsQueueUrl',
          'region',
          'secretsmanager',
          'sqs',
        ].sort(),
      );
      expect(printed).to.include({ region: 'eu-west-1', account: '111122223333' });
      expect(printed.eventsQueueUrl).to.equal(`${printed.sqs}/111122223333/ecs-task-events`);
      expect(envtest.logs.filter((line) => line.startsWith('{')).length).to.equal(1);
      const self = await fetch(`${printed.consul}/v1/acl/token/self`, {
        headers: { 'x-consul-token': printed.consulToken },
      });
      expect(self.status).to.equal(200);
      const missing = await fetch(`${printed.consul}/v1/acl/policy/name/nope`, {
        headers: { 'x-consul-token': printed.consulToken },
      });
      expect(missing.status, '-consul-version 1.14').to.equal(403);
    });

    it('stops a task whose secret or JSON key is missing with ResourceInitializationError, and runs it once the key is there', async () => {
      const created = await secrets.send(new CreateSecretCommand({ Name: 'prod-web', SecretString: '{}' }));
      expect(created.ARN).to.match(/^arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod-web-\w{6}$/);
      const missingArn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod-nope-AbCdEf';
      const web = await startTask('web', `${created.ARN}:token::`);
      const nope = await startTask('nope', missingArn);
      expect(web.taskArn).to.match(/^arn:aws:ecs:eu-west-1:111122223333:task\/prod\//);
      const [stoppedWeb, stoppedNope] = await Promise.all([stopped(web), stopped(nope)]);
      expect(stoppedWeb.stopCode).to.equal('TaskFailedToStart');
      expect(stoppedWeb.stoppedReason).to.match(
        /^ResourceInitializationError: .*did not contain json key token$/,
      );
      expect(stoppedNope.stoppedReason).to.match(
        /^ResourceInitializationError: .*can't retrieve the secret with ARN '.*prod-nope-AbCdEf'/,
      );

      await secrets.send(new PutSecretValueCommand({ SecretId: 'prod-web', SecretString: '{"token":"t"}' }));
      const again = await startTask('web', `${created.ARN}:token::`);
      await eventually('the task RUNNING', async () => (await describe(again)).lastStatus === 'RUNNING');

      const events = await eventually('the three tasks in the events queue', async () => {
        const seen = await receiveAll(sqs, printed.eventsQueueUrl);
        const arns = new Set(seen.map((event) => event.detail.taskArn));
        return [web, nope, again].every((task) => arns.has(task.taskArn as string)) ? seen : undefined;
      });
      for (const event of events) {
        expect(event).to.include({ 'detail-type': 'ECS Task State Change', source: 'aws.ecs' });
        expect(event).to.include({ region: 'eu-west-1', account: '111122223333' });
        expect(event.detail.clusterArn).to.equal('arn:aws:ecs:eu-west-1:111122223333:cluster/prod');
      }
      const stopEvent = events.find(
        (event) => event.detail.taskArn === web.taskArn && event.detail.lastStatus === 'STOPPED',
      );
      expect(stopEvent?.detail.stoppedReason).to.match(/^ResourceInitializationError/);
    });

    it('serves the real controller pointed at the printed URLs: a mesh task gets its token, via the events queue', async () => {
      const client = await secrets.send(
        new CreateSecretCommand({ Name: 'prod-consul-client-token', SecretString: '{}' }),
      );
      const env = {
        ...controllerEnv({
          ecsUrl: printed.ecs,
          secretsManagerUrl: printed.secretsmanager,
          sqsUrl: printed.sqs,
          consulUrl: printed.consul,
          consulToken: printed.consulToken,
          accessKeyId: 'a',
          secretAccessKey: 'b',
        }),
        AWS_REGION: printed.region,
      };
      const args = [
        ...controllerArgs([{ cluster: 'prod', clientSecretArn: client.ARN as string, prefix: 'prod' }]),
        ...['-events-queue-url', printed.eventsQueueUrl, '-consul-session-ttl-min', '1s'],
      ];
      const controller = await startNodeChild(args, { env });
      controllers.push(controller);
      // Ready = caches synced: the mesh task started after this is seen through the events queue
      // (with -events-queue-url the next relist is 10 minutes away).
      await eventually('the controller ready', async () => (await fetch(`${controller.opsUrl}/readyz`)).ok);
      await secrets.send(new CreateSecretCommand({ Name: 'prod-api', SecretString: '{}' }));
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'api',
          tags: [{ key: 'consul.hashicorp.com/mesh', value: 'true' }],
          containerDefinitions: [{ name: 'app', image: 'app:1', memory: 64 }],
        }),
      );
      await ecs.send(
        new RunTaskCommand({
          cluster: 'prod',
          taskDefinition: 'api',
          tags: [{ key: 'consul.hashicorp.com/mesh', value: 'true' }],
        }),
      );
      const ids = await eventually('the controller writing prod-api', async () => {
        const value = await secrets.send(new GetSecretValueCommand({ SecretId: 'prod-api' }));
        const parsed = JSON.parse(value.SecretString ?? '{}') as { accessor_id?: string; token?: string };
        return parsed.token ? parsed : undefined;
      });
      const token = await eventually('the Consul token', async () => {
        const response = await fetch(`${printed.consul}/v1/acl/token/${ids.accessor_id}`, {
          headers: { 'x-consul-token': printed.consulToken },
        });
        return response.ok
          ? ((await response.json()) as { Description: string; SecretID: string })
          : undefined;
      });
      expect(token.SecretID).to.equal(ids.token);
      expect(token.Description).to.equal('Token for api service\nconsul.hashicorp.com/cluster: prod');
      const metrics = await (await fetch(`${controller.opsUrl}/metrics`)).text();
      expect(metrics).to.match(/^ecs_task_events_total\{result="applied"\} [1-9]/m);
    });

    async function startTask(family: string, valueFrom: string): Promise<Task> {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [
            { name: 'app', image: 'app:1', memory: 64, secrets: [{ name: 'CONSUL_HTTP_TOKEN', valueFrom }] },
          ],
        }),
      );
      const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'prod', taskDefinition: family }));
      return tasks?.[0] as Task;
    }

    async function describe(task: Task): Promise<Task> {
      const { tasks } = await ecs.send(
        new DescribeTasksCommand({ cluster: 'prod', tasks: [task.taskArn as string] }),
      );
      return tasks?.[0] as Task;
    }

    function stopped(task: Task): Promise<Task> {
      return eventually('the task STOPPED', async () => {
        const now = await describe(task);
        return now.lastStatus === 'STOPPED' ? now : undefined;
      });
    }
  });
});

interface TaskEvent {
  'detail-type': string;
  source: string;
  region: string;
  account: string;
  detail: { taskArn: string; clusterArn: string; lastStatus: string; stoppedReason?: string };
}

const received: TaskEvent[] = [];

/** Every event received so far from the queue (each receive deletes what it got). */
async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<TaskEvent[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  received.push(...Messages.map((message) => JSON.parse(message.Body as string) as TaskEvent));
  if (Messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, i) => ({
          Id: String(i),
          ReceiptHandle: message.ReceiptHandle as string,
        })),
      }),
    );
  }
  return received;
}
