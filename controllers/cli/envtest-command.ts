/**
 * `ecs-acl-controller envtest`: starts the envtest ECS, Secrets Manager, SQS and Consul servers
 * on 127.0.0.1, wired as on AWS, prints one JSON line with their URLs, the events queue URL, the
 * region, the account and the Consul management token, and runs until SIGTERM or SIGINT. Point
 * the AWS CLI, the SDKs, `consul` and the controller at it.
 *
 * Invariants:
 * - One region and one account for every AWS server, so every ARN and queue URL agrees.
 * - ECS publishes every "ECS Task State Change" event into the events queue (an EventBridge rule
 *   with an SQS target), and reads task-definition `secrets` `valueFrom` from this Secrets
 *   Manager when a task starts: a missing secret or JSON key stops the task with
 *   `ResourceInitializationError` (stopCode TaskFailedToStart), as on AWS.
 * - stdout carries exactly that one line; bad flags exit 2 before any server starts.
 */
import { startConsulServer } from '../../envtest/consul/server.js';
import { startEcsServer } from '../../envtest/ecs/server.js';
import { startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { startSqsServer } from '../../envtest/sqs/server.js';
import { EXIT_CODES } from '../../src/manager/errors.js';
import { type Command, UsageError } from '../../src/cli/command.js';
import { type FlagSpec, flagValue, formatFlagHelp, parseGoFlags } from '../../src/cli/go-flags.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'ecs-port', kind: 'int', help: 'Port of the ECS server; 0 picks a free one.', default: '0' },
  { name: 'secretsmanager-port', kind: 'int', help: 'Port of the Secrets Manager server.', default: '0' },
  { name: 'sqs-port', kind: 'int', help: 'Port of the SQS server.', default: '0' },
  { name: 'consul-port', kind: 'int', help: 'Port of the Consul server.', default: '0' },
  { name: 'region', kind: 'string', help: 'AWS region in every ARN and queue URL.', default: 'us-east-1' },
  {
    name: 'account-id',
    kind: 'string',
    help: 'AWS account (12 digits) in every ARN.',
    default: '123456789012',
  },
  {
    name: 'events-queue-name',
    kind: 'string',
    help: 'SQS queue that receives the ECS Task State Change events.',
    default: 'ecs-task-events',
  },
  {
    name: 'consul-version',
    kind: 'string',
    help: 'Not-found behaviour: 1.14 (403) or 1.15 (404).',
    default: '1.15',
  },
  { name: 'consul-enterprise', kind: 'bool', help: 'Accept partitions and namespaces.', default: 'false' },
  { name: 'consul-token', kind: 'string', help: 'The management token (a UUID); random by default.' },
];

const DESCRIPTION = `Starts local ECS, Secrets Manager, SQS and Consul servers on 127.0.0.1 and prints one JSON line:
  {"ecs","secretsmanager","sqs","consul": URLs, "eventsQueueUrl", "region", "account", "consulToken"}
ECS publishes ECS Task State Change events into eventsQueueUrl and resolves task secrets from the
Secrets Manager server (a missing secret stops the task with ResourceInitializationError).
Use AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SQS, AWS_REGION and
any credentials for the SDKs, CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN for Consul. Stops on SIGTERM or SIGINT.`;

export const envtestCommand: Command = {
  name: 'envtest',
  summary: 'Run local ECS, Secrets Manager, SQS and Consul servers until SIGTERM.',
  async run(args) {
    if (args.includes('-help') || args.includes('--help') || args.includes('-h')) {
      console.log(`Usage: ecs-acl-controller envtest [flags]\n\n${DESCRIPTION}\n\n${formatFlagHelp(FLAGS)}`);
      return EXIT_CODES.ok;
    }
    const flags = parseGoFlags(args, FLAGS);
    const get = (name: string) => flagValue(flags, FLAGS.find((spec) => spec.name === name) as FlagSpec);
    const version = get('consul-version');
    if (version !== '1.14' && version !== '1.15')
      throw new UsageError('flag -consul-version must be 1.14 or 1.15');
    const region = get('region') as string;
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
      throw new UsageError(`flag -region: "${region}" is not a region name such as eu-west-1`);
    const accountId = get('account-id') as string;
    if (!/^\d{12}$/.test(accountId))
      throw new UsageError(`flag -account-id: "${accountId}" is not 12 digits`);
    const queueName = get('events-queue-name') as string;
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(queueName))
      throw new UsageError(`flag -events-queue-name: "${queueName}" is not an SQS queue name`);

    const aws = { region, accountId };
    const [secretsManager, sqs, consul] = await Promise.all([
      startSecretsManagerServer({ ...aws, port: Number(get('secretsmanager-port')) }),
      startSqsServer({ ...aws, port: Number(get('sqs-port')) }),
      startConsulServer({
        port: Number(get('consul-port')),
        version,
        enterprise: get('consul-enterprise') === 'true',
        managementToken: get('consul-token'),
      }),
    ]);
    const queue = sqs.state.createQueue(queueName, {});
    const ecs = await startEcsServer({
      ...aws,
      port: Number(get('ecs-port')),
      events: { sqs: sqs.state, queueUrl: queue.url },
      secrets: secretsManager.state,
    });
    console.log(
      JSON.stringify({
        ecs: ecs.url,
        secretsmanager: secretsManager.url,
        sqs: sqs.url,
        consul: consul.url,
        eventsQueueUrl: queue.url,
        region,
        account: accountId,
        consulToken: consul.managementToken,
      }),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await Promise.all([ecs.close(), secretsManager.close(), sqs.close(), consul.close()]);
    return EXIT_CODES.ok;
  },
};
