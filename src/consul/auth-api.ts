/**
 * AuthApi: Consul's auth methods, binding rules and roles, as a controller that keeps them needs:
 * read (missing reads as undefined), create, update; binding rules are listed per auth method.
 *
 * Invariants:
 * - A 404 (or 403 "ACL not found") read is "missing"; any other failure rejects, so an error never
 *   causes a duplicate create.
 * - Answers are checked for the fields acted on (`Name`/`Type`/`Config` of a method, `ID` and the
 *   bind fields of a rule, `ID`/`Name` of a role); anything else rejects with a ConsulError.
 * - Partition and namespace go out only when set (an OSS server never sees them).
 */
import { listProblem } from './acl-shape.js';
import {
  type BlockingOptions,
  blockingRead,
  checkedJson,
  type Problem,
  readOrUndefined,
  scopeQuery,
} from './checked-requests.js';
import { type ConsulRequest, type ConsulTransport } from './consul-transport.js';
import { type AclLink, type AclScope, type Indexed } from './acl-types.js';

export interface AuthMethod {
  readonly Name: string;
  readonly Type: string;
  readonly Description?: string;
  readonly DisplayName?: string;
  readonly Config: Readonly<Record<string, unknown>>;
  readonly NamespaceRules?: readonly { readonly Selector: string; readonly BindNamespace: string }[];
}

/** An auth method as `GET /v1/acl/auth-methods` lists it (no Config). */
export interface AuthMethodStub {
  readonly Name: string;
  readonly Type: string;
  readonly ModifyIndex?: number;
}

export interface BindingRule {
  readonly ID?: string;
  readonly Description: string;
  readonly AuthMethod: string;
  readonly Selector: string;
  readonly BindType: string;
  readonly BindName: string;
  readonly ModifyIndex?: number;
}

export interface AclRoleWrite {
  readonly ID?: string;
  readonly Name: string;
  readonly Description: string;
  readonly Policies?: readonly AclLink[];
}

export interface AclRoleRead {
  readonly ID: string;
  readonly Name: string;
  readonly Description?: string;
  readonly Policies?: readonly AclLink[] | null;
  readonly ModifyIndex?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const methodProblem: Problem = (v) =>
  isObject(v) &&
  typeof v.Name === 'string' &&
  typeof v.Type === 'string' &&
  (v.Config === undefined || isObject(v.Config))
    ? undefined
    : 'not an auth method';
const ruleProblem: Problem = (v) =>
  isObject(v) && typeof v.ID === 'string' && typeof v.BindType === 'string' && typeof v.BindName === 'string'
    ? undefined
    : 'not a binding rule';
const roleProblem: Problem = (v) =>
  isObject(v) && typeof v.ID === 'string' && typeof v.Name === 'string' ? undefined : 'not a role';

export class AuthApi {
  constructor(private readonly transport: ConsulTransport) {}

