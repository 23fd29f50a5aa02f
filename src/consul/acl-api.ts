/**
 * AclApi: the typed Consul ACL endpoints the controllers use, on top of ConsulTransport.
 *
 * Invariants:
 * - Reads return `undefined` for a missing object, whichever not-found flavour the server uses
 *   (403 "ACL not found" up to 1.14, 404 from 1.15); every other failure rejects.
 * - Deletes of a missing object succeed (idempotent).
 * - Every answer is checked against the documented shape (see acl-shape) before it is returned: an
 *   answer that is not a token, a policy or a list of them rejects with a ConsulError
 *   ("unexpected response: …"), so garbage never reads as "missing" or "no tokens". A `null`
 *   read is not-found and a `null` list is empty, as Consul writes them.
 * - Partition and namespace go out as `partition`/`ns` query parameters only when set, so an OSS
 *   server never sees them.
 */
import { aclPolicyProblem, aclTokenProblem, listProblem } from './acl-shape.js';
import { isConsulNotFound } from './consul-error.js';
import { type BlockingOptions, blockingRead, checkedJson, scopeQuery } from './checked-requests.js';
import { type ConsulRequest, type ConsulTransport, type Query } from './consul-transport.js';
import {
  type AclPolicy,
  type AclPolicyWrite,
  type AclScope,
  type AclToken,
  type AclTokenWrite,
  type Indexed,
} from './acl-types.js';

export type { BlockingOptions } from './checked-requests.js';

export class AclApi {
  constructor(private readonly transport: ConsulTransport) {}

