/**
 * loginWithIamAuth: a Consul login with the `aws-iam` auth method, as consul-ecs v0.10 logs in
 * with `consulLogin` (method `iam-ecs-service-token`, entity details on, meta merged by the
 * caller), over Consul's HTTP API instead of gRPC.
 *
 * Invariants:
 * - Credentials are resolved once per login from the injected provider (on ECS: an SDK client's
 *   `config.credentials`, i.e. the default chain and the task role); the secret key never leaves
 *   the signer.
 * - With `includeEntity` (default true, as consul-ecs's `consulLogin.includeEntity`), the role or
 *   user is learnt from a signed sts:GetCallerIdentity sent to the same STS URL the token is signed
 *   for (unless `entity` names it), then a signed iam:GetRole/GetUser is embedded.
 * - Signing time comes from the injected clock. The bearer token and the returned SecretID are
 *   never logged or put in an error here.
 */
import { type IamEntity, iamEntityOfArn } from '../aws/iam-principal-arn.js';
import { type AwsCredentialProvider } from '../aws/sigv4-form-post.js';
import { type FormPostSender, httpFormPostSender } from '../aws/form-post-sender.js';
import { getCallerIdentity } from '../aws/sts-caller-identity.js';
import { type Clock } from '../time/clock.js';
import { type AclScope } from './acl-types.js';
import { type ConsulTransport } from './consul-transport.js';
import { buildIamBearerToken, stsUrlFor } from './iam-bearer-token.js';
import { LoginApi, type LoginToken } from './login-api.js';

/** consul-ecs's default `consulLogin.method`, the auth method its controller creates. */
export const DEFAULT_IAM_AUTH_METHOD = 'iam-ecs-service-token';

export interface IamLoginInput {
  /** Transport to the Consul servers (its own token, if any, is not needed for a login). */
  readonly consul: ConsulTransport;
  /** Auth method name; default `iam-ecs-service-token`. */
  readonly method?: string;
  /** Login meta, e.g. `consul.hashicorp.com/task-id` and `consul.hashicorp.com/cluster`. */
  readonly meta?: Readonly<Record<string, string>>;
  /** The auth method's partition/namespace (Enterprise). */
  readonly scope?: AclScope;
  /** STS signing region (consul-ecs: `consulLogin.region`, else the task ARN's region). */
  readonly region: string;
  readonly credentials: AwsCredentialProvider;
  readonly clock: Clock;
  /** Embed a signed iam:GetRole/GetUser (the method's EnableIAMEntityDetails); default true. */
  readonly includeEntity?: boolean;
  /** The role or user to embed; default learnt from sts:GetCallerIdentity. */
  readonly entity?: IamEntity;
  /** consul-ecs's `consulLogin.stsEndpoint`. */
  readonly stsEndpoint?: string;
  /** Base URL of IAM for the embedded request (default the partition's global endpoint). */
  readonly iamEndpoint?: string;
  readonly iamRegion?: string;
  /** consul-ecs's `consulLogin.serverIdHeaderValue` (the method's `ServerIDHeaderValue`). */
  readonly serverIdHeaderValue?: string;
  /** Sends the caller-identity lookup; default node:http(s) with a 10 s timeout on `clock`. */
  readonly send?: FormPostSender;
  readonly signal?: AbortSignal;
}

export class IamLoginError extends Error {
  override readonly name = 'IamLoginError';
}

export async function loginWithIamAuth(input: IamLoginInput): Promise<LoginToken> {
  const credentials = await input.credentials();
  const nowMs = input.clock.now();
  let entity = input.entity;
  if ((input.includeEntity ?? true) && entity === undefined) {
    const identity = await getCallerIdentity({
      stsUrl: stsUrlFor(input.region, input.stsEndpoint),
      region: input.region,
      credentials,
      nowMs,
      send: input.send ?? httpFormPostSender(input.clock),
    });
    entity = iamEntityOfArn(identity.arn);
    if (entity === undefined) {
      throw new IamLoginError(`caller ${identity.arn} is not an IAM role or user`);
    }
  }
  const bearerToken = await buildIamBearerToken({
    region: input.region,
    credentials,
    nowMs,
    ...((input.includeEntity ?? true) ? { entity } : {}),
    stsEndpoint: input.stsEndpoint,
    iamEndpoint: input.iamEndpoint,
    iamRegion: input.iamRegion,
    serverIdHeaderValue: input.serverIdHeaderValue,
  });
  return new LoginApi(input.consul).login({
    authMethod: input.method ?? DEFAULT_IAM_AUTH_METHOD,
    bearerToken,
    meta: input.meta,
    scope: input.scope,
    signal: input.signal,
  });
}