  async readAuthMethod(
    name: string,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<AuthMethod | undefined> {
    const value = await this.readOrUndefined(methodProblem, {
      operation: 'acl.auth_method.read',
      method: 'GET',
      path: `/v1/acl/auth-method/${encodeURIComponent(name)}`,
      query: scopeQuery(scope),
      signal,
    });
    return value === undefined
      ? undefined
      : { ...(value as AuthMethod), Config: (value as AuthMethod).Config ?? {} };
  }

  async writeAuthMethod(
    method: AuthMethod,
    exists: boolean,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<void> {
    await this.checked(methodProblem, {
      operation: exists ? 'acl.auth_method.update' : 'acl.auth_method.create',
      method: 'PUT',
      path: exists ? `/v1/acl/auth-method/${encodeURIComponent(method.Name)}` : '/v1/acl/auth-method',
      query: scopeQuery(scope),
      body: method,
      signal,
    });
  }

  /** Deletes an auth method (Consul deletes its binding rules and its login tokens with it). */
  async deleteAuthMethod(name: string, scope: AclScope = {}, signal?: AbortSignal): Promise<void> {
    await this.transport.json<unknown>({
      operation: 'acl.auth_method.delete',
      method: 'DELETE',
      path: `/v1/acl/auth-method/${encodeURIComponent(name)}`,
      query: scopeQuery(scope),
      signal,
    });
  }

  /** Every auth method of `scope` (blocking when `blocking.index` is set). */
  async listAuthMethods(
    scope: AclScope = {},
    blocking: BlockingOptions = {},
  ): Promise<Indexed<AuthMethodStub>> {
    const read = blockingRead(scope, blocking);
    return this.list<AuthMethodStub>('acl.auth_methods.list', '/v1/acl/auth-methods', methodProblem, read);
  }

  async listBindingRules(
    authMethod: string,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<BindingRule[]> {
    return [...(await this.watchBindingRules(authMethod, scope, { signal })).items];
  }

  /** `authMethod`'s binding rules with the list's index (blocking when `blocking.index` is set). */
  async watchBindingRules(
    authMethod: string,
    scope: AclScope = {},
    blocking: BlockingOptions = {},
  ): Promise<Indexed<BindingRule>> {
    const read = blockingRead(scope, blocking);
    return this.list<BindingRule>('acl.binding_rules.list', '/v1/acl/binding-rules', ruleProblem, {
      ...read,
      query: { ...read.query, authmethod: authMethod },
    });
  }

  /** Every role of `scope` (blocking when `blocking.index` is set). */
  async listRoles(scope: AclScope = {}, blocking: BlockingOptions = {}): Promise<Indexed<AclRoleRead>> {
    return this.list<AclRoleRead>(
      'acl.roles.list',
      '/v1/acl/roles',
      roleProblem,
      blockingRead(scope, blocking),
    );
  }

  async writeBindingRule(rule: BindingRule, scope: AclScope = {}, signal?: AbortSignal): Promise<void> {
    await this.checked(ruleProblem, {
      operation: rule.ID ? 'acl.binding_rule.update' : 'acl.binding_rule.create',
      method: 'PUT',
      path: rule.ID ? `/v1/acl/binding-rule/${encodeURIComponent(rule.ID)}` : '/v1/acl/binding-rule',
      query: scopeQuery(scope),
      body: rule,
      signal,
    });
  }

  async readRoleByName(
    name: string,
    scope: AclScope = {},
    signal?: AbortSignal,
  ): Promise<AclRoleRead | undefined> {
    return (await this.readOrUndefined(roleProblem, {
      operation: 'acl.role.read_by_name',
      method: 'GET',
      path: `/v1/acl/role/name/${encodeURIComponent(name)}`,
      query: scopeQuery(scope),
      signal,
    })) as AclRoleRead | undefined;
  }

  async writeRole(role: AclRoleWrite, scope: AclScope = {}, signal?: AbortSignal): Promise<void> {
    await this.checked(roleProblem, {
      operation: role.ID ? 'acl.role.update' : 'acl.role.create',
      method: 'PUT',
      path: role.ID ? `/v1/acl/role/${encodeURIComponent(role.ID)}` : '/v1/acl/role',
      query: scopeQuery(scope),
      body: role,
      signal,
    });
  }

  /** A checked list (`null` is empty) and its X-Consul-Index. */
  private async list<T>(
    operation: string,
    path: string,
    itemProblem: Problem,
    read: Pick<ConsulRequest, 'query' | 'waitMs' | 'signal'>,
  ): Promise<Indexed<T>> {
    const problem: Problem = (v) => listProblem(v, itemProblem);
    const { value, index } = await checkedJson<T[] | null>(this.transport, problem, {
      operation,
      method: 'GET',
      path,
      ...read,
    });
    return { items: value ?? [], index: index ?? '0' };
  }

  private async checked(problem: Problem, req: ConsulRequest): Promise<unknown> {
    return (await checkedJson<unknown>(this.transport, problem, req)).value;
  }

  private readOrUndefined(problem: Problem, req: ConsulRequest): Promise<unknown> {
    return readOrUndefined<unknown>(this.transport, problem, req);
  }
}
