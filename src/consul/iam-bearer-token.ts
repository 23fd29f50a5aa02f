/**
 * The bearer token of Consul's `aws-iam` auth method, built as consul-ecs v0.10 builds it (through
 * consul-awsauth `GenerateLoginData`) and as Consul 1.14 (consul-awsauth `NewBearerToken`) reads
 * it: a SigV4-signed `sts:GetCallerIdentity` POST, serialized as JSON
 * `{"iam_http_request_method":"POST","iam_request_body":b64,"iam_request_headers":b64,"iam_request_url":b64}`
 * where the headers are a Go `http.Header` in JSON (canonical names, each value a list).
 *
 * Invariants:
 * - The STS request goes to `stsEndpoint` or `https://sts.<region>.amazonaws.com/` (…`.com.cn`
 *   in China), signed for `sts` in `region`, body `Action=GetCallerIdentity&Version=2011-06-15`.
 * - With `entity`, a signed `iam:GetRole`/`GetUser` POST (`https://iam.amazonaws.com/`, signed for
 *   us-east-1, unless `iamEndpoint`/`iamRegion` say otherwise) travels inside the STS request as
 *   the four `X-Consul-IAM-GetEntity-{Method,URL,Headers,Body}` headers, which are signed with it.
 * - A server-ID value goes out, signed, in both requests under `serverIdHeaderName`
 *   (`X-Consul-IAM-ServerID` by default, the name Consul's aws-iam method checks).
 * - No `X-Amz-*` header beyond Consul's default allow-list is ever added, so no
 *   `AllowedSTSHeaderValues` is needed.
 * - The token is a replayable credential until its signature expires (15 min): never log it.
 */
import { type IamEntity } from '../aws/iam-principal-arn.js';
import { type AwsCredentials, type SignedFormPost, signFormPost } from '../aws/sigv4-form-post.js';
import { GET_CALLER_IDENTITY_BODY } from '../aws/sts-caller-identity.js';

export const IAM_SERVER_ID_HEADER = 'X-Consul-IAM-ServerID';
export const GET_ENTITY_METHOD_HEADER = 'X-Consul-IAM-GetEntity-Method';
export const GET_ENTITY_URL_HEADER = 'X-Consul-IAM-GetEntity-URL';
export const GET_ENTITY_HEADERS_HEADER = 'X-Consul-IAM-GetEntity-Headers';
export const GET_ENTITY_BODY_HEADER = 'X-Consul-IAM-GetEntity-Body';

export interface IamBearerTokenInput {
  /** The STS signing region (consul-ecs: `consulLogin.region`, else the task ARN's region). */
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** Signing time, ms since the epoch, from the caller's clock. */
  readonly nowMs: number;
  /** Base URL of STS, when not the regional AWS endpoint (a scheme-less host means https). */
  readonly stsEndpoint?: string;
  /** The role or user to embed a signed GetRole/GetUser for (the method's EnableIAMEntityDetails). */
  readonly entity?: IamEntity;
  /** Base URL of IAM for the embedded request; default the partition's global IAM endpoint. */
  readonly iamEndpoint?: string;
  /** Signing region of the embedded IAM request; default the partition's IAM region. */
  readonly iamRegion?: string;
  /** The auth method's `ServerIDHeaderValue`, when it has one. */
  readonly serverIdHeaderValue?: string;
  readonly serverIdHeaderName?: string;
}

/** The STS URL a bearer token for `region` (and optional endpoint) is signed for. */
export function stsUrlFor(region: string, stsEndpoint?: string): URL {
  if (stsEndpoint) return baseUrl(stsEndpoint);
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://sts.${region}.${domain}/`);
}

/** The global IAM endpoint and its signing region, per partition (from the STS region). */
export function iamDefaultsFor(region: string): { url: URL; region: string } {
  if (region.startsWith('cn-')) {
    return { url: new URL('https://iam.cn-north-1.amazonaws.com.cn/'), region: 'cn-north-1' };
  }
  if (region.startsWith('us-gov-')) {
    return { url: new URL('https://iam.us-gov.amazonaws.com/'), region: 'us-gov-west-1' };
  }
  return { url: new URL('https://iam.amazonaws.com/'), region: 'us-east-1' };
}

export async function buildIamBearerToken(input: IamBearerTokenInput): Promise<string> {
  const serverId: Record<string, string> = input.serverIdHeaderValue
    ? { [input.serverIdHeaderName ?? IAM_SERVER_ID_HEADER]: input.serverIdHeaderValue }
    : {};
  const headers: Record<string, string> = { ...serverId };
  if (input.entity) {
    const iam = iamDefaultsFor(input.region);
    const entityRequest = await signFormPost(
      {
        url: input.iamEndpoint ? baseUrl(input.iamEndpoint) : iam.url,
        body: entityRequestBody(input.entity),
        headers: serverId,
      },
      {
        service: 'iam',
        region: input.iamRegion ?? iam.region,
        credentials: input.credentials,
        nowMs: input.nowMs,
      },
    );
    headers[GET_ENTITY_METHOD_HEADER] = entityRequest.method;
    headers[GET_ENTITY_URL_HEADER] = entityRequest.url.toString();
    headers[GET_ENTITY_HEADERS_HEADER] = JSON.stringify(goHeader(entityRequest));
    headers[GET_ENTITY_BODY_HEADER] = entityRequest.body;
  }
  const sts = await signFormPost(
    { url: stsUrlFor(input.region, input.stsEndpoint), body: GET_CALLER_IDENTITY_BODY, headers },
    { service: 'sts', region: input.region, credentials: input.credentials, nowMs: input.nowMs },
  );
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return JSON.stringify({
    iam_http_request_method: sts.method,
    iam_request_body: b64(sts.body),
    iam_request_headers: b64(JSON.stringify(goHeader(sts))),
    iam_request_url: b64(sts.url.toString()),
  });
}

/** `Action=GetRole&RoleName=…&Version=2010-05-08` (or GetUser/UserName), keys sorted as Go sends. */
function entityRequestBody(entity: IamEntity): string {
  const form = new URLSearchParams(
    entity.type === 'role'
      ? { Action: 'GetRole', RoleName: entity.name, Version: '2010-05-08' }
      : { Action: 'GetUser', UserName: entity.name, Version: '2010-05-08' },
  );
  return form.toString();
}

/**
 * The request's headers as Go's `http.Header` marshals them: canonical names
 * (`X-Consul-Iam-Serverid`), sorted, each value a one-element list; `host` is left out (Go keeps
 * it in `Request.Host`, and Consul sets it from the URL).
 */
function goHeader(request: SignedFormPost): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const names = Object.keys(request.headers)
    .filter((name) => name !== 'host')
    .sort((a, b) => (canonicalHeaderName(a) < canonicalHeaderName(b) ? -1 : 1));
  for (const name of names) out[canonicalHeaderName(name)] = [request.headers[name]];
  return out;
}

/** Go's textproto.CanonicalMIMEHeaderKey for the ASCII token names used here. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('-');
}

function baseUrl(endpoint: string): URL {
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
}
