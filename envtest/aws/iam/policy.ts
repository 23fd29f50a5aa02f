/**
 * IamPolicy: an identity-based IAM policy document (the JSON policy language), checked and
 * normalised once, when an envtest server is started with it.
 *
 * Invariants:
 * - Every statement has Effect Allow or Deny, exactly one of Action/NotAction and exactly one of
 *   Resource/NotResource, each normalised to a non-empty list of strings.
 * - Conditions use only the operators `conditions.ts` evaluates (with `IfExists` and the
 *   `ForAllValues:`/`ForAnyValue:` qualifiers); any other operator, a `Principal` element (not
 *   allowed in identity policies), a policy variable (`${...}`) or a short ARN in NotResource
 *   (`arn:aws:sqs:*`, whose meaning there simulators disagree on) is rejected at parse time with
 *   a message naming it, never silently evaluated as a mismatch.
 * - Parsing never mutates the document it was given.
 */
import { isSupportedOperator } from './conditions.js';

/** A policy document as written (string or list elements, as IAM accepts). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatementInput | readonly PolicyStatementInput[];
}

export interface PolicyStatementInput {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, ConditionValue | readonly ConditionValue[]>>>
  >;
}

export type ConditionValue = string | number | boolean;

/** One condition: `operator` (e.g. `ForAllValues:StringEquals`) on `key`, any of `values`. */
export interface Condition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Patterns of Action, or of NotAction when `notAction`. */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly string[];
  readonly notResource: boolean;
  readonly conditions: readonly Condition[];
}

export interface Policy {
  readonly statements: readonly Statement[];
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

export function parsePolicy(document: PolicyDocument): Policy {
  if (typeof document !== 'object' || document === null) throw new PolicyError('a policy must be an object');
  if (document.Version !== undefined && !VERSIONS.has(document.Version)) {
    throw new PolicyError(`unknown policy Version ${JSON.stringify(document.Version)}`);
  }
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  if (raw.length === 0) throw new PolicyError('a policy needs at least one Statement');
  return {
    statements: raw.map((statement, index) => parseStatement(statement as PolicyStatementInput, index)),
  };
}

function parseStatement(input: PolicyStatementInput, index: number): Statement {
  const where = `Statement ${input.Sid ?? `#${index}`}`;
  if (typeof input !== 'object' || input === null) throw new PolicyError(`${where} must be an object`);
  if ('Principal' in input || 'NotPrincipal' in input) {
    throw new PolicyError(`${where}: Principal is not allowed in an identity-based policy`);
  }
  if (input.Effect !== 'Allow' && input.Effect !== 'Deny') {
    throw new PolicyError(`${where}: Effect must be "Allow" or "Deny"`);
  }
  const [actions, notAction] = oneOf(where, input, 'Action', 'NotAction');
  const [resources, notResource] = oneOf(where, input, 'Resource', 'NotResource');
  for (const action of actions) {
    if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
      throw new PolicyError(`${where}: ${JSON.stringify(action)} is not an action (service:Action)`);
    }
  }
  for (const resource of resources) noVariables(where, resource);
  if (notResource) {
    for (const resource of resources) {
      if (resource !== '*' && resource.startsWith('arn:') && resource.split(':').length < 6) {
        throw new PolicyError(
          `${where}: a short ARN in NotResource (${resource}) is not emulated by envtest; write all six fields`,
        );
      }
    }
  }
  return {
    ...(input.Sid !== undefined ? { sid: input.Sid } : {}),
    effect: input.Effect,
    actions,
    notAction,
    resources,
    notResource,
    conditions: parseConditions(where, input.Condition),
  };
}

function oneOf(
  where: string,
  input: PolicyStatementInput,
  positive: 'Action' | 'Resource',
  negative: 'NotAction' | 'NotResource',
): [string[], boolean] {
  const has = input[positive] !== undefined;
  const hasNot = input[negative] !== undefined;
  if (has === hasNot) throw new PolicyError(`${where}: needs exactly one of ${positive} and ${negative}`);
  const value = has ? input[positive] : input[negative];
  const list = typeof value === 'string' ? [value] : [...(value as readonly unknown[])];
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item === '')) {
    throw new PolicyError(`${where}: ${has ? positive : negative} must be a string or a list of strings`);
  }
  return [list as string[], hasNot];
}

function parseConditions(where: string, block: PolicyStatementInput['Condition']): Condition[] {
  if (block === undefined) return [];
  const conditions: Condition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    if (!isSupportedOperator(operator)) {
      throw new PolicyError(`${where}: condition operator ${operator} is not emulated by envtest`);
    }
    for (const [key, value] of Object.entries(keys)) {
      const values = (Array.isArray(value) ? value : [value]) as ConditionValue[];
      if (values.some((item) => !['string', 'number', 'boolean'].includes(typeof item))) {
        throw new PolicyError(`${where}: values of ${operator} ${key} must be strings`);
      }
      const strings = values.map(String);
      for (const item of strings) noVariables(where, item);
      conditions.push({ operator, key, values: strings });
    }
  }
  return conditions;
}

function noVariables(where: string, text: string): void {
  if (text.includes('${')) {
    throw new PolicyError(`${where}: policy variables (${text}) are not emulated by envtest`);
  }
}
