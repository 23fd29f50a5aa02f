// IAM and STS calls to a moto server, made with our own SigV4 form POST (no IAM/STS SDK client
// is installed): create a tagged role, assume it.
// Invariants:
// - every call is signed for the real AWS host (iam.amazonaws.com, sts.<region>.amazonaws.com)
//   and sent to moto with that Host kept, the way Consul forwards a login's requests to its
//   configured IAMEndpoint/STSEndpoint; moto routes by that Host and checks no signature;
// - a non-200 answer throws with moto's body.
import { type FormPostSender } from '../../../src/aws/form-post-sender.js';
import { type AwsCredentials, signFormPost } from '../../../src/aws/sigv4-form-post.js';
import { stsUrlFor, iamDefaultsFor } from '../../../src/consul/iam-bearer-token.js';

/** Any key works while moto's auth is off; these name the default account's root. */
export const MOTO_ADMIN: AwsCredentials = { accessKeyId: 'AKIAMOTOADMIN0000000', secretAccessKey: 'moto' };

export interface MotoIamSts {
  readonly endpoint: URL;
  readonly region: string;
  readonly send: FormPostSender;
}

async function call(
  ctx: MotoIamSts,
  service: 'iam' | 'sts',
  params: Record<string, string>,
  nowMs: number,
  credentials: AwsCredentials = MOTO_ADMIN,
): Promise<string> {
  const iam = iamDefaultsFor(ctx.region);
  const signed = await signFormPost(
    {
      url: service === 'iam' ? iam.url : stsUrlFor(ctx.region),
      body: new URLSearchParams(params).toString(),
    },
    { service, region: service === 'iam' ? iam.region : ctx.region, credentials, nowMs },
  );
  const answer = await ctx.send(signed, ctx.endpoint);
  if (answer.status !== 200)
    throw new Error(`moto ${service}:${params.Action} ${answer.status}: ${answer.body}`);
  return answer.body;
}

function element(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (!match) throw new Error(`no <${name}> in ${xml.slice(0, 300)}`);
  return match[1];
}

export interface MotoRole {
  readonly arn: string;
  readonly roleId: string;
}

export async function createTaggedRole(
  ctx: MotoIamSts,
  nowMs: number,
  name: string,
  path: string,
  tags: Readonly<Record<string, string>>,
): Promise<MotoRole> {
  const params: Record<string, string> = {
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    Path: path,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  };
  Object.entries(tags).forEach(([key, value], i) => {
    params[`Tags.member.${i + 1}.Key`] = key;
    params[`Tags.member.${i + 1}.Value`] = value;
  });
  const body = await call(ctx, 'iam', params, nowMs);
  return { arn: element(body, 'Arn'), roleId: element(body, 'RoleId') };
}

export async function assumeRole(
  ctx: MotoIamSts,
  nowMs: number,
  roleArn: string,
  sessionName: string,
): Promise<AwsCredentials & { sessionToken: string; assumedRoleArn: string }> {
  const body = await call(
    ctx,
    'sts',
    { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: sessionName },
    nowMs,
  );
  return {
    accessKeyId: element(body, 'AccessKeyId'),
    secretAccessKey: element(body, 'SecretAccessKey'),
    sessionToken: element(body, 'SessionToken'),
    assumedRoleArn: element(body, 'Arn'),
  };
}

/** Attaches an inline policy to a role. */
export async function putRolePolicy(
  ctx: MotoIamSts,
  nowMs: number,
  roleName: string,
  policy: unknown,
): Promise<void> {
  await call(
    ctx,
    'iam',
    {
      Action: 'PutRolePolicy',
      Version: '2010-05-08',
      RoleName: roleName,
      PolicyName: 'inline',
      PolicyDocument: JSON.stringify(policy),
    },
    nowMs,
  );
}

/**
 * Turns moto's auth on for the rest of the process's life: from now on every request must be
 * signed by a key moto issued (signature recomputed with botocore's SigV4) and be allowed by the
 * key's policies (sts:GetCallerIdentity always is).
 */
export async function enableMotoAuth(endpoint: URL): Promise<void> {
  const answer = await fetch(new URL('/moto-api/reset-auth', endpoint), {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '0',
  });
  if (!answer.ok) throw new Error(`moto reset-auth failed: ${answer.status} ${await answer.text()}`);
}
