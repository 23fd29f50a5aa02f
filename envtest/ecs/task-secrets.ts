/**
 * TaskSecrets: resolves a task definition's `containerDefinitions[].secrets` the way the ECS agent
 * does when a task starts, against an envtest Secrets Manager store (or any resolver).
 *
 * Invariants:
 * - Only Secrets Manager ARNs are resolved: `arn:<partition>:secretsmanager:<region>:<account>:
 *   secret:<name>[:<json-key>[:<version-stage>[:<version-id>]]]`; an empty json-key means the whole
 *   SecretString. Other `valueFrom` values (SSM parameters) are not modelled and always resolve.
 * - Every distinct `valueFrom` of every container is read once per start; the first failure, in
 *   container then secret order, is the task's stop reason.
 * - A missing secret (or one scheduled for deletion), a missing or empty JSON key, or a value that is
 *   not a JSON object when a key is asked for, fails the start with a `ResourceInitializationError`
 *   stop reason worded as the ECS agent words it (aws/amazon-ecs-agent agent/asm/asm.go).
 * - Resolving never changes the store (no LastAccessedDate update: the agent reads with its own role).
 */
import { type SecretStore } from '../secretsmanager/store.js';
import { type TaskDefinition } from './model.js';

export const TASK_FAILED_TO_START = 'TaskFailedToStart';

/** What the ECS agent would read: the SecretString of the named version, or undefined if none. */
export type SecretResolver = (
  secretArn: string,
  version: { readonly versionStage?: string; readonly versionId?: string },
) => string | undefined;

export interface SecretReference {
  readonly secretArn: string;
  readonly jsonKey?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
}

const PREFIX =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): ';

/** Parses a Secrets Manager `valueFrom`; undefined for anything else (SSM parameters). */
export function parseValueFrom(valueFrom: string): SecretReference | undefined {
  const parts = valueFrom.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'secretsmanager' || parts[5] !== 'secret') {
    return undefined;
  }
  const [jsonKey, versionStage, versionId] = parts.slice(7).map((part) => (part === '' ? undefined : part));
  return {
    secretArn: parts.slice(0, 7).join(':'),
    ...(jsonKey !== undefined ? { jsonKey } : {}),
    ...(versionStage !== undefined ? { versionStage } : {}),
    ...(versionId !== undefined ? { versionId } : {}),
  };
}

/** A resolver reading an envtest SecretStore (the Secrets Manager server's `state`). */
export function storeResolver(store: SecretStore): SecretResolver {
  return (secretArn, version) => {
    const secret = store.find(secretArn);
    if (!secret || secret.deletedAt !== undefined) return undefined;
    const found =
      version.versionId !== undefined
        ? secret.versions.get(version.versionId)
        : store.versionWithStage(secret, version.versionStage ?? 'AWSCURRENT');
    return found?.secretString;
  };
}

/** The stop reason when one of the task definition's secrets cannot be resolved, else undefined. */
export function secretsFailure(taskDefinition: TaskDefinition, resolve: SecretResolver): string | undefined {
  const seen = new Set<string>();
  for (const container of taskDefinition.containerDefinitions) {
    const secrets = Array.isArray(container.secrets) ? (container.secrets as unknown[]) : [];
    for (const entry of secrets) {
      const valueFrom = (entry as { valueFrom?: unknown } | null)?.valueFrom;
      if (typeof valueFrom !== 'string' || seen.has(valueFrom)) continue;
      seen.add(valueFrom);
      const reference = parseValueFrom(valueFrom);
      if (!reference) continue;
      const failure = referenceFailure(reference, resolve);
      if (failure !== undefined) return failure;
    }
  }
  return undefined;
}

function referenceFailure(reference: SecretReference, resolve: SecretResolver): string | undefined {
  const value = resolve(reference.secretArn, {
    ...(reference.versionStage !== undefined ? { versionStage: reference.versionStage } : {}),
    ...(reference.versionId !== undefined ? { versionId: reference.versionId } : {}),
  });
  if (value === undefined) {
    return (
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ` +
      `unable to retrieve secret from asm: The task can't retrieve the secret with ARN '${reference.secretArn}' ` +
      `from AWS Secrets Manager. Check whether the secret exists in the specified Region.`
    );
  }
  if (reference.jsonKey === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return `${PREFIX}unable to unmarshal secret value of secret ${reference.secretArn}: the value is not a JSON object`;
  }
  const keyed = (parsed as Record<string, unknown>)[reference.jsonKey];
  if (keyed === undefined || keyed === null || keyed === '') {
    return `${PREFIX}retrieved secret from Secrets Manager did not contain json key ${reference.jsonKey}`;
  }
  return undefined;
}
