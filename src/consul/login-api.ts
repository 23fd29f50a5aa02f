/**
 * LoginApi: Consul's auth-method login and logout (`POST /v1/acl/login`, `POST /v1/acl/logout`).
 *
 * Invariants:
 * - A login sends `{AuthMethod, BearerToken, Meta}` (Meta only when given); the auth method's
 *   partition and namespace go out as `partition`/`ns` only when set (an OSS server never sees
 *   them). The answer must be a token with a non-empty AccessorID and SecretID, else ConsulError.
 * - A logout sends the login token's SecretID as that call's `X-Consul-Token` (never in a URL or
 *   a body); Consul accepts only a token made by a login.
 * - The bearer token and the SecretID are credentials: neither is ever put in a message, metric
 *   or log line here (the transport's invariants).
 * - The transport retries a login after a connection failure or a 429/502/503/504; if a lost
 *   answer hid a success, the first token is orphaned with the same login meta (as with
 *   consul-ecs's retrying gRPC login) and is for the login-token cleanup to remove.
 */
import { aclTokenProblem } from './acl-shape.js';
import { type AclScope, type AclToken } from './acl-types.js';
import { checkedJson, scopeQuery } from './checked-requests.js';
import { type ConsulTransport } from './consul-transport.js';

export interface LoginRequest {
  readonly authMethod: string;
  /** The auth method's bearer token (for aws-iam: see buildIamBearerToken). Never log it. */
  readonly bearerToken: string;
  /** Login meta, copied into the token's description (`token created via login: {…}`). */
  readonly meta?: Readonly<Record<string, string>>;
  /** The auth method's partition and namespace (Enterprise). */
  readonly scope?: AclScope;
  readonly signal?: AbortSignal;
}

/** The token a login made. `SecretID` is the credential: never log it. */
export interface LoginToken extends AclToken {
  readonly SecretID: string;
  readonly AuthMethod?: string;
}

const loginTokenProblem = (value: unknown): string | undefined => {
  const problem = aclTokenProblem(value);
  if (problem !== undefined) return problem;
  const secret = (value as { SecretID?: unknown }).SecretID;
  return typeof secret === 'string' && secret !== '' ? undefined : 'SecretID is missing';
};

export class LoginApi {
  constructor(private readonly transport: ConsulTransport) {}

  async login(req: LoginRequest): Promise<LoginToken> {
    const { value } = await checkedJson<LoginToken>(this.transport, loginTokenProblem, {
      operation: 'acl.login',
      method: 'POST',
      path: '/v1/acl/login',
      query: scopeQuery(req.scope ?? {}),
      body: {
        AuthMethod: req.authMethod,
        BearerToken: req.bearerToken,
        ...(req.meta === undefined ? {} : { Meta: req.meta }),
      },
      signal: req.signal,
    });
    return value;
  }

  /** Destroys the login token whose SecretID is `secretId`. */
  async logout(secretId: string, signal?: AbortSignal): Promise<void> {
    await this.transport.send({
      operation: 'acl.logout',
      method: 'POST',
      path: '/v1/acl/logout',
      token: secretId,
      signal,
    });
  }
}
