/**
 * The upstream acl-controller task role (terraform-aws-consul-ecs v0.4.3, see
 * test/fixtures/iam/README.md) enforced by the envtest ECS and Secrets Manager servers, through
 * the real SDK clients: what a controller running under that role may and may not do.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type PolicyDocument } from '../../envtest/aws/iam/policy.js';
import { type EcsServer, startEcsServer } from '../../envtest/ecs/server.js';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { rejectionOf } from '../envtest/expect-error.js';
import { createMeshService, seedClusterAndTaskDefinition } from '../envtest/ecs/fixture.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { fillPlaceholders, placeholders } from './iam-eval.js';
import { REPO } from './tools.js';

const FIXTURE = readFileSync(
  join(REPO, 'test/fixtures/iam/terraform-aws-consul-ecs-v0.4.3-acl-controller-task-role.json'),
  'utf8',
);
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const PREFIX = 'consul-ecs';
const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/consul-ecs-consul-acl-controller-task/ecs-task`;

function client<C>(Client: new (config: object) => C, url: string, accessKeyId: string): C {
  return new Client({
    endpoint: url,
    region: REGION,
    credentials: { accessKeyId, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

describe('upstream terraform-aws-consul-ecs v0.4.3 acl-controller task role, enforced by envtest', () => {
  let ecsServer: EcsServer;
  let smServer: SecretsManagerServer;
  let ecsAdmin: ECSClient;
  let smAdmin: SecretsManagerClient;
  let ecs: ECSClient;
  let sm: SecretsManagerClient;
  let taskArn: string;
  let tokenArn: string;

  before(async () => {
    expect(placeholders(FIXTURE)).to.deep.equal(['name_prefix', 'region']);
    const policy = JSON.parse(
      fillPlaceholders(FIXTURE, { region: REGION, name_prefix: PREFIX }),
    ) as PolicyDocument;
    const iam = {
      policies: { [CONTROLLER_ACCESS_KEY_ID]: policy },
      principals: { [CONTROLLER_ACCESS_KEY_ID]: ROLE },
    };
    ecsServer = await startEcsServer({ region: REGION, accountId: ACCOUNT, iam });
    smServer = await startSecretsManagerServer({ region: REGION, accountId: ACCOUNT, iam });
    ecsAdmin = client(ECSClient, ecsServer.url, 'AKIDADMIN');
    smAdmin = client(SecretsManagerClient, smServer.url, 'AKIDADMIN');
    ecs = client(ECSClient, ecsServer.url, CONTROLLER_ACCESS_KEY_ID);
    sm = client(SecretsManagerClient, smServer.url, CONTROLLER_ACCESS_KEY_ID);
    await seedClusterAndTaskDefinition(ecsAdmin, 'mesh', 'web');
    await createMeshService(ecsAdmin, 'web', 0);
    taskArn =
      (await ecsAdmin.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'web' }))).tasks?.[0]
        ?.taskArn ?? '';
    tokenArn =
      (await smAdmin.send(new CreateSecretCommand({ Name: `${PREFIX}-web`, SecretString: '{}' }))).ARN ?? '';
    await smAdmin.send(new CreateSecretCommand({ Name: 'elsewhere-web', SecretString: '{}' }));
  });

  after(async () => {
    for (const c of [ecsAdmin, smAdmin, ecs, sm]) c?.destroy();
    await ecsServer?.close();
    await smServer?.close();
  });

  it('allows ListTasks and DescribeTasks (Resource "*", any cluster)', async () => {
    expect((await ecs.send(new ListTasksCommand({ cluster: 'mesh' }))).taskArns).to.deep.equal([taskArn]);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [taskArn] }));
    expect(described.tasks?.[0]?.taskArn).to.equal(taskArn);
  });

  it('allows GetSecretValue and UpdateSecret on <name_prefix>-* secrets, by name and by ARN', async () => {
    await sm.send(new UpdateSecretCommand({ SecretId: `${PREFIX}-web`, SecretString: '{"token":"t"}' }));
    const read = await sm.send(new GetSecretValueCommand({ SecretId: tokenArn }));
    expect(read.SecretString).to.equal('{"token":"t"}');
  });

  it('denies PutSecretValue with AWS AccessDeniedException, naming the role, the action and the secret ARN', async () => {
    const error = await rejectionOf(
      sm.send(new PutSecretValueCommand({ SecretId: `${PREFIX}-web`, SecretString: 'x' })),
    );
    expect(error.name).to.equal('AccessDeniedException');
    expect(error.$metadata?.httpStatusCode).to.equal(400);
    expect(error.message).to.equal(
      `User: ${ROLE} is not authorized to perform: secretsmanager:PutSecretValue on resource: ${tokenArn} ` +
        'because no identity-based policy allows the secretsmanager:PutSecretValue action',
    );
  });

  it('denies secrets outside the prefix and CreateSecret', async () => {
    expect(
      (await rejectionOf(sm.send(new GetSecretValueCommand({ SecretId: 'elsewhere-web' })))).name,
    ).to.equal('AccessDeniedException');
    const create = await rejectionOf(
      sm.send(new CreateSecretCommand({ Name: `${PREFIX}-api`, SecretString: '{}' })),
    );
    expect(create.message).to.match(
      new RegExp(
        `perform: secretsmanager:CreateSecret on resource: arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${PREFIX}-api-[A-Za-z0-9]{6} because`,
      ),
    );
  });

  it('denies the pre-provisioning calls: ListServices, DescribeServices, DescribeTaskDefinition', async () => {
    const denied = [
      await rejectionOf(ecs.send(new ListServicesCommand({ cluster: 'mesh' }))),
      await rejectionOf(ecs.send(new DescribeServicesCommand({ cluster: 'mesh', services: ['web'] }))),
      await rejectionOf(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }))),
    ];
    expect(denied.map((error) => error.name)).to.deep.equal(Array(3).fill('AccessDeniedException'));
    expect(
      denied.map((error) => /perform: (\S+) on resource: (\S+) because/.exec(error.message)?.slice(1)),
    ).to.deep.equal([
      ['ecs:ListServices', '*'],
      ['ecs:DescribeServices', `arn:aws:ecs:${REGION}:${ACCOUNT}:service/mesh/web`],
      ['ecs:DescribeTaskDefinition', '*'],
    ]);
  });
});
