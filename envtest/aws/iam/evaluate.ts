/**
 * IAM evaluation of identity-based policies for one request (action, resource, context), as AWS
 * evaluates them within one account with no other policy types.
 *
 * Invariants:
 * - An explicit Deny in any statement of any policy wins over every Allow.
 * - Otherwise an Allow in any statement allows; otherwise the request is implicitly denied.
 * - A statement applies when its action, its resource and all of its conditions match: Action
 *   (or NotAction) case-insensitively with wildcards, Resource (or NotResource) ARN field by
 *   field, conditions as `conditions.ts` defines.
 * - Evaluation is pure: the same policies and request always give the same decision.
 */
import { conditionHolds, type RequestContext } from './conditions.js';
import { type Policy, type Statement } from './policy.js';
import { resourceMatches, wildcardMatches } from './wildcard.js';

export interface IamRequest {
  /** `service:Action`, e.g. `secretsmanager:GetSecretValue`. */
  readonly action: string;
  /** The resource ARN authorized against, or `*` for an action without resource types. */
  readonly resource: string;
  readonly context?: RequestContext;
}

export type Decision = 'allow' | 'implicit-deny' | 'explicit-deny';

export interface Evaluation {
  readonly decision: Decision;
  /** The deciding statement: the first Deny that matched, or the first Allow. */
  readonly statement?: Statement;
}

export function statementApplies(statement: Statement, request: IamRequest): boolean {
  const actionListed = statement.actions.some((pattern) =>
    pattern === '*' ? true : wildcardMatches(pattern, request.action, true),
  );
  if (actionListed === statement.notAction) return false;
  const resourceListed = statement.resources.some((pattern) => resourceMatches(pattern, request.resource));
  if (resourceListed === statement.notResource) return false;
  const context = request.context ?? {};
  return statement.conditions.every((condition) =>
    conditionHolds(condition.operator, condition.key, condition.values, context),
  );
}

export function evaluate(policies: readonly Policy[], request: IamRequest): Evaluation {
  let allowing: Statement | undefined;
  for (const policy of policies) {
    for (const statement of policy.statements) {
      if (!statementApplies(statement, request)) continue;
      if (statement.effect === 'Deny') return { decision: 'explicit-deny', statement };
      allowing ??= statement;
    }
  }
  return allowing ? { decision: 'allow', statement: allowing } : { decision: 'implicit-deny' };
}
