/**
 * config/iam/controller-policy.json: its shape (placeholders, Sids, no wildcards beyond the ECS
 * actions that have no resource-level permissions), its decisions on hand-made requests, and,
 * end to end, that every AWS call a real controller makes against the envtest servers is
 * allowed, with CreateSecret allowed only through the optional, tag-conditioned statement.
 *
 * Exactness: the policy grants exactly the actions the controller uses, no more and no fewer,
 * except the statements reserved for a later feature. Those are named here (LATER_FEATURE, Sids
 * starting "LaterFeature") and must stay unused: when the feature starts calling one, this test
 * fails, and the statement loses its "LaterFeature" Sid prefix to become an ordinary,
 * exactness-checked one. "Uses" is checked two ways: the calls the end-to-end scenario below
 * makes (by the controller's access key, from the envtest call logs), and the AWS SDK commands
 * the controller's source imports (so a code path the scenario misses still counts). The root
 * hook in test/setup.ts checks the other direction over every end-to-end suite of the run.
 */
import { CreateServiceCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { CREATED_BY_TAG } from '../../controllers/domain/acl-config.js';
import { AclWorld, eventually } from '../acl/world.js';
import {
  CONTROLLER_ACCESS_KEY_ID,
  iamActionOf,
  IMPLIED_ACTIONS,
  policyActions,
  policyActionsBySid,
} from '../helpers/aws-actions.js';
import {
  fillPlaceholders,
  type IamRequest,
  isAllowed,
  placeholders,
  type PolicyDocument,
} from './iam-eval.js';
import { REPO } from './tools.js';

const TEMPLATE = readFileSync(join(REPO, 'config/iam/controller-policy.json'), 'utf8');
const OPTIONAL_SID = 'OptionalCreateSecretsOnlyWithCreateSecretsFlag';
const [TAG_KEY, TAG_VALUE] = Object.entries(CREATED_BY_TAG)[0] as [string, string];

function policyFor(values: Record<string, string>, withOptional = true): PolicyDocument {
  const policy = JSON.parse(fillPlaceholders(TEMPLATE, values)) as PolicyDocument;
  return withOptional
    ? policy
    : { ...policy, Statement: policy.Statement.filter((s) => s.Sid !== OPTIONAL_SID) };
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** Granted now for a later feature; must be unused until then (see the header). None today. */
const LATER_FEATURE: Readonly<Record<string, string>> = {};

const SDK_SERVICES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sqs': 'sqs',
};

/** `<service>:<Operation>` for every `…Command` the controller's source imports from an AWS SDK. */
function actionsInSource(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (path !== join(REPO, 'envtest')) walk(path);
      } else if (name.endsWith('.ts')) files.push(path);
    }
  };
  walk(join(REPO, 'src'));
  walk(join(REPO, 'controllers'));
  const actions = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const [, names, from] of text.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z-]+)'/g,
    )) {
      const service = SDK_SERVICES[from as string];
      if (service === undefined) throw new Error(`${file}: unknown AWS SDK package ${from}`);
      for (const raw of (names as string).split(',')) {
        const name = raw
          .replace(/^\s*type\s+/, '')
          .trim()
          .split(/\s+as\s+/)[0] as string;
        if (!/^[A-Z]\w*Command$/.test(name)) continue;
        const action = iamActionOf(`${service}:${name.slice(0, -'Command'.length)}`);
        actions.add(action);
        for (const implied of IMPLIED_ACTIONS[action] ?? []) actions.add(implied);
      }
    }
  }
  return [...actions].sort();
}

