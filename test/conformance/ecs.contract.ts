// ECS contract: the control-plane behaviour of AWS ECS our controllers rely on, as cases that
// run unchanged against every ECS backend (AWS emulators and our envtest server).
// Invariants:
// - AWS-valid requests only: FARGATE tasks use awsvpc with a subnet the backend accepts;
// - every case creates its own cluster/family, so cases are order-independent;
// - expectations are AWS's documented behaviour; backend gaps live in departures.ts;
// - long-format ARNs: task/<cluster>/<id>, service/<cluster>/<name>.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type ListTasksCommandInput,
  type NetworkConfiguration,
  type Tag,
  type Task,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import type { BackendInstance, EcsNetwork } from './harness/backend.js';
import { uniqueName, type Contract, type ContractCase } from './harness/contract.js';
import { expectAwsError } from './harness/expect-error.js';

const ARN_PREFIX = /^arn:aws:ecs:us-east-1:\d{12}:/;

export interface EcsContext {
  ecs: ECSClient;
  network: EcsNetwork;
}

function makeContext(instance: BackendInstance): EcsContext {
  return {
    ecs: new ECSClient({
      region: 'us-east-1',
      endpoint: instance.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
    network: instance.ecsNetwork ?? {
      mode: 'awsvpc',
      subnets: ['subnet-0123456789abcdef0'],
      securityGroups: ['sg-0123456789abcdef0'],
    },
  };
}

/** A fresh cluster and a FARGATE/awsvpc task definition family in it. */
async function fixture(ctx: EcsContext, tags: Tag[] = []): Promise<{ cluster: string; family: string }> {
  const cluster = uniqueName('cluster');
  const family = uniqueName('family');
  await ctx.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await registerFamily(ctx, family, tags);
  return { cluster, family };
}

export async function registerFamily(ctx: EcsContext, family: string, tags: Tag[] = []): Promise<string> {
  const out = await ctx.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: ctx.network.mode,
      // moto forces awsvpc onto FARGATE-compatible definitions; see EcsNetwork 'bridge'.
      ...(ctx.network.mode === 'awsvpc' ? { requiresCompatibilities: ['FARGATE' as const] } : {}),
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'public.ecr.aws/docker/library/busybox:latest', essential: true, memory: 512 },
      ],
      ...(tags.length > 0 ? { tags } : {}),
    }),
  );
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (arn === undefined) throw new Error('RegisterTaskDefinition returned no ARN');
  return arn;
}

export interface RunOptions {
  count?: number;
  startedBy?: string;
  group?: string;
  tags?: Tag[];
}

export async function runTasks(
  ctx: EcsContext,
  cluster: string,
  family: string,
  options: RunOptions = {},
): Promise<Task[]> {
  const out = await ctx.ecs.send(
    new RunTaskCommand({
      cluster,
      taskDefinition: family,
      launchType: 'FARGATE',
      count: options.count ?? 1,
      ...networkConfiguration(ctx),
      ...(options.startedBy !== undefined ? { startedBy: options.startedBy } : {}),
      ...(options.group !== undefined ? { group: options.group } : {}),
      ...(options.tags !== undefined ? { tags: options.tags } : {}),
    }),
  );
  expect(out.failures ?? []).to.deep.equal([]);
  return out.tasks ?? [];
}

function networkConfiguration(ctx: EcsContext): { networkConfiguration?: NetworkConfiguration } {
  if (ctx.network.mode !== 'awsvpc') return {};
  const { subnets, securityGroups } = ctx.network;
  return {
    networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups, assignPublicIp: 'DISABLED' } },
  };
}

function arnsOf(tasks: Task[]): string[] {
  return tasks.map((t) => t.taskArn ?? '').sort();
}

async function listAll(ctx: EcsContext, input: ListTasksCommandInput): Promise<string[]> {
  return ((await ctx.ecs.send(new ListTasksCommand(input))).taskArns ?? []).sort();
}

function tagMap(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
}

