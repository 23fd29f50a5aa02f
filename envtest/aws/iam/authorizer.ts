/**
 * IamAuthorizer: decides, per access key ID, whether a call is allowed by that key's
 * identity-based policies, and answers a denied call with the service's AccessDenied error.
 *
 * Invariants:
 * - A key with no policy (or an unsigned call) is allowed everything: servers started without
 *   `iam`, and keys not listed in it, behave exactly as before (no extra work, no random draws).
 * - A call needs every IAM request its operation maps to (e.g. CreateSecret with Tags also needs
 *   secretsmanager:TagResource); the first one denied decides the error, naming its action and
 *   resource.
 * - Policies are parsed when set (server start or `setPolicies`), so a policy envtest cannot
 *   evaluate fails there, with its reason, never at call time.
 */
import { type AwsError } from '../errors.js';
import { type DeniedCall, accessDeniedException } from './access-denied.js';
import { evaluate, type IamRequest } from './evaluate.js';
import { parsePolicy, type Policy, type PolicyDocument } from './policy.js';

/** One IAM request a call needs, and how a denial of it is worded. */
export interface CallAuthorization extends IamRequest {
  /** Leave "on resource: …" out of the AccessDenied message (Secrets Manager ListSecrets). */
  readonly omitResource?: boolean;
}

export interface IamOptions {
  /** Identity-based policies per access key ID: one document or several (all apply). */
  readonly policies: Readonly<Record<string, PolicyDocument | readonly PolicyDocument[]>>;
  /**
   * The principal ARN named in AccessDenied messages, per access key ID; by default
   * `arn:aws:sts::<account>:assumed-role/envtest/<accessKeyId>`.
   */
  readonly principals?: Readonly<Record<string, string>>;
}

export interface IamAuthorizerSpec {
  readonly accountId: string;
  /** The service's AccessDenied error; AccessDeniedException (HTTP 400) by default. */
  readonly accessDenied?: (call: DeniedCall) => AwsError;
}

export class IamAuthorizer {
  private readonly policies = new Map<string, Policy[]>();
  private readonly principals = new Map<string, string>();

  constructor(
    options: IamOptions | undefined,
    private readonly spec: IamAuthorizerSpec,
  ) {
    for (const [key, documents] of Object.entries(options?.policies ?? {})) this.setPolicies(key, documents);
    for (const [key, arn] of Object.entries(options?.principals ?? {})) this.principals.set(key, arn);
  }

  /** Replaces the policies of one access key; `undefined` makes it allow-all again. */
  setPolicies(accessKeyId: string, documents: PolicyDocument | readonly PolicyDocument[] | undefined): void {
    if (documents === undefined) {
      this.policies.delete(accessKeyId);
      return;
    }
    const list = (Array.isArray(documents) ? documents : [documents]) as PolicyDocument[];
    this.policies.set(accessKeyId, list.map(parsePolicy));
  }

  /** Whether calls signed with this key are checked at all. */
  enforces(accessKeyId: string | undefined): boolean {
    return accessKeyId !== undefined && this.policies.has(accessKeyId);
  }

  principalOf(accessKeyId: string): string {
    return (
      this.principals.get(accessKeyId) ??
      `arn:aws:sts::${this.spec.accountId}:assumed-role/envtest/${accessKeyId}`
    );
  }

  /**
   * Throws the service's AccessDenied error unless every request is allowed. `requests` is only
   * called for a key with policies.
   */
  authorize(accessKeyId: string | undefined, requests: () => readonly CallAuthorization[]): void {
    if (accessKeyId === undefined) return;
    const policies = this.policies.get(accessKeyId);
    if (policies === undefined) return;
    for (const request of requests()) {
      const { decision } = evaluate(policies, request);
      if (decision === 'allow') continue;
      const denied: DeniedCall = {
        principal: this.principalOf(accessKeyId),
        action: request.action,
        resource: request.resource,
        explicit: decision === 'explicit-deny',
        ...(request.omitResource === true ? { omitResource: true } : {}),
      };
      throw (this.spec.accessDenied ?? accessDeniedException)(denied);
    }
  }
}
