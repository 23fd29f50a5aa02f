/**
 * signFormPost: an AWS Query-protocol request (a form-encoded POST such as
 * `Action=GetCallerIdentity&Version=2011-06-15`), signed with the AWS SDK's own SigV4 signer
 * (`@smithy/signature-v4` with the SDK's SHA-256), never with a hand-written one.
 *
 * Invariants:
 * - Signs `host`, `content-type`, `content-length`, `x-amz-date`, `x-amz-security-token` (with a
 *   session token) and every extra header given, as the Go SDK v1 signs a Query request; no
 *   `x-amz-content-sha256` is added (AWS does not need it for STS or IAM).
 * - The signing time comes from the caller (an injected clock), never from the system clock.
 * - The result's headers carry the credentials' signature and session token: treat the whole
 *   signed request as a secret (never log it); the secret access key itself never appears in it.
 */
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/** Credentials as the AWS SDK's providers resolve them (structurally `AwsCredentialIdentity`). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Resolves credentials; e.g. an SDK client's `config.credentials` (the default chain). */
export type AwsCredentialProvider = () => Promise<AwsCredentials>;

export interface FormPost {
  /** Where the request goes, e.g. https://sts.us-east-1.amazonaws.com/ */
  readonly url: URL;
  /** The form body, e.g. `Action=GetCallerIdentity&Version=2011-06-15`. */
  readonly body: string;
  /** Extra headers to sign with the request (e.g. Consul's server-ID header). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SignedFormPost {
  readonly method: 'POST';
  readonly url: URL;
  readonly body: string;
  /** Every header sent, lower-case names, `host` included. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface SigningScope {
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** Milliseconds since the epoch (from the caller's clock). */
  readonly nowMs: number;
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

export async function signFormPost(post: FormPost, scope: SigningScope): Promise<SignedFormPost> {
  const { url, body } = post;
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': FORM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
  };
  for (const [name, value] of Object.entries(post.headers ?? {})) headers[name.toLowerCase()] = value;
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    credentials: scope.credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query,
      headers,
      body,
    },
    { signingDate: new Date(scope.nowMs) },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name.toLowerCase()] = value;
  return { method: 'POST', url, body, headers: out };
}