const cases: ContractCase<EcsContext>[] = [
  {
    name: 'CreateCluster returns an ACTIVE cluster that ListClusters includes',
    async run(ctx) {
      const name = uniqueName('cluster');
      const created = await ctx.ecs.send(new CreateClusterCommand({ clusterName: name }));
      expect(created.cluster?.status).to.equal('ACTIVE');
      expect(created.cluster?.clusterName).to.equal(name);
      expect(created.cluster?.clusterArn)
        .to.match(ARN_PREFIX)
        .and.match(new RegExp(`:cluster/${name}$`));
      const listed = await ctx.ecs.send(new ListClustersCommand({}));
      expect(listed.clusterArns).to.include(created.cluster?.clusterArn);
    },
  },
  {
    name: 'RegisterTaskDefinition increments revisions and DescribeTaskDefinition returns tags with include TAGS',
    async run(ctx) {
      const family = uniqueName('family');
      const first = await registerFamily(ctx, family, [{ key: 'team', value: 'mesh' }]);
      const second = await registerFamily(ctx, family, [{ key: 'team', value: 'mesh' }]);
      expect(first)
        .to.match(ARN_PREFIX)
        .and.match(new RegExp(`:task-definition/${family}:1$`));
      expect(second).to.match(new RegExp(`:task-definition/${family}:2$`));
      const described = await ctx.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: first, include: ['TAGS'] }),
      );
      expect(described.taskDefinition?.revision).to.equal(1);
      expect(described.taskDefinition?.family).to.equal(family);
      expect(tagMap(described.tags)).to.deep.equal({ team: 'mesh' });
    },
  },
  {
    name: 'CreateService, DescribeServices, ListServices and UpdateService desiredCount',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const serviceName = uniqueName('svc');
      const created = await ctx.ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName,
          taskDefinition: family,
          desiredCount: 0,
          launchType: 'FARGATE',
          ...networkConfiguration(ctx),
        }),
      );
      const serviceArn = created.service?.serviceArn ?? '';
      expect(serviceArn)
        .to.match(ARN_PREFIX)
        .and.match(new RegExp(`:service/${cluster}/${serviceName}$`));
      expect(created.service?.status).to.equal('ACTIVE');
      const listed = await ctx.ecs.send(new ListServicesCommand({ cluster }));
      expect(listed.serviceArns).to.deep.equal([serviceArn]);
      const updated = await ctx.ecs.send(
        new UpdateServiceCommand({ cluster, service: serviceName, desiredCount: 2 }),
      );
      expect(updated.service?.desiredCount).to.equal(2);
      const described = await ctx.ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }));
      expect(described.services?.map((s) => [s.serviceName, s.desiredCount])).to.deep.equal([
        [serviceName, 2],
      ]);
      expect(described.failures ?? []).to.deep.equal([]);
    },
  },
  {
    name: 'RunTask with tags, startedBy and group returns long-format task ARNs',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const tasks = await runTasks(ctx, cluster, family, {
        count: 2,
        startedBy: 'conformance',
        group: 'family:grp',
        tags: [{ key: 'owner', value: 'me' }],
      });
      expect(tasks).to.have.length(2);
      for (const task of tasks) {
        expect(task.taskArn)
          .to.match(ARN_PREFIX)
          .and.match(new RegExp(`:task/${cluster}/[0-9a-f-]{32,36}$`));
        expect(task.clusterArn).to.match(new RegExp(`:cluster/${cluster}$`));
        expect(task.taskDefinitionArn).to.match(new RegExp(`:task-definition/${family}:1$`));
        expect(task.startedBy).to.equal('conformance');
        expect(task.group).to.equal('family:grp');
        expect(task.desiredStatus).to.equal('RUNNING');
        expect(task.launchType).to.equal('FARGATE');
      }
      expect(new Set(arnsOf(tasks)).size).to.equal(2);
    },
  },
  {
    name: 'ListTasks filters by cluster, family and startedBy',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const otherFamily = uniqueName('family');
      await registerFamily(ctx, otherFamily);
      const a = await runTasks(ctx, cluster, family, { startedBy: 'alpha' });
      const b = await runTasks(ctx, cluster, otherFamily, { startedBy: 'beta' });
      const { cluster: otherCluster, family: f3 } = await fixture(ctx);
      const c = await runTasks(ctx, otherCluster, f3, { startedBy: 'alpha' });
      const running = { desiredStatus: 'RUNNING' as const };
      expect(await listAll(ctx, { cluster, ...running })).to.deep.equal(arnsOf([...a, ...b]));
      expect(await listAll(ctx, { cluster, family, ...running })).to.deep.equal(arnsOf(a));
      expect(await listAll(ctx, { cluster, startedBy: 'beta', ...running })).to.deep.equal(arnsOf(b));
      expect(await listAll(ctx, { cluster: otherCluster, ...running })).to.deep.equal(arnsOf(c));
    },
  },
  {
    name: 'ListTasks on a cluster excludes tasks of a cluster whose name contains it',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const longer = `${cluster}-2`;
      await ctx.ecs.send(new CreateClusterCommand({ clusterName: longer }));
      const mine = await runTasks(ctx, cluster, family);
      const theirs = await runTasks(ctx, longer, family);
      const running = { desiredStatus: 'RUNNING' as const };
      expect(await listAll(ctx, { cluster, ...running })).to.deep.equal(arnsOf(mine));
      expect(await listAll(ctx, { cluster: longer, ...running })).to.deep.equal(arnsOf(theirs));
    },
  },
  {
    name: 'ListTasks serviceName excludes tasks not started by that service',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const serviceName = uniqueName('svc');
      await ctx.ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName,
          taskDefinition: family,
          desiredCount: 0,
          launchType: 'FARGATE',
          ...networkConfiguration(ctx),
        }),
      );
      const standalone = await runTasks(ctx, cluster, family);
      expect(await listAll(ctx, { cluster, desiredStatus: 'RUNNING' })).to.deep.equal(arnsOf(standalone));
      expect(await listAll(ctx, { cluster, serviceName, desiredStatus: 'RUNNING' })).to.deep.equal([]);
    },
  },
  {
    name: 'ListTasks without desiredStatus returns only RUNNING tasks',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const [keep, stop] = await runTasks(ctx, cluster, family, { count: 2 });
      await ctx.ecs.send(new StopTaskCommand({ cluster, task: stop?.taskArn, reason: 'conformance' }));
      expect(await listAll(ctx, { cluster })).to.deep.equal([keep?.taskArn]);
      expect(await listAll(ctx, { cluster, desiredStatus: 'STOPPED' })).to.deep.equal([stop?.taskArn]);
    },
  },
  {
    name: 'ListTasks paginates with maxResults and nextToken',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const tasks = await runTasks(ctx, cluster, family, { count: 5 });
      const pages: string[][] = [];
      let nextToken: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await ctx.ecs.send(
          new ListTasksCommand({
            cluster,
            desiredStatus: 'RUNNING',
            maxResults: 2,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        pages.push(page.taskArns ?? []);
        nextToken = page.nextToken;
        if (nextToken === undefined) break;
      }
      expect(pages.map((p) => p.length)).to.deep.equal([2, 2, 1]);
      expect(pages.flat().sort()).to.deep.equal(arnsOf(tasks));
    },
  },
  {
    name: 'DescribeTasks returns tags only with include TAGS',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const [task] = await runTasks(ctx, cluster, family, { tags: [{ key: 'k1', value: 'v1' }] });
      const arn = task?.taskArn ?? '';
      const withTags = await ctx.ecs.send(
        new DescribeTasksCommand({ cluster, tasks: [arn], include: ['TAGS'] }),
      );
      expect(withTags.tasks?.map((t) => t.taskArn)).to.deep.equal([arn]);
      expect(tagMap(withTags.tasks?.[0]?.tags)).to.deep.equal({ k1: 'v1' });
      const without = await ctx.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }));
      expect(without.tasks?.[0]?.tags ?? []).to.deep.equal([]);
      expect(without.tasks?.[0]?.lastStatus).to.be.oneOf([
        'PROVISIONING',
        'PENDING',
        'ACTIVATING',
        'RUNNING',
      ]);
    },
  },
  {
    name: 'DescribeTasks reports an unknown task ARN in failures with reason MISSING',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const [task] = await runTasks(ctx, cluster, family);
      const account = /^arn:aws:ecs:us-east-1:(\d{12}):/.exec(task?.taskArn ?? '')?.[1] ?? '123456789012';
      const missing = `arn:aws:ecs:us-east-1:${account}:task/${cluster}/0123456789abcdef0123456789abcdef`;
      const out = await ctx.ecs.send(
        new DescribeTasksCommand({ cluster, tasks: [task?.taskArn ?? '', missing] }),
      );
      expect(out.tasks?.map((t) => t.taskArn)).to.deep.equal([task?.taskArn]);
      expect(out.failures?.map((f) => [f.arn, f.reason])).to.deep.equal([[missing, 'MISSING']]);
    },
  },
  {
    name: 'StopTask sets desiredStatus STOPPED and records the reason',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const [task] = await runTasks(ctx, cluster, family);
      const stopped = await ctx.ecs.send(
        new StopTaskCommand({ cluster, task: task?.taskArn, reason: 'because' }),
      );
      expect(stopped.task?.taskArn).to.equal(task?.taskArn);
      expect(stopped.task?.desiredStatus).to.equal('STOPPED');
      const described = await ctx.ecs.send(
        new DescribeTasksCommand({ cluster, tasks: [task?.taskArn ?? ''] }),
      );
      expect(described.tasks?.[0]?.desiredStatus).to.equal('STOPPED');
      expect(described.tasks?.[0]?.stoppedReason).to.equal('because');
    },
  },
  {
    name: 'TagResource, UntagResource and ListTagsForResource on a task',
    async run(ctx) {
      const { cluster, family } = await fixture(ctx);
      const [task] = await runTasks(ctx, cluster, family, { tags: [{ key: 'a', value: '1' }] });
      const resourceArn = task?.taskArn ?? '';
      await ctx.ecs.send(
        new TagResourceCommand({
          resourceArn,
          tags: [
            { key: 'b', value: '2' },
            { key: 'a', value: '3' },
          ],
        }),
      );
      const tagged = await ctx.ecs.send(new ListTagsForResourceCommand({ resourceArn }));
      expect(tagMap(tagged.tags)).to.deep.equal({ a: '3', b: '2' });
      await ctx.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a'] }));
      const untagged = await ctx.ecs.send(new ListTagsForResourceCommand({ resourceArn }));
      expect(tagMap(untagged.tags)).to.deep.equal({ b: '2' });
    },
  },
  {
    name: 'ListTasks on a missing cluster gives ClusterNotFoundException',
    async run(ctx) {
      await expectAwsError(
        ctx.ecs.send(new ListTasksCommand({ cluster: uniqueName('missing') })),
        'ClusterNotFoundException',
      );
    },
  },
  {
    name: 'RunTask on a missing cluster gives ClusterNotFoundException',
    async run(ctx) {
      const family = uniqueName('family');
      await registerFamily(ctx, family);
      await expectAwsError(runTasks(ctx, uniqueName('missing'), family), 'ClusterNotFoundException');
    },
  },
  {
    name: 'DescribeTasks with more than 100 tasks gives InvalidParameterException',
    async run(ctx) {
      const { cluster } = await fixture(ctx);
      const tasks = Array.from({ length: 101 }, (_, i) => `${i.toString(16).padStart(32, '0')}`);
      await expectAwsError(
        ctx.ecs.send(new DescribeTasksCommand({ cluster, tasks })),
        'InvalidParameterException',
      );
    },
  },
  {
    name: 'DescribeTasks with an empty task list gives InvalidParameterException',
    async run(ctx) {
      const { cluster } = await fixture(ctx);
      await expectAwsError(
        ctx.ecs.send(new DescribeTasksCommand({ cluster, tasks: [] })),
        'InvalidParameterException',
      );
    },
  },
];

export const ecsContract: Contract<EcsContext> = { service: 'ecs', makeContext, cases };
