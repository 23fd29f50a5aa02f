// ECS emulator with IAM policies per access key, through the real SDK client.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { type PolicyDocument } from '../../../envtest/aws/iam/policy.js';
import { ecsAuthorization } from '../../../envtest/ecs/iam.js';
import { clusterOperations } from '../../../envtest/ecs/operations/clusters.js';
import { serviceOperations } from '../../../envtest/ecs/operations/services.js';
import { taggingOperations } from '../../../envtest/ecs/operations/tagging.js';
import { taskDefinitionOperations } from '../../../envtest/ecs/operations/task-definitions.js';
import { taskOperations } from '../../../envtest/ecs/operations/tasks.js';
import { type EcsServer, startEcsServer } from '../../../envtest/ecs/server.js';
import { rejectionOf } from '../expect-error.js';
import { createMeshService, ecsClient, seedClusterAndTaskDefinition } from './fixture.js';

const ACCOUNT = '123456789012';
const ECS = `arn:aws:ecs:us-east-1:${ACCOUNT}`;
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/envtest/AKIDLIMITED`;

const clusterScoped = (cluster: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['ecs:ListTasks', 'ecs:ListServices'],
      Resource: '*',
      Condition: { ArnEquals: { 'ecs:cluster': `${ECS}:cluster/${cluster}` } },
    },
    {
      Effect: 'Allow',
      Action: 'ecs:DescribeTasks',
      Resource: `${ECS}:task/${cluster}/*`,
      Condition: { ArnEquals: { 'ecs:cluster': `${ECS}:cluster/${cluster}` } },
    },
    { Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: `${ECS}:service/${cluster}/*` },
    { Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    { Effect: 'Deny', Action: 'ecs:Stop*', Resource: '*' },
  ],
});

describe('ECS emulator: IAM policies per access key', () => {
  let server: EcsServer;
  let admin: ECSClient;
  let limited: ECSClient;
  let meshTask: string;
  let otherTask: string;

  beforeEach(async () => {
    server = await startEcsServer({ iam: { policies: { AKIDLIMITED: clusterScoped('mesh') } } });
    admin = ecsClient(server);
    limited = new ECSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLIMITED', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await seedClusterAndTaskDefinition(admin, 'mesh', 'web');
    await seedClusterAndTaskDefinition(admin, 'other', 'api');
    await createMeshService(admin, 'web', 0);
    meshTask =
      (await admin.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'web' }))).tasks?.[0]
        ?.taskArn ?? '';
    otherTask =
      (await admin.send(new RunTaskCommand({ cluster: 'other', taskDefinition: 'api' }))).tasks?.[0]
        ?.taskArn ?? '';
  });

  afterEach(async () => {
    admin.destroy();
    limited.destroy();
    await server.close();
  });

  it('ListTasks: allowed in the cluster the ecs:cluster condition names, denied on "*" in another', async () => {
    const listed = await limited.send(new ListTasksCommand({ cluster: 'mesh', desiredStatus: 'RUNNING' }));
    expect(listed.taskArns).to.deep.equal([meshTask]);
    const byArn = await limited.send(new ListTasksCommand({ cluster: `${ECS}:cluster/mesh` }));
    expect(byArn.taskArns).to.deep.equal([meshTask]);
    const error = await rejectionOf(limited.send(new ListTasksCommand({ cluster: 'other' })));
    expect(error.name).to.equal('AccessDeniedException');
    expect(error.$metadata?.httpStatusCode).to.equal(400);
    expect(error.message).to.equal(
      `User: ${PRINCIPAL} is not authorized to perform: ecs:ListTasks on resource: * ` +
        'because no identity-based policy allows the ecs:ListTasks action',
    );
  });

  it('DescribeTasks authorizes each task ARN: one task outside the policy denies the whole call', async () => {
    const described = await limited.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [meshTask] }));
    expect(described.tasks?.map((task) => task.taskArn)).to.deep.equal([meshTask]);
    const error = await rejectionOf(
      limited.send(new DescribeTasksCommand({ cluster: 'other', tasks: [otherTask] })),
    );
    expect(error.message).to.contain(`perform: ecs:DescribeTasks on resource: ${otherTask} because`);
  });

  it('ListServices is "*" with ecs:cluster; DescribeServices is the service ARN; DescribeTaskDefinition is "*"', async () => {
    expect((await limited.send(new ListServicesCommand({ cluster: 'mesh' }))).serviceArns).to.deep.equal([
      `${ECS}:service/mesh/web`,
    ]);
    expect((await rejectionOf(limited.send(new ListServicesCommand({ cluster: 'other' })))).name).to.equal(
      'AccessDeniedException',
    );
    const services = await limited.send(new DescribeServicesCommand({ cluster: 'mesh', services: ['web'] }));
    expect(services.services?.[0]?.serviceName).to.equal('web');
    const other = await rejectionOf(
      limited.send(new DescribeServicesCommand({ cluster: 'other', services: ['api'] })),
    );
    expect(other.message).to.contain(`on resource: ${ECS}:service/other/api because`);
    const definition = await limited.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api' }));
    expect(definition.taskDefinition?.family).to.equal('api');
  });

  it('an explicit Deny (ecs:Stop*) stops StopTask, and the task keeps running', async () => {
    const error = await rejectionOf(limited.send(new StopTaskCommand({ cluster: 'mesh', task: meshTask })));
    expect(error.message).to.equal(
      `User: ${PRINCIPAL} is not authorized to perform: ecs:StopTask on resource: ${meshTask} ` +
        'with an explicit deny in an identity-based policy',
    );
    const task = (await admin.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [meshTask] })))
      .tasks?.[0];
    expect(task?.desiredStatus).to.equal('RUNNING');
  });

  it('maps every operation the emulator serves', () => {
    const state = server.state;
    const served = Object.keys({
      ...clusterOperations(state),
      ...taskDefinitionOperations(state),
      ...serviceOperations(state),
      ...taskOperations(state),
      ...taggingOperations(state),
    });
    expect(served).to.include('ListTasks');
    expect(Object.keys(ecsAuthorization(state)).sort()).to.deep.equal(served.sort());
  });
});
