/**
 * IAM of config/terraform/controller, evaluated from the module with `terraform console` and
 * decided by iam-simulate (iam-eval.ts):
 * - the task role allows exactly ecs:ListTasks and ecs:DescribeTasks, on this cluster only (the
 *   ecs:cluster condition on both, DescribeTasks also by task ARN), and these are exactly the AWS
 *   calls the `controller` command's code can make (the SDK commands its import graph uses)
 *   besides the sqs:ReceiveMessage and sqs:DeleteMessage that only enable_events grants;
 *   ECS Exec's ssmmessages grants appear only with enable_execute_command;
 * - every request ours allows, upstream v0.10.0's task role allows too (a drop-in loses nothing);
 * - the execution role reads only the bootstrap-token secret and the HTTPS CA (by their own ARNs)
 *   and writes logs;
 * - config/iam/iam-auth-controller-policy.json is what the module grants.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { iamActionOf } from '../helpers/aws-actions.js';
import { readJson } from './deploy-configs.js';
import { decide, fillPlaceholders, placeholders, type IamRequest, type PolicyDocument } from './iam-eval.js';
import { evaluate, REQUIRED_INPUTS } from './terraform-console.js';
import { REPO } from './tools.js';

const CLUSTER_ARN = REQUIRED_INPUTS.ecs_cluster_arn;
const OTHER_CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:123456789012:cluster/staging';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const OTHER_TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/staging/0123456789abcdef0123456789abcdef';
const TOKEN = REQUIRED_INPUTS.consul_bootstrap_token_secret_arn;
const CA = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-ca-Gh1jK2';
const GRPC_CA = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-grpc-ca-Pq5rS6';
const OTHER_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-web-Tu7vW8';

const listTasks = (cluster: string): IamRequest => ({
  action: 'ecs:ListTasks',
  resource: '*',
  context: { 'ecs:cluster': cluster },
});
const describeTasks = (task: string, cluster: string): IamRequest => ({
  action: 'ecs:DescribeTasks',
  resource: task,
  context: { 'ecs:cluster': cluster },
});
const getSecret = (arn: string): IamRequest => ({ action: 'secretsmanager:GetSecretValue', resource: arn });

const actionsOf = (policy: PolicyDocument) =>
  [...new Set(policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

/** An import TypeScript erases (`import type …`, or every name `type …`): it loads no code. */
function typeOnly(statement: string): boolean {
  if (/^(?:import|export)\s+type\s/.test(statement)) return true;
  const names = /\{([^}]*)\}/.exec(statement)?.[1];
  if (names === undefined || /\*|^\s*(?:import|export)\s+\w+\s*,/.test(statement)) return false;
  const list = names
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return list.length > 0 && list.every((name) => name.startsWith('type '));
}

/**
 * `<service>:<Operation>` of every AWS SDK command in the runtime import graph of a source file
 * (imports TypeScript erases are not followed).
 */
