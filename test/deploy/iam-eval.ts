/**
 * A small IAM policy evaluator for the deployment tests: Allow statements only (the policy has
 * no Deny), action and resource wildcards, and the condition operators our policy uses
 * (ArnEquals, ArnLike, StringEquals, StringLike, ForAllValues:StringEquals). A condition key
 * missing from the request fails its condition, except under ForAllValues, as in IAM.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: PolicyStatement[];
}

export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function glob(pattern: string, value: string, ignoreCase = false): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, ignoreCase ? 'i' : '').test(value);
}

/** Replaces every `${name}`; an unknown name throws, so a template and its values stay in step. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder \${${name}}`);
    return value;
  });
}

export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] as string))].sort();
}

function conditionHolds(operator: string, key: string, wanted: string[], request: IamRequest): boolean {
  const actual = request.context?.[key];
  if (operator.startsWith('ForAllValues:')) {
    if (actual === undefined) return true;
    const inner = operator.slice('ForAllValues:'.length);
    return list(actual).every((value) => wanted.some((want) => matchOne(inner, want, value)));
  }
  if (actual === undefined) return false;
  return list(actual).some((value) => wanted.some((want) => matchOne(operator, want, value)));
}

function matchOne(operator: string, want: string, value: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return want === value;
    case 'StringLike':
    case 'ArnLike':
      return glob(want, value);
    default:
      throw new Error(`condition operator ${operator} is not emulated`);
  }
}

/** The statement that allows the request, or undefined (an implicit deny). */
export function allowingStatement(policy: PolicyDocument, request: IamRequest): PolicyStatement | undefined {
  return policy.Statement.find(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((action) => glob(action, request.action, true)) &&
      list(statement.Resource).some((resource) => glob(resource, request.resource)) &&
      Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
        Object.entries(keys).every(([key, wanted]) => conditionHolds(operator, key, list(wanted), request)),
      ),
  );
}
