/**
 * RequestContext: one HTTP request as handlers see it — query, scope, token, body and authorizer.
 *
 * Invariants:
 * - The request token comes from `?token=`, then `X-Consul-Token`, then `Authorization: Bearer`,
 *   in the order of Consul's parseTokenInternal; it is never stored anywhere but here.
 * - Body decode errors are 400 with the endpoint's prefix ("Token decoding failed: …"); on OSS an
 *   unknown "Namespace" field gets Consul's " - Namespaces are a Consul Enterprise feature" suffix.
 * - `resource` is what the CallLog records; handlers set it to an AccessorID, name or key, never a secret.
 * - `writable(scope)` is the scope of a write: on Enterprise a missing partition or namespace is an
 *   error there (namespaces.ts `requireNamespace`), never for a read.
 * - `principal` is the AccessorID of the request token once it has been resolved (never its SecretID).
 */
import { type IncomingMessage } from 'node:http';

import { type AclContext } from '../acl/context.js';
import { type Authorizer, authorizerFor } from '../acl/authorizer.js';
import { type AclToken } from '../acl/model.js';
import { resolveRequestToken } from '../acl/tokens.js';
import { type BlockingParams, parseBlockingParams } from '../blocking.js';
import { badRequest } from '../errors.js';
import { BodyDecodeError, type Decoded, decodeStrict, type StructSchema } from '../json-body.js';
import { requireNamespace } from '../namespaces.js';
import { DEFAULT_SCOPE, type Scope, scopeFromRequest } from '../scope.js';
import { type ServerRuntime } from './runtime.js';

export class RequestContext {
  readonly url: URL;
  readonly query: URLSearchParams;
  resource: string | undefined;
  private bodyBuffer: Buffer | undefined;
  private token: AclToken | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly runtime: ServerRuntime,
    readonly signal: AbortSignal,
  ) {
    this.url = new URL(req.url ?? '/', 'http://consul.invalid');
    this.query = this.url.searchParams;
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  /** The request's secret, or '' when none was sent. */
  secret(): string {
    const fromQuery = this.query.get('token');
    if (fromQuery) return fromQuery;
    const header = this.req.headers['x-consul-token'];
    if (typeof header === 'string' && header !== '') return header;
    const authorization = this.req.headers['authorization'];
    if (typeof authorization === 'string' && authorization !== '') {
      const parts = authorization.split(' ');
      if (parts.length === 2 && parts[0]!.toLowerCase() === 'bearer') return parts[1]!.trim();
    }
    return '';
  }

  acl(): AclContext {
    const { state, newId, enterprise, version, clock } = this.runtime;
    return { state, newId, enterprise, version, now: clock.now() };
  }

  /** The scope the request names; what it does not name comes from its token (Enterprise). */
  scope(): Scope {
    return scopeFromRequest(this.query, this.req.headers, this.runtime.enterprise, () => this.tokenScope());
  }

  /** The request token's scope; default/default when the secret resolves to no token (yet). */
  private tokenScope(): Scope {
    try {
      return this.requestToken().scope;
    } catch {
      return DEFAULT_SCOPE;
    }
  }

  /** The scope a write goes to; on Enterprise its partition and namespace must exist. */
  writable(scope: Scope): Scope {
    if (this.runtime.enterprise && this.runtime.requireNamespaces)
      requireNamespace(this.runtime.state, scope);
    return scope;
  }

  blocking(): BlockingParams {
    return parseBlockingParams(this.query);
  }

  /** The token the request acts as; 403 "ACL not found" for an unknown secret. */
  requestToken(): AclToken {
    this.token ??= resolveRequestToken(this.acl(), this.secret());
    return this.token;
  }

  /** The AccessorID of the token the request acts as, if a handler resolved it (for the CallLog). */
  get principal(): string | undefined {
    return this.token?.accessorId;
  }

  /** The request token's permissions in `scope` (default: the scope the request names). */
  authorizer(scope: Scope = this.scope()): Authorizer {
    return authorizerFor(this.runtime.state, this.requestToken(), scope);
  }

  async rawBody(): Promise<Buffer> {
    if (this.bodyBuffer) return this.bodyBuffer;
    const chunks: Buffer[] = [];
    for await (const chunk of this.req) chunks.push(chunk as Buffer);
    this.bodyBuffer = Buffer.concat(chunks);
    return this.bodyBuffer;
  }

  async decode(schema: StructSchema, prefix: string, optional = false): Promise<Decoded> {
    const text = (await this.rawBody()).toString('utf8');
    if (optional && text.trim() === '') return {};
    try {
      return decodeStrict(text, schema);
    } catch (error) {
      if (!(error instanceof BodyDecodeError)) throw error;
      let message = error.message;
      if (!this.runtime.enterprise && message === 'json: unknown field "Namespace"') {
        message += ' - Namespaces are a Consul Enterprise feature';
      }
      throw badRequest(`${prefix}: ${message}`);
    }
  }
}