function sdkCommandsReachableFrom(entry: string): string[] {
  const seen = new Set<string>();
  const commands = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, names, from] of text.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z-]+)'/g,
    )) {
      const service = {
        '@aws-sdk/client-ecs': 'ecs',
        '@aws-sdk/client-secrets-manager': 'secretsmanager',
        '@aws-sdk/client-sqs': 'sqs',
      }[from as string];
      for (const name of (names as string).split(','))
        if (/^\s*\w+Command\s*$/.test(name))
          commands.add(`${service ?? from}:${name.trim().replace(/Command$/, '')}`);
    }
    for (const [statement, path] of text.matchAll(/(?:import|export)[^'"]*?from\s*'(\.{1,2}\/[^']+)\.js'/g))
      if (!typeOnly(statement)) visit(resolve(dirname(file), `${path}.ts`));
  };
  visit(join(REPO, entry));
  expect(seen.size, 'files in the import graph').to.be.greaterThan(50);
  return [...commands].sort();
}

describe('Terraform module controller: IAM (terraform console + iam-simulate)', function () {
  this.timeout(30_000);
  let task: PolicyDocument;
  let taskWithExec: PolicyDocument;
  let taskWithEvents: PolicyDocument;
  let execution: PolicyDocument;

  before(async function () {
    [task, execution] = (await evaluate(
      this,
      { ...REQUIRED_INPUTS, consul_ca_cert_arn: CA, consul_grpc_ca_cert_arn: GRPC_CA },
      ['local.task_policy', 'local.execution_policy'],
    )) as [PolicyDocument, PolicyDocument];
    [taskWithExec] = (await evaluate(this, { ...REQUIRED_INPUTS, enable_execute_command: true }, [
      'local.task_policy',
    ])) as [PolicyDocument];
    [taskWithEvents] = (await evaluate(this, { ...REQUIRED_INPUTS, enable_events: true }, [
      'local.task_policy',
    ])) as [PolicyDocument];
  });

  describe('task role', () => {
    it('grants exactly ecs:ListTasks and ecs:DescribeTasks', () => {
      expect(actionsOf(task)).to.deep.equal(['ecs:DescribeTasks', 'ecs:ListTasks']);
    });

    it('those, with the SQS grant of enable_events, are exactly the AWS calls the controller command can make', () => {
      const calls = sdkCommandsReachableFrom('controllers/cli/controller-command.ts').map(iamActionOf);
      expect([...new Set(calls)].sort()).to.deep.equal(actionsOf(taskWithEvents));
      expect(actionsOf(taskWithEvents).filter((action) => !actionsOf(task).includes(action))).to.deep.equal([
        'sqs:DeleteMessage',
        'sqs:ReceiveMessage',
      ]);
    });

    it("allows listing and describing this cluster's tasks", async () => {
      expect(await decide(task, listTasks(CLUSTER_ARN))).to.equal('Allowed');
      expect(await decide(task, describeTasks(TASK, CLUSTER_ARN))).to.equal('Allowed');
    });

    it("denies another cluster's tasks", async () => {
      expect(await decide(task, listTasks(OTHER_CLUSTER_ARN))).to.equal('ImplicitlyDenied');
      expect(await decide(task, describeTasks(OTHER_TASK, OTHER_CLUSTER_ARN))).to.equal('ImplicitlyDenied');
      expect(await decide(task, describeTasks(OTHER_TASK, CLUSTER_ARN))).to.equal('ImplicitlyDenied');
    });

    it('denies everything else the old controller or ECS Exec would use', async () => {
      const denied: IamRequest[] = [
        { action: 'ecs:ListServices', resource: '*', context: { 'ecs:cluster': CLUSTER_ARN } },
        { action: 'ecs:DescribeServices', resource: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web' },
        { action: 'ecs:DescribeTaskDefinition', resource: '*' },
        getSecret(TOKEN),
        { action: 'ssmmessages:CreateControlChannel', resource: '*' },
      ];
      for (const request of denied)
        expect(await decide(task, request), request.action).to.equal('ImplicitlyDenied');
    });

    it('adds only the four ssmmessages actions with enable_execute_command', async () => {
      expect(actionsOf(taskWithExec)).to.deep.equal([
        'ecs:DescribeTasks',
        'ecs:ListTasks',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
      ]);
      expect(await decide(taskWithExec, { action: 'ssmmessages:OpenDataChannel', resource: '*' })).to.equal(
        'Allowed',
      );
    });

    it("grants only actions upstream v0.10.0's task role grants (there on any resource)", async () => {
      const upstream = readJson<{ task_role_policy: PolicyDocument }>(
        'test/fixtures/terraform/terraform-aws-consul-ecs-v0.10.0-controller.json',
      ).task_role_policy;
      for (const request of [listTasks(CLUSTER_ARN), describeTasks(TASK, CLUSTER_ARN)]) {
        expect(await decide(task, request)).to.equal('Allowed');
        expect(await decide(upstream, request), request.action).to.equal('Allowed');
      }
      expect(actionsOf(upstream)).to.include.members(actionsOf(task));
    });

    it('is config/iam/iam-auth-controller-policy.json filled with the cluster ARN’s region, account and name', () => {
      const template = readFileSync(join(REPO, 'config/iam/iam-auth-controller-policy.json'), 'utf8');
      expect(placeholders(template)).to.deep.equal(['account', 'cluster', 'region']);
      const filled = JSON.parse(
        fillPlaceholders(template, { region: 'eu-west-1', account: '123456789012', cluster: 'prod' }),
      ) as PolicyDocument;
      expect(task).to.deep.equal(filled);
    });
  });

  describe('execution role', () => {
    it('reads the bootstrap token and the HTTPS CA (consul_ca_cert_arn here), by their own ARNs', async () => {
      expect(await decide(execution, getSecret(TOKEN))).to.equal('Allowed');
      expect(await decide(execution, getSecret(CA))).to.equal('Allowed');
    });

    it('reads no other secret: not the unused gRPC CA, not a service secret', async () => {
      expect(await decide(execution, getSecret(GRPC_CA))).to.equal('ImplicitlyDenied');
      expect(await decide(execution, getSecret(OTHER_SECRET))).to.equal('ImplicitlyDenied');
      expect(await decide(execution, { action: 'secretsmanager:PutSecretValue', resource: TOKEN })).to.equal(
        'ImplicitlyDenied',
      );
    });

    it('grants only GetSecretValue and the two log writes', async () => {
      expect(actionsOf(execution)).to.deep.equal([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
      ]);
      expect(
        await decide(execution, {
          action: 'logs:PutLogEvents',
          resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/prod:log-stream:x',
        }),
      ).to.equal('Allowed');
    });
  });
});
