/**
 * config/terraform/modules/ecs-task-events and its two callers, evaluated with `terraform console`
 * (terraform-console.ts) and decided by iam-simulate:
 * - acl-controller: the refactor into the child module renders what events.tf rendered before
 *   (names, descriptions, patterns, queue policy, as config/events/ states them), and moved.tf
 *   carries each earlier address to a resource of the same type in the child;
 * - controller without enable_events: no events module, no flag, no SQS grant (as before events);
 * - controller with enable_events: its own queue and rule (never a name of acl-controller's), the
 *   rule matching only this cluster's task events, the queue admitting only that rule, the task
 *   role receiving and deleting on that queue only, and `-events-queue-url` accepted by the real CLI.
 * The child's arguments are read from each caller's module block (python-hcl2) with its `var.X`
 * references filled in, so a caller's argument change is what is evaluated.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { iamActionOf } from '../helpers/aws-actions.js';
import { CLI } from '../helpers/controller-cli.js';
import { readJson } from './deploy-configs.js';
import { decide, fillPlaceholders, type IamRequest, type PolicyDocument } from './iam-eval.js';
import { evaluate, REQUIRED_INPUTS, TASK_EVENTS_MODULE } from './terraform-console.js';
import { type HclFile, parseTerraformModule, resources, terraformModule } from './terraform-hcl.js';
import { REPO } from './tools.js';

const CLUSTER_ARN = REQUIRED_INPUTS.ecs_cluster_arn;
const [REGION, ACCOUNT] = CLUSTER_ARN.split(':').slice(3, 5) as [string, string];
const sqsArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const ruleArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;
/** acl-controller's names for name_prefix "prod", as its events.tf had them before the child module. */
const ACL = { queue: 'prod-ecs-task-events', serviceRule: 'prod-ecs-service-events' };
const CONTROLLER_QUEUE = 'prod-controller-task-events';

interface Documents {
  queue_arn: string;
  task_rule_arn: string;
  service_rule_arn: string | null;
  task_rule_description: string;
  service_rule_description: string;
  task_event_pattern: unknown;
  service_event_pattern: unknown;
  queue_policy: PolicyDocument & { Statement: Array<{ Principal?: unknown }> };
}
const DOCUMENTS = Object.keys({
  queue_arn: 0,
  task_rule_arn: 0,
  service_rule_arn: 0,
  task_rule_description: 0,
  service_rule_description: 0,
  task_event_pattern: 0,
  service_event_pattern: 0,
  queue_policy: 0,
} satisfies Record<keyof Documents, 0>) as Array<keyof Documents>;

type Block = Record<string, unknown>;

/** The `task_events` module block of a caller, its `${var.X}` references filled from `vars`. */
async function childArguments(
  context: Mocha.Context,
  caller: string,
  vars: Record<string, unknown>,
): Promise<Block> {
  const parsed: HclFile[] = await parseTerraformModule(context, terraformModule(caller));
  const blocks = parsed.flatMap((file) => (file as { module?: Array<Record<string, Block>> }).module ?? []);
  const block = blocks.map((entry) => entry.task_events).find((entry) => entry !== undefined);
  expect(block, `${caller}: module "task_events"`).to.not.equal(undefined);
  const { source, count, ...args } = block as Block;
  expect(source).to.equal('../modules/ecs-task-events');
  expect(count).to.equal('${var.enable_events ? 1 : 0}');
  const fill = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const whole = /^\$\{var\.(\w+)\}$/.exec(value);
    if (whole) return vars[whole[1] as string];
    return value.replace(/\$\{var\.(\w+)\}/g, (_, name: string) => String(vars[name]));
  };
  const filled = Object.fromEntries(Object.entries(args).map(([key, value]) => [key, fill(value)]));
  expect(JSON.stringify(filled), 'only literals and var references').to.not.contain('${');
  return filled;
}

/** The child's documents (documents.tf) for these arguments. */
async function documents(context: Mocha.Context, args: Block): Promise<Documents> {
  const values = await evaluate(
    context,
    args,
    DOCUMENTS.map((name) => `local.${name}`),
    TASK_EVENTS_MODULE,
  );
  return Object.fromEntries(DOCUMENTS.map((name, i) => [name, values[i]])) as unknown as Documents;
}

