/**
 * The IAM actions the controller's own AWS calls need, as recorded by the envtest call logs of
 * every AclWorld in this mocha run (calls signed with the controller's access key only, not the
 * test's setup calls), and the actions the deployed IAM policy grants.
 *
 * Invariants:
 * - `recordControllerCalls` adds `<service>:<Operation>` for every call, failed or not (IAM is
 *   checked before the call runs), plus the actions the call implies (IMPLIED_ACTIONS).
 * - The root hook in test/setup.ts fails the run if any recorded action is not in the policy, so
 *   every end-to-end suite, not only the IAM test, checks "no more than the policy grants".
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { type CallRecord } from '../../envtest/call-log.js';

/** The access key ID AclWorld's controllers sign with (the test's own clients use another). */
export const CONTROLLER_ACCESS_KEY_ID = 'AKIDCONTROLLER';

/**
 * Actions a call needs besides its own: CreateSecret with Tags also needs TagResource
 * ("If you include tags in the secret, you also need secretsmanager:TagResource", CreateSecret
 * API reference), and the controller always tags the secrets it creates.
 */
export const IMPLIED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'secretsmanager:CreateSecret': ['secretsmanager:TagResource'],
};

/**
 * The IAM action of an API operation whose name differs from it: SQS batch actions take the
 * permission of their single version ("You cannot set permissions explicitly for …
 * DeleteMessageBatch … setting permissions for … DeleteMessage … sets permissions for the
 * corresponding batch versions", Amazon SQS Developer Guide, batch actions).
 */
export function iamActionOf(action: string): string {
  return action === 'sqs:DeleteMessageBatch' ? 'sqs:DeleteMessage' : action;
}

const recorded = new Set<string>();

export function recordControllerCalls(service: 'ecs' | 'secretsmanager', calls: readonly CallRecord[]): void {
  for (const call of calls) {
    if (call.principal !== CONTROLLER_ACCESS_KEY_ID) continue;
    const action = iamActionOf(`${service}:${call.operation}`);
    recorded.add(action);
    for (const implied of IMPLIED_ACTIONS[action] ?? []) recorded.add(implied);
  }
}

/** Every action recorded so far in this run, sorted. */
export function recordedControllerActions(): string[] {
  return [...recorded].sort();
}

export const POLICY_PATH = fileURLToPath(
  new URL('../../../config/iam/controller-policy.json', import.meta.url),
);

interface Statement {
  readonly Sid?: string;
  readonly Action: string | string[];
}

/** Every action the policy template allows, by statement Sid. */
export function policyActionsBySid(): Map<string, string[]> {
  const policy = JSON.parse(readFileSync(POLICY_PATH, 'utf8')) as { Statement: Statement[] };
  return new Map(
    policy.Statement.map((statement, i) => [
      statement.Sid ?? `#${i}`,
      Array.isArray(statement.Action) ? statement.Action : [statement.Action],
    ]),
  );
}

export function policyActions(): string[] {
  return [...new Set([...policyActionsBySid().values()].flat())].sort();
}
