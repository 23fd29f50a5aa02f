// Secrets Manager emulator with IAM policies per access key, through the real SDK client.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { type PolicyDocument } from '../../../envtest/aws/iam/policy.js';
import { secretsManagerAuthorization } from '../../../envtest/secretsmanager/iam.js';
import {
  type SecretsManagerServer,
  startSecretsManagerServer,
} from '../../../envtest/secretsmanager/server.js';
import { listingOperations } from '../../../envtest/secretsmanager/operations/listing.js';
import { secretOperations } from '../../../envtest/secretsmanager/operations/secrets.js';
import { taggingOperations } from '../../../envtest/secretsmanager/operations/tagging.js';
import { valueOperations } from '../../../envtest/secretsmanager/operations/values.js';
import { SecretStore } from '../../../envtest/secretsmanager/store.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { secretsClient } from './fixture.js';

const ACCOUNT = '123456789012';
const PREFIX = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret`;
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/envtest/AKIDLIMITED`;

function clientFor(server: SecretsManagerServer, accessKeyId: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
}

describe('Secrets Manager emulator: IAM policies per access key', () => {
  let server: SecretsManagerServer;
  let admin: SecretsManagerClient;
  let limited: SecretsManagerClient;
  let webArn: string;

  async function start(policy: PolicyDocument): Promise<void> {
    server = await startSecretsManagerServer({ iam: { policies: { AKIDLIMITED: policy } } });
    admin = secretsClient(server);
    limited = clientFor(server, 'AKIDLIMITED');
    webArn = (await admin.send(new CreateSecretCommand({ Name: 'mesh-web', SecretString: 'v1' }))).ARN ?? '';
    await admin.send(new CreateSecretCommand({ Name: 'other-web', SecretString: 'o1' }));
  }

  afterEach(async () => {
    admin?.destroy();
    limited?.destroy();
    await server?.close();
  });

  const readWrite: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:UpdateSecret'],
        Resource: `arn:aws:secretsmanager:us-east-1:*:secret:mesh-*`,
      },
    ],
  };

  it('allows a call its policy allows, by name and by ARN', async () => {
    await start(readWrite);
    expect((await limited.send(new GetSecretValueCommand({ SecretId: 'mesh-web' }))).SecretString).to.equal(
      'v1',
    );
    await limited.send(new UpdateSecretCommand({ SecretId: webArn, SecretString: 'v2' }));
    expect((await admin.send(new GetSecretValueCommand({ SecretId: 'mesh-web' }))).SecretString).to.equal(
      'v2',
    );
  });

  it('answers a call no statement allows with AccessDeniedException (HTTP 400) worded as AWS does, and changes nothing', async () => {
    await start(readWrite);
    const error = await rejectionOf(
      limited.send(new PutSecretValueCommand({ SecretId: 'mesh-web', SecretString: 'x' })),
    );
    expect(error.name).to.equal('AccessDeniedException');
    expect(error.$metadata?.httpStatusCode).to.equal(400);
    expect(error.message).to.equal(
      `User: ${PRINCIPAL} is not authorized to perform: secretsmanager:PutSecretValue on resource: ${webArn} ` +
        'because no identity-based policy allows the secretsmanager:PutSecretValue action',
    );
    expect((await admin.send(new GetSecretValueCommand({ SecretId: 'mesh-web' }))).SecretString).to.equal(
      'v1',
    );
    const denied = server.calls.all().find((call) => call.operation === 'PutSecretValue');
    expect(denied).to.include({ status: 400, error: 'AccessDeniedException', principal: 'AKIDLIMITED' });
  });

  it('denies a secret outside the wildcard, and a missing secret by the id as sent (AccessDenied, not ResourceNotFound)', async () => {
    await start(readWrite);
    const other = await rejectionOf(limited.send(new GetSecretValueCommand({ SecretId: 'other-web' })));
    expect(other.name).to.equal('AccessDeniedException');
    expect(other.message).to.match(new RegExp(`on resource: ${PREFIX}:other-web-[A-Za-z0-9]{6} because`));
    const missing = await rejectionOf(limited.send(new GetSecretValueCommand({ SecretId: 'nothing' })));
    expect(missing.name).to.equal('AccessDeniedException');
    expect(missing.message).to.contain('on resource: nothing because');
    // A bare name never matches an ARN pattern, even under the prefix: AWS answers AccessDenied
    // for a secret the caller may not read, whether or not it exists.
    const underPrefix = await rejectionOf(
      limited.send(new GetSecretValueCommand({ SecretId: 'mesh-nothing' })),
    );
    expect(underPrefix.message).to.contain('on resource: mesh-nothing because');
    // Allowed on "*", the service's own error shows.
    server.iam.setPolicies('AKIDLIMITED', {
      Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    });
    const allowedMissing = await rejectionOf(
      limited.send(new GetSecretValueCommand({ SecretId: 'mesh-nothing' })),
    );
    expect(allowedMissing.name).to.equal('ResourceNotFoundException');
  });

  it('an explicit Deny wins over an Allow, and says so', async () => {
    await start({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' },
        { Effect: 'Deny', Action: 'secretsmanager:Delete*', Resource: `${PREFIX}:mesh-*` },
      ],
    });
    const error = await rejectionOf(limited.send(new DeleteSecretCommand({ SecretId: 'mesh-web' })));
    expect(error.name).to.equal('AccessDeniedException');
    expect(error.message).to.equal(
      `User: ${PRINCIPAL} is not authorized to perform: secretsmanager:DeleteSecret on resource: ${webArn} ` +
        'with an explicit deny in an identity-based policy',
    );
    await limited.send(new DeleteSecretCommand({ SecretId: 'other-web', ForceDeleteWithoutRecovery: true }));
    expect((await admin.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).to.deep.equal([
      'mesh-web',
    ]);
  });

  it('NotAction and NotResource', async () => {
    await start({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', NotAction: 'secretsmanager:PutSecretValue', Resource: '*' },
        { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', NotResource: `${PREFIX}:mesh-*` },
      ],
    });
    expect((await limited.send(new GetSecretValueCommand({ SecretId: 'mesh-web' }))).SecretString).to.equal(
      'v1',
    );
    const outside = await rejectionOf(limited.send(new GetSecretValueCommand({ SecretId: 'other-web' })));
    expect(outside.message).to.contain('with an explicit deny');
    const put = await rejectionOf(
      limited.send(new PutSecretValueCommand({ SecretId: 'mesh-web', SecretString: 'x' })),
    );
    expect(put.message).to.contain(
      'because no identity-based policy allows the secretsmanager:PutSecretValue action',
    );
  });

  it('CreateSecret with Tags also needs TagResource, and the tag conditions see the request tags', async () => {
    const tag = 'ecs-acl-controller/created-by';
    const createOnly: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'secretsmanager:CreateSecret',
          Resource: `${PREFIX}:mesh-*`,
          Condition: {
            StringEquals: { [`aws:RequestTag/${tag}`]: 'ecs-acl-controller' },
            'ForAllValues:StringEquals': { 'aws:TagKeys': [tag] },
          },
        },
      ],
    };
    await start(createOnly);
    const tags = [{ Key: tag, Value: 'ecs-acl-controller' }];
    const noTagResource = await rejectionOf(
      limited.send(new CreateSecretCommand({ Name: 'mesh-api', SecretString: 'a', Tags: tags })),
    );
    expect(noTagResource.message).to.match(
      new RegExp(
        `perform: secretsmanager:TagResource on resource: ${PREFIX}:mesh-api-[A-Za-z0-9]{6} because`,
      ),
    );
    server.iam.setPolicies('AKIDLIMITED', {
      ...createOnly,
      Statement: [
        {
          ...(createOnly.Statement as object[])[0],
          Action: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
        } as never,
      ],
    });
    const created = await limited.send(
      new CreateSecretCommand({ Name: 'mesh-api', SecretString: 'a', Tags: tags }),
    );
    expect(created.Name).to.equal('mesh-api');
    const extraTag = await rejectionOf(
      limited.send(
        new CreateSecretCommand({
          Name: 'mesh-db',
          SecretString: 'a',
          Tags: [...tags, { Key: 'owner', Value: 'me' }],
        }),
      ),
    );
    expect(extraTag.name).to.equal('AccessDeniedException');
    const untagged = await rejectionOf(
      limited.send(new CreateSecretCommand({ Name: 'mesh-db', SecretString: 'a' })),
    );
    expect(untagged.message).to.contain('perform: secretsmanager:CreateSecret on resource:');
  });

  it('ListSecrets is authorized against "*" and its denial names no resource', async () => {
    await start(readWrite);
    const error = await rejectionOf(limited.send(new ListSecretsCommand({})));
    expect(error.message).to.equal(
      `User: ${PRINCIPAL} is not authorized to perform: secretsmanager:ListSecrets ` +
        'because no identity-based policy allows the secretsmanager:ListSecrets action',
    );
  });

  it('keys without a policy, and a server without iam, allow everything', async () => {
    await start(readWrite);
    await admin.send(new PutSecretValueCommand({ SecretId: 'other-web', SecretString: 'o2' }));
    const plain = await startSecretsManagerServer();
    const client = clientFor(plain, 'AKIDLIMITED');
    try {
      await client.send(new CreateSecretCommand({ Name: 'x', SecretString: 'y' }));
      expect(plain.iam.enforces('AKIDLIMITED')).to.equal(false);
    } finally {
      client.destroy();
      await plain.close();
    }
  });

  it('rejects at start a policy it cannot evaluate, naming why', async () => {
    let failure: unknown;
    await startSecretsManagerServer({
      iam: {
        policies: {
          AKIDLIMITED: {
            Statement: [
              {
                Effect: 'Allow',
                Action: '*',
                Resource: '*',
                Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
              },
            ],
          },
        },
      },
    }).catch((error: unknown) => (failure = error));
    expect(String(failure)).to.contain('condition operator IpAddress is not emulated');
  });

  it('maps every operation the emulator serves', () => {
    const store = new SecretStore({
      clock: new ManualClock(),
      random: Math.random,
      region: 'us-east-1',
      accountId: ACCOUNT,
    });
    const mapped = Object.keys(
      secretsManagerAuthorization({ store, region: 'us-east-1', accountId: ACCOUNT, random: Math.random }),
    );
    const served = Object.keys({
      ...secretOperations(store),
      ...valueOperations(store),
      ...listingOperations(store),
      ...taggingOperations(store),
    });
    expect(served).to.include('UpdateSecret');
    expect(mapped.sort()).to.deep.equal(served.sort());
  });
});