/** The queue policy's decision on EventBridge sending on behalf of the rule `source`. */
async function sendDecision(policy: PolicyDocument, queue: string, source: string): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
      request: {
        action: 'sqs:SendMessage',
        principal: 'events.amazonaws.com',
        resource: { accountId: ACCOUNT, resource: queue },
        contextVariables: { 'aws:SourceArn': source },
      },
    },
    {},
  );
  if (result.resultType !== 'single')
    throw new Error(`iam-simulate: ${JSON.stringify(result).slice(0, 300)}`);
  return result.result.analysis.result;
}

const filledJson = <T>(file: string, values: Record<string, string>): T =>
  JSON.parse(fillPlaceholders(readFileSync(join(REPO, file), 'utf8'), values)) as T;
const JSON_VALUES = { region: REGION, account: ACCOUNT, cluster: 'prod', name_prefix: 'prod' };

describe('Terraform module ecs-task-events and its callers (terraform console)', function () {
  this.timeout(60_000);

  describe('acl-controller, after the refactor into the child module', () => {
    let acl: Documents;
    before(async function () {
      const args = await childArguments(this, 'config/terraform/acl-controller', {
        ecs_cluster_arn: CLUSTER_ARN,
        name_prefix: 'prod',
        tags: {},
      });
      expect(args).to.deep.include({
        name: ACL.queue,
        service_events: true,
        service_rule_name: ACL.serviceRule,
      });
      acl = await documents(this, args);
    });

    it('keeps the names and descriptions of the queue and both rules', () => {
      expect([acl.queue_arn, acl.task_rule_arn, acl.service_rule_arn]).to.deep.equal([
        sqsArn(ACL.queue),
        ruleArn(ACL.queue),
        ruleArn(ACL.serviceRule),
      ]);
      expect(acl.task_rule_description).to.equal(
        'ECS Task State Change events of prod, for the ACL controller',
      );
      expect(acl.service_rule_description).to.equal(
        "ECS Deployment State Change events of prod's services, for the ACL controller",
      );
    });

    it('keeps the event patterns and queue policy, the same as config/events/', () => {
      const rule = filledJson<{ Name: string; EventPattern: string }>(
        'config/events/event-rule.json',
        JSON_VALUES,
      );
      const serviceRule = filledJson<{ Name: string; EventPattern: string }>(
        'config/events/service-event-rule.json',
        JSON_VALUES,
      );
      expect([rule.Name, serviceRule.Name]).to.deep.equal([ACL.queue, ACL.serviceRule]);
      expect(acl.task_event_pattern).to.deep.equal(JSON.parse(rule.EventPattern));
      expect(acl.service_event_pattern).to.deep.equal(JSON.parse(serviceRule.EventPattern));
      expect(acl.queue_policy).to.deep.equal(filledJson('config/events/queue-policy.json', JSON_VALUES));
    });

    it('keeps the queue attributes of config/events/queue.json', async function () {
      const child = resources(await parseTerraformModule(this, terraformModule(TASK_EVENTS_MODULE)));
      const queue = child['aws_sqs_queue.this'] as Block;
      const json = readJson<{ Attributes: Record<string, string> }>('config/events/queue.json').Attributes;
      expect([
        queue.message_retention_seconds,
        queue.visibility_timeout_seconds,
        queue.receive_wait_time_seconds,
        queue.sqs_managed_sse_enabled,
      ]).to.deep.equal([
        Number(json.MessageRetentionPeriod),
        Number(json.VisibilityTimeout),
        Number(json.ReceiveMessageWaitTimeSeconds),
        json.SqsManagedSseEnabled === 'true',
      ]);
    });

    it('moves each earlier events.tf address to a resource of the same type in the child', async function () {
      const parsed = await parseTerraformModule(this, terraformModule('config/terraform/acl-controller'));
      const child = resources(await parseTerraformModule(this, terraformModule(TASK_EVENTS_MODULE)));
      const strip = (ref: string) => ref.replace(/^\$\{(.*)\}$/, '$1');
      const moved = new Map(parsed.flatMap((f) => f.moved ?? []).map((b) => [strip(b.from), strip(b.to)]));
      const earlier = [
        'aws_sqs_queue.task_events',
        'aws_cloudwatch_event_rule.task_events',
        'aws_cloudwatch_event_target.task_events',
        'aws_cloudwatch_event_rule.service_events',
        'aws_cloudwatch_event_target.service_events',
        'aws_sqs_queue_policy.task_events',
      ];
      const targets = earlier.map((address) => {
        const to = moved.get(`${address}[0]`);
        expect(to, `${address}[0] is not moved`).to.be.a('string');
        const match = /^module\.task_events\[0\]\.(\w+)\.(\w+)(\[0\])?$/.exec(to as string);
        expect(match, to).to.not.equal(null);
        const [, type, name, index] = match as RegExpExecArray;
        expect(type, address).to.equal(address.split('.')[0]);
        const body = child[`${type}.${name}`];
        expect(body, `${to} is not declared`).to.not.equal(undefined);
        // An instance key exactly when the child's resource has a count.
        expect(index !== undefined, `${to}: index`).to.equal('count' in (body as Block));
        return to as string;
      });
      expect(new Set(targets).size).to.equal(earlier.length);
      expect(Object.keys(child).sort()).to.deep.equal(
        targets.map((to) => to.replace(/^module\.task_events\[0\]\.|\[0\]$/g, '')).sort(),
      );
    });

    it('still passes the queue URL to the command and its ARN to the IAM policy, both from the child', () => {
      const code = terraformModule('config/terraform/acl-controller').code;
      expect(code).to.contain('["-events-queue-url", module.task_events[0].queue_url]');
      expect(code).to.contain(
        'events_queue_arn   = var.enable_events ? module.task_events[0].queue_arn : ""',
      );
      expect(code).to.not.match(/resource\s+"aws_(sqs|cloudwatch_event)_/);
    });
  });

  describe('controller without enable_events', () => {
    it('has no events module, no -events-queue-url, no SQS grant: as before events', async function () {
      const [modules, container, policy, unset] = (await evaluate(
        this,
        { ...REQUIRED_INPUTS, enable_events: false },
        ['module.task_events', 'local.container', 'local.task_policy'],
      ).then(async (values) => [...values, await evaluate(this, REQUIRED_INPUTS, ['local.container'])])) as [
        unknown[],
        { command: string[] },
        PolicyDocument,
        [unknown],
      ];
      expect(modules).to.deep.equal([]);
      // The exact default command is terraform-controller-config.spec.ts's; false is the default.
      expect(unset[0]).to.deep.equal(container);
      expect(container.command).to.include.ordered.members([
        'controller',
        '-gc-grace-period',
        '2m',
        '-resync-interval',
        '30s',
      ]);
      expect(container.command).to.not.include('-events-queue-url');
      expect(policy).to.deep.equal(
        filledJson('config/iam/iam-auth-controller-policy.json', {
          region: REGION,
          account: ACCOUNT,
          cluster: 'prod',
        }),
      );
    });
  });

  describe('controller with enable_events', () => {
    let container: { command: string[]; environment: Array<{ name: string; value: string }> };
    let policy: PolicyDocument;
    let queueArn: string;
    let queueUrl: string;
    let events: Documents;

    before(async function () {
      [container, policy, queueArn, queueUrl] = (await evaluate(
        this,
        { ...REQUIRED_INPUTS, enable_events: true },
        [
          'local.container',
          'local.task_policy',
          'module.task_events[0].queue_arn',
          'module.task_events[0].queue_url',
        ],
      )) as [typeof container, PolicyDocument, string, string];
      const args = await childArguments(this, 'config/terraform/controller', {
        ecs_cluster_arn: CLUSTER_ARN,
        name_prefix: 'prod',
        tags: {},
      });
      expect(args).to.not.have.property('service_events');
      events = await documents(this, args);
    });

    it('has a queue and rule of its own, never named as acl-controller names its ones', () => {
      expect(queueArn).to.equal(sqsArn(CONTROLLER_QUEUE));
      expect(events.task_rule_arn).to.equal(ruleArn(CONTROLLER_QUEUE));
      // acl-controller's names end in these suffixes for any prefix; ours ends in neither.
      for (const suffix of ['-ecs-task-events', '-ecs-service-events'])
        expect(CONTROLLER_QUEUE.endsWith(suffix)).to.equal(false);
    });

    it('passes -events-queue-url with its queue, leaving -resync-interval to the command (10m) unless set', async function () {
      expect(container.command.slice(-2)).to.deep.equal(['-events-queue-url', queueUrl]);
      expect(queueUrl).to.match(new RegExp(`/${ACCOUNT}/${CONTROLLER_QUEUE}$`));
      const [without] = (await evaluate(this, REQUIRED_INPUTS, ['local.container.command'])) as [string[]];
      // The rest of the command is the one without events, but for the resync pair.
      expect(container.command.slice(0, -2)).to.deep.equal(
        without.filter((arg, i) => arg !== '-resync-interval' && without[i - 1] !== '-resync-interval'),
      );
      const [set] = (await evaluate(
        this,
        { ...REQUIRED_INPUTS, enable_events: true, resync_interval: '15m' },
        ['local.container.command'],
      )) as [string[]];
      expect(set).to.include.ordered.members([
        'controller',
        '-gc-grace-period',
        '2m',
        '-resync-interval',
        '15m',
      ]);
    });

    it('the command passes the real CLI flag parser', () => {
      const result = spawnSync(process.execPath, [CLI, ...container.command], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_REGION: REGION },
        timeout: 15_000,
      });
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.contain('CONSUL_ECS_CONFIG_JSON is not set');
    });

    it("has a rule matching only this cluster's ECS Task State Change events, and no service rule", () => {
      expect(events.task_event_pattern).to.deep.equal({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: { clusterArn: [CLUSTER_ARN] },
      });
      expect(events.service_rule_arn).to.equal(null);
    });

    it('has a queue policy admitting only its own rule', async () => {
      const statements = events.queue_policy.Statement;
      expect(statements).to.have.length(1);
      expect(statements[0]?.Principal).to.deep.equal({ Service: 'events.amazonaws.com' });
      expect(await sendDecision(events.queue_policy, queueArn, events.task_rule_arn)).to.equal('Allowed');
      for (const other of [ruleArn(ACL.queue), ruleArn(ACL.serviceRule), ruleArn('prod-anything')])
        expect(await sendDecision(events.queue_policy, queueArn, other), other).to.equal('ImplicitlyDenied');
    });

    it('lets the task role receive and delete on its own queue only, nothing else new', async () => {
      const receive = (queue: string): IamRequest => ({ action: 'sqs:ReceiveMessage', resource: queue });
      const remove = (queue: string): IamRequest => ({ action: 'sqs:DeleteMessage', resource: queue });
      expect(await decide(policy, receive(queueArn))).to.equal('Allowed');
      expect(await decide(policy, remove(queueArn))).to.equal('Allowed');
      for (const request of [
        receive(sqsArn(ACL.queue)),
        remove(sqsArn(ACL.queue)),
        { action: 'sqs:SendMessage', resource: queueArn },
        { action: 'sqs:PurgeQueue', resource: queueArn },
        { action: 'sqs:ChangeMessageVisibility', resource: queueArn },
      ])
        expect(await decide(policy, request), `${request.action} ${request.resource}`).to.equal(
          'ImplicitlyDenied',
        );
      const actions = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect([...new Set(actions)].sort()).to.deep.equal(
        [
          'ecs:DescribeTasks',
          'ecs:ListTasks',
          'sqs:ReceiveMessage',
          iamActionOf('sqs:DeleteMessageBatch'),
        ].sort(),
      );
    });

    it('grants config/iam/iam-auth-controller-events-policy.json filled with its queue, after the base policy', () => {
      const base = filledJson<PolicyDocument>('config/iam/iam-auth-controller-policy.json', {
        region: REGION,
        account: ACCOUNT,
        cluster: 'prod',
      });
      const extra = filledJson<PolicyDocument>('config/iam/iam-auth-controller-events-policy.json', {
        events_queue_arn: queueArn,
      });
      expect(policy.Statement).to.deep.equal([...base.Statement, ...extra.Statement]);
    });
  });
});