  async readToken(
    accessorId: string,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<AclToken | undefined> {
    return (await this.watchToken(accessorId, scope, { signal })).items[0];
  }

  /**
   * One token with the tokens table's index, blocking when `blocking.index` is set (Consul's
   * TokenRead is a blocking query that wakes only when this token changes). A missing token is an
   * empty list at index '0' (the next read then answers at once).
   */
  async watchToken(
    accessorId: string,
    scope: AclScope = {},
    blocking: BlockingOptions = {},
  ): Promise<Indexed<AclToken>> {
    try {
      const { value, index } = await this.checked<AclToken | null>(tokenProblem, {
        operation: 'acl.token.read',
        method: 'GET',
        path: `/v1/acl/token/${encodeURIComponent(accessorId)}`,
        ...blockingRead(scope, blocking),
      });
      return { items: value === null ? [] : [value], index: index ?? '0' };
    } catch (error) {
      if (isConsulNotFound(error)) return { items: [], index: '0' };
      throw error;
    }
  }

  /** The token the controller itself authenticates with. */
  async readSelf(signal?: AbortSignal): Promise<AclToken> {
    const { value } = await this.checked<AclToken>(aclTokenProblem, {
      operation: 'acl.token.self',
      method: 'GET',
      path: '/v1/acl/token/self',
      signal,
    });
    return value;
  }

  async createToken(token: AclTokenWrite, scope: AclScope = {}, signal?: AbortSignal): Promise<AclToken> {
    const { value } = await this.checked<AclToken>(aclTokenProblem, {
      operation: 'acl.token.create',
      method: 'PUT',
      path: '/v1/acl/token',
      query: scopeQuery(scope),
      body: token,
      signal,
    });
    return value;
  }

  async updateToken(
    token: AclTokenWrite & { AccessorID: string },
    scope: AclScope = {},
    signal?: AbortSignal,
  ) {
    const { value } = await this.checked<AclToken>(aclTokenProblem, {
      operation: 'acl.token.update',
      method: 'PUT',
      path: `/v1/acl/token/${encodeURIComponent(token.AccessorID)}`,
      query: scopeQuery(scope),
      body: token,
      signal,
    });
    return value;
  }

  async deleteToken(accessorId: string, scope: AclScope = {}, signal?: AbortSignal): Promise<void> {
    await this.deleteIgnoringNotFound({
      operation: 'acl.token.delete',
      path: `/v1/acl/token/${encodeURIComponent(accessorId)}`,
      query: scopeQuery(scope),
      signal,
    });
  }

  async listTokens(scope: AclScope = {}, blocking: BlockingOptions = {}): Promise<Indexed<AclToken>> {
    return this.list<AclToken>('acl.tokens.list', '/v1/acl/tokens', aclTokenProblem, scope, blocking);
  }

  async readPolicyByName(
    name: string,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<AclPolicy | undefined> {
    return this.readOrUndefined(() =>
      this.checked<AclPolicy>(policyProblem, {
        operation: 'acl.policy.read_by_name',
        method: 'GET',
        path: `/v1/acl/policy/name/${encodeURIComponent(name)}`,
        query: scopeQuery(scope),
        signal,
      }),
    );
  }

  async createPolicy(policy: AclPolicyWrite, scope: AclScope = {}, signal?: AbortSignal): Promise<AclPolicy> {
    const { value } = await this.checked<AclPolicy>(aclPolicyProblem, {
      operation: 'acl.policy.create',
      method: 'PUT',
      path: '/v1/acl/policy',
      query: scopeQuery(scope),
      body: policy,
      signal,
    });
    return value;
  }

  async updatePolicy(
    policy: AclPolicyWrite & { ID: string },
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<AclPolicy> {
    const { value } = await this.checked<AclPolicy>(aclPolicyProblem, {
      operation: 'acl.policy.update',
      method: 'PUT',
      path: `/v1/acl/policy/${encodeURIComponent(policy.ID)}`,
      query: scopeQuery(scope),
      body: policy,
      signal,
    });
    return value;
  }

  async deletePolicy(id: string, scope: AclScope = {}, signal?: AbortSignal): Promise<void> {
    await this.deleteIgnoringNotFound({
      operation: 'acl.policy.delete',
      path: `/v1/acl/policy/${encodeURIComponent(id)}`,
      query: scopeQuery(scope),
      signal,
    });
  }

  async listPolicies(scope: AclScope = {}, blocking: BlockingOptions = {}): Promise<Indexed<AclPolicy>> {
    return this.list<AclPolicy>('acl.policies.list', '/v1/acl/policies', aclPolicyProblem, scope, blocking);
  }

  private async list<T>(
    operation: string,
    path: string,
    itemProblem: (item: unknown) => string | undefined,
    scope: AclScope,
    blocking: BlockingOptions,
  ): Promise<Indexed<T>> {
    const { value, index } = await this.checked<T[] | null>((list) => listProblem(list, itemProblem), {
      operation,
      method: 'GET',
      path,
      ...blockingRead(scope, blocking),
    });
    return { items: value ?? [], index: index ?? '0' };
  }

  /** Sends `req`, parses the JSON answer and rejects it unless `problem` finds nothing wrong. */
  private async checked<T>(
    problem: (value: unknown) => string | undefined,
    req: ConsulRequest,
  ): Promise<{ value: T; index?: string }> {
    return checkedJson<T>(this.transport, problem, req);
  }

  private async readOrUndefined<T>(read: () => Promise<{ value: T }>): Promise<T | undefined> {
    try {
      return (await read()).value ?? undefined;
    } catch (error) {
      if (isConsulNotFound(error)) return undefined;
      throw error;
    }
  }

  private async deleteIgnoringNotFound(req: {
    operation: string;
    path: string;
    query: Query;
    signal?: AbortSignal;
  }) {
    try {
      await this.transport.send({ ...req, method: 'DELETE' });
    } catch (error) {
      if (!isConsulNotFound(error)) throw error;
    }
  }
}

/** Reads may answer `null` for a missing object; anything else must be a token. */
function tokenProblem(value: unknown): string | undefined {
  return value === null ? undefined : aclTokenProblem(value);
}

function policyProblem(value: unknown): string | undefined {
  return value === null ? undefined : aclPolicyProblem(value);
}
