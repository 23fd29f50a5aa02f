// Backends for the IAM contract: the principals of IAM_PRINCIPALS, created with their policies,
// on envtest (policies per access key) and on moto (IAM users, then auth switched on).
// Invariants:
// - envtest: ECS and Secrets Manager servers started with `iam.policies`, one invented access
//   key per principal; the admin key has no policy (allowed everything);
// - moto: one moto process for the suite alone (auth is process-wide). Users, inline policies and
//   access keys are created through moto's IAM query API while auth is off (the request only
//   needs a SigV4-shaped Authorization header naming the iam service), the admin user gets
//   Allow * on *, then POST /moto-api/reset-auth "0" enforces auth for every later request.
import { startEcsServer } from '../../../envtest/ecs/server.js';
import { startSecretsManagerServer } from '../../../envtest/secretsmanager/server.js';
import { type AwsKey, type Backend } from '../harness/backend.js';
import { IAM_ACCOUNT, IAM_PRINCIPALS, IAM_REGION, type Policy } from '../iam.contract.js';
import { motoBackend } from './moto.js';

export const envtestIamBackend: Backend = {
  name: 'envtest-iam',
  async start() {
    const principals: Record<string, AwsKey> = {};
    const policies: Record<string, Policy> = {};
    for (const [name, policy] of Object.entries(IAM_PRINCIPALS)) {
      const accessKeyId = `AKIDIAM${name.toUpperCase()}`;
      principals[name] = { accessKeyId, secretAccessKey: 'x' };
      policies[accessKeyId] = policy;
    }
    const common = { region: IAM_REGION, accountId: IAM_ACCOUNT, iam: { policies } };
    const ecs = await startEcsServer(common);
    const sm = await startSecretsManagerServer(common);
    return {
      endpoint: ecs.url,
      iam: {
        ecsEndpoint: ecs.url,
        secretsManagerEndpoint: sm.url,
        admin: { accessKeyId: 'AKIDIAMADMIN', secretAccessKey: 'x' },
        principals,
      },
      stop: async () => {
        await ecs.close();
        await sm.close();
      },
    };
  },
};

const ALLOW_ALL: Policy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

async function iamCall(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=setup/20260101/${IAM_REGION}/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`moto IAM ${params.Action} failed: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

async function createUser(endpoint: string, name: string, policy: Policy): Promise<AwsKey> {
  await iamCall(endpoint, { Action: 'CreateUser', UserName: name });
  await iamCall(endpoint, {
    Action: 'PutUserPolicy',
    UserName: name,
    PolicyName: 'contract',
    PolicyDocument: JSON.stringify(policy),
  });
  const created = await iamCall(endpoint, { Action: 'CreateAccessKey', UserName: name });
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(created)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(created)?.[1];
  if (accessKeyId === undefined || secretAccessKey === undefined)
    throw new Error(`no access key in ${created}`);
  return { accessKeyId, secretAccessKey };
}

export const motoIamBackend: Backend = {
  name: 'moto',
  async start() {
    const instance = await motoBackend.start();
    try {
      const admin = await createUser(instance.endpoint, 'contract-admin', ALLOW_ALL);
      const principals: Record<string, AwsKey> = {};
      for (const [name, policy] of Object.entries(IAM_PRINCIPALS)) {
        principals[name] = await createUser(instance.endpoint, `contract-${name}`, policy);
      }
      const auth = await fetch(`${instance.endpoint}/moto-api/reset-auth`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '0',
      });
      if (!auth.ok) throw new Error(`moto reset-auth failed: ${auth.status} ${await auth.text()}`);
      return {
        ...instance,
        iam: { ecsEndpoint: instance.endpoint, secretsManagerEndpoint: instance.endpoint, admin, principals },
      };
    } catch (error) {
      await instance.stop();
      throw error;
    }
  },
};