describe('IAM policy of the controller', () => {
  const values = {
    region: 'eu-west-1',
    account: '111122223333',
    cluster: 'prod',
    secret_name_prefix: 'mesh',
    client_secret_arn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:mesh-consul-client-token-AbCdEf',
    events_queue_arn: 'arn:aws:sqs:eu-west-1:111122223333:mesh-ecs-task-events',
  };
  const clusterArn = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
  const policy = policyFor(values);

  describe('shape', () => {
    it('uses exactly the documented placeholders', () => {
      expect(placeholders(TEMPLATE)).to.deep.equal(Object.keys(values).sort());
    });

    it('has only Allow statements with unique Sids and no action wildcards', () => {
      const sids = policy.Statement.map((statement) => statement.Sid);
      expect(new Set(sids).size).to.equal(policy.Statement.length);
      for (const statement of policy.Statement) {
        expect(statement.Effect).to.equal('Allow');
        for (const action of list(statement.Action))
          expect(action).to.match(/^(ecs|secretsmanager|sqs):[A-Z][A-Za-z]+$/);
      }
    });

    it('uses Resource "*" only where ECS has no resource-level permissions, and scopes the list calls by cluster', () => {
      for (const statement of policy.Statement.filter((s) => list(s.Resource).includes('*'))) {
        const actions = list(statement.Action);
        expect(['ecs:ListTasks', 'ecs:ListServices', 'ecs:DescribeTaskDefinition']).to.include.members(
          actions,
        );
        if (!actions.includes('ecs:DescribeTaskDefinition')) {
          expect(statement.Condition?.ArnEquals?.['ecs:cluster']).to.equal(clusterArn);
        }
      }
    });

    it('grants no delete (but of consumed event messages), and CreateSecret/TagResource only in the optional, tag-conditioned statement', () => {
      const actions = policy.Statement.flatMap((statement) => list(statement.Action));
      expect(actions.filter((action) => /Delete/.test(action))).to.deep.equal(['sqs:DeleteMessage']);
      const creating = policy.Statement.filter((s) =>
        list(s.Action).some((a) => /CreateSecret|TagResource/.test(a)),
      );
      expect(creating.map((statement) => statement.Sid)).to.deep.equal([OPTIONAL_SID]);
      expect(creating[0]?.Condition?.StringEquals?.[`aws:RequestTag/${TAG_KEY}`]).to.equal(TAG_VALUE);
    });
  });

  describe('exactly the actions the controller uses', () => {
    it('names the later-feature statements explicitly, and they hold only those actions', () => {
      const bySid = policyActionsBySid();
      const later = [...bySid.keys()].filter((sid) => sid.startsWith('LaterFeature'));
      expect(later.sort()).to.deep.equal(Object.keys(LATER_FEATURE).sort());
      for (const [sid, action] of Object.entries(LATER_FEATURE))
        expect(bySid.get(sid)).to.deep.equal([action]);
    });

    it('the AWS SDK commands in the source need exactly the policy, less the later-feature actions', () => {
      const later = new Set(Object.values(LATER_FEATURE));
      const used = actionsInSource();
      expect(
        used.filter((action) => later.has(action)),
        'a later feature is in use: rename its Sid',
      ).to.deep.equal([]);
      expect(used).to.deep.equal(policyActions().filter((action) => !later.has(action)));
    });
  });

  describe('decisions', () => {
    const secret = (name: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-XyZ123`;
    const cases: Array<[string, IamRequest, boolean]> = [
      [
        'ListTasks in our cluster',
        { action: 'ecs:ListTasks', resource: '*', context: { 'ecs:cluster': clusterArn } },
        true,
      ],
      [
        'ListTasks in another cluster',
        {
          action: 'ecs:ListTasks',
          resource: '*',
          context: { 'ecs:cluster': clusterArn.replace('prod', 'dev') },
        },
        false,
      ],
      [
        'DescribeTasks of our cluster',
        {
          action: 'ecs:DescribeTasks',
          resource: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0123',
          context: { 'ecs:cluster': clusterArn },
        },
        true,
      ],
      [
        'DescribeTasks of another cluster',
        {
          action: 'ecs:DescribeTasks',
          resource: 'arn:aws:ecs:eu-west-1:111122223333:task/dev/0123',
          context: { 'ecs:cluster': clusterArn.replace('prod', 'dev') },
        },
        false,
      ],
      [
        'GetSecretValue of a prefixed secret',
        { action: 'secretsmanager:GetSecretValue', resource: secret('mesh-web') },
        true,
      ],
      [
        'UpdateSecret of another prefix',
        { action: 'secretsmanager:UpdateSecret', resource: secret('other-web') },
        false,
      ],
      [
        'GetSecretValue in another region',
        {
          action: 'secretsmanager:GetSecretValue',
          resource: secret('mesh-web').replace('eu-west-1', 'us-east-1'),
        },
        false,
      ],
      ['DeleteSecret', { action: 'secretsmanager:DeleteSecret', resource: secret('mesh-web') }, false],
      [
        'CreateSecret with our tag',
        {
          action: 'secretsmanager:CreateSecret',
          resource: secret('mesh-api'),
          context: { [`aws:RequestTag/${TAG_KEY}`]: TAG_VALUE, 'aws:TagKeys': [TAG_KEY] },
        },
        true,
      ],
      [
        'CreateSecret without a tag',
        { action: 'secretsmanager:CreateSecret', resource: secret('mesh-api') },
        false,
      ],
      [
        'CreateSecret with an extra tag key',
        {
          action: 'secretsmanager:CreateSecret',
          resource: secret('mesh-api'),
          context: { [`aws:RequestTag/${TAG_KEY}`]: TAG_VALUE, 'aws:TagKeys': [TAG_KEY, 'owner'] },
        },
        false,
      ],
    ];
    for (const [what, request, allowed] of cases) {
      it(`${allowed ? 'allows' : 'denies'} ${what}`, async () => {
        expect(await isAllowed(policy, request)).to.equal(allowed);
      });
    }
  });

  describe('against a running controller (with -create-secrets)', function () {
    this.timeout(30_000);
    let world: AclWorld;
    after(async () => {
      await world?.close();
    });

    it('is enough for every AWS call the controller makes, and CreateSecret needs the optional statement', async () => {
      world = await AclWorld.start();
      await world.createServiceSecret('web');
      await world.runTasks('web');
      await world.runTasks('api');
      // A mesh ECS service with no task yet: pre-provisioning describes services and task definitions.
      await world.createServiceSecret('db');
      await world.registerTaskDefinition('db');
      await world.ecs.send(
        new CreateServiceCommand({
          cluster: world.cluster,
          serviceName: 'db',
          taskDefinition: 'db',
          desiredCount: 0,
        }),
      );
      const ecsBefore = world.ecsServer.calls.all().length;
      const smBefore = world.smServer.calls.all().length;
      await world.startController({ createSecrets: true });
      await eventually('tokens for web, api and db', async () =>
        (await world.serviceTokens()).length === 3 ? true : undefined,
      );

      const [, , , region, account] = world.clientSecretArn.split(':') as string[];
      const live = { region: region as string, account: account as string, cluster: world.cluster };
      const livePolicy = policyFor({
        ...live,
        secret_name_prefix: world.prefix,
        client_secret_arn: world.clientSecretArn,
        events_queue_arn: `arn:aws:sqs:${live.region}:${live.account}:${world.prefix}-ecs-task-events`,
      });
      const liveClusterArn = `arn:aws:ecs:${live.region}:${live.account}:cluster/${live.cluster}`;
      const requests: IamRequest[] = [
        ...world.ecsServer.calls
          .all()
          .slice(ecsBefore)
          .map((call): IamRequest => ({
            action: `ecs:${call.operation}`,
            // As IAM authorizes them (envtest/ecs/iam.ts): ListTasks, ListServices and
            // DescribeTaskDefinition have no resource-level permissions.
            resource:
              call.operation === 'DescribeTasks'
                ? `arn:aws:ecs:${live.region}:${live.account}:task/${live.cluster}/0123`
                : call.operation === 'DescribeServices'
                  ? `arn:aws:ecs:${live.region}:${live.account}:service/${live.cluster}/db`
                  : '*',
            context: {
              'ecs:cluster': call.resource?.startsWith('arn:')
                ? call.resource
                : `${liveClusterArn.slice(0, -live.cluster.length)}${call.resource}`,
            },
          })),
        ...world.smServer.calls
          .all()
          .slice(smBefore)
          .map((call): IamRequest => ({
            action: `secretsmanager:${call.operation}`,
            resource: call.resource?.startsWith('arn:')
              ? call.resource
              : `arn:aws:secretsmanager:${live.region}:${live.account}:secret:${call.resource}-AbC123`,
            context:
              call.operation === 'CreateSecret'
                ? { [`aws:RequestTag/${TAG_KEY}`]: TAG_VALUE, 'aws:TagKeys': [TAG_KEY] }
                : {},
          })),
      ];
      const operations = new Set(requests.map((request) => request.action));
      expect([...operations]).to.include.members([
        'ecs:ListTasks',
        'ecs:DescribeTasks',
        'ecs:ListServices',
        'secretsmanager:GetSecretValue',
        'secretsmanager:UpdateSecret',
        'secretsmanager:CreateSecret',
      ]);
      const denied: IamRequest[] = [];
      for (const request of requests) if (!(await isAllowed(livePolicy, request))) denied.push(request);
      expect(denied).to.deep.equal([]);
      const withoutOptional = policyFor(
        {
          ...live,
          secret_name_prefix: world.prefix,
          client_secret_arn: world.clientSecretArn,
          events_queue_arn: `arn:aws:sqs:${live.region}:${live.account}:${world.prefix}-ecs-task-events`,
        },
        false,
      );
      const creates = requests.filter((request) => request.action === 'secretsmanager:CreateSecret');
      expect(creates).to.not.deep.equal([]);
      for (const create of creates) expect(await isAllowed(withoutOptional, create)).to.equal(false);
      // Exactly: the controller's own calls (its access key), with implied actions, are the policy
      // less the later-feature statements, no more and no fewer.
      const made = new Set<string>();
      for (const [service, server] of [
        ['ecs', world.ecsServer],
        ['secretsmanager', world.smServer],
      ] as const) {
        for (const call of server.calls.all()) {
          if (call.principal !== CONTROLLER_ACCESS_KEY_ID) continue;
          made.add(`${service}:${call.operation}`);
          for (const implied of IMPLIED_ACTIONS[`${service}:${call.operation}`] ?? []) made.add(implied);
        }
      }
      // The SQS actions are used only with -events-queue-url, which this scenario does not run;
      // the source check above covers them.
      const notExercised = new Set([
        ...Object.values(LATER_FEATURE),
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
      ]);
      expect([...made].sort()).to.deep.equal(policyActions().filter((action) => !notExercised.has(action)));
    });
  });
});
