/**
 * IAM policy evaluation for the deployment tests, by @cloud-copilot/iam-simulate (a maintained
 * simulator of AWS IAM; a devDependency, see envtest/aws/README.md for why envtest itself
 * does not use it): identity policies with every condition operator, Deny precedence, NotAction/
 * NotResource, and validation of each request against the Service Authorization Reference (an
 * action's resource types and condition keys), so a request built with the wrong resource (e.g.
 * a cluster ARN for ecs:ListTasks, which authorizes against "*") fails loudly instead of passing.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

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
  /** The resource ARN the action authorizes against, or "*" for one without resource types. */
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

export type IamDecision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

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

function accountOf(request: IamRequest): string {
  const fromArn = request.resource.split(':')[4];
  return fromArn !== undefined && /^\d{12}$/.test(fromArn) ? fromArn : '111122223333';
}

/** The decision of IAM for the request under this identity policy alone. */
export async function decide(policy: PolicyDocument, request: IamRequest): Promise<IamDecision> {
  const account = accountOf(request);
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'policy', policy: policy as unknown as Record<string, unknown> }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: `arn:aws:iam::${account}:role/ecs-acl-controller`,
        resource: { accountId: account, resource: request.resource },
        contextVariables: { ...request.context },
      },
    },
    {},
  );
  // A request on "*" (an action without resource types) is a "wildcard" simulation.
  if (result.resultType === 'single') return result.result.analysis.result as IamDecision;
  if (result.resultType === 'wildcard') return result.overallResult as IamDecision;
  throw new Error(`iam-simulate refused ${JSON.stringify(request)}: ${JSON.stringify(result).slice(0, 400)}`);
}

export async function isAllowed(policy: PolicyDocument, request: IamRequest): Promise<boolean> {
  return (await decide(policy, request)) === 'Allowed';
}
