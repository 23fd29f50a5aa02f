/**
 * The AWS environment of the controller's process, resolved once at start, as consul-ecs does:
 * the region from `AWS_REGION`/`AWS_DEFAULT_REGION`, else from the task ARN in ECS task metadata;
 * credentials from the SDK's default chain. Whatever cannot be found is a UsageError (exit 2)
 * that says what to set, never a retry loop ("Region is missing" forever).
 */
import { type ECSClient } from '@aws-sdk/client-ecs';

import { arnScope } from '../../src/aws/arn.js';
import { readTaskMetadata, type TaskMetadata } from '../../src/aws/task-metadata.js';
import { UsageError } from '../../src/cli/command.js';

/** Reads task metadata at most once, and only when asked. */
export class TaskMetadataSource {
  private read: Promise<TaskMetadata> | undefined;

  constructor(private readonly uri: string | undefined) {}

  /** The task's cluster; a UsageError when there is no metadata endpoint or it fails. */
  async cluster(): Promise<string> {
    if (!this.uri) throw new UsageError('no -cluster flag, and ECS_CONTAINER_METADATA_URI_V4 is not set');
    try {
      return (await this.fetch()).cluster;
    } catch (error) {
      throw new UsageError(`ECS_CONTAINER_METADATA_URI_V4: ${(error as Error).message}`);
    }
  }

  /** The task metadata, or undefined outside ECS or when the endpoint fails. */
  async optional(): Promise<TaskMetadata | undefined> {
    if (!this.uri) return undefined;
    return this.fetch().catch(() => undefined);
  }

  private fetch(): Promise<TaskMetadata> {
    this.read ??= readTaskMetadata(this.uri as string, AbortSignal.timeout(5_000));
    return this.read;
  }
}

export async function resolveRegion(
  env: Readonly<Record<string, string | undefined>>,
  metadata: TaskMetadataSource,
): Promise<string> {
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const fromTask = arnScope((await metadata.optional())?.taskArn)?.region;
  if (fromTask) return fromTask;
  throw new UsageError(
    'no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or run as an ECS task (the region is then taken from the task ARN in ECS_CONTAINER_METADATA_URI_V4)',
  );
}

/** Resolves the SDK's credentials once; a UsageError naming the sources when none has any. */
export async function requireCredentials(client: ECSClient): Promise<void> {
  try {
    await client.config.credentials();
  } catch (error) {
    throw new UsageError(
      `no AWS credentials: ${(error as Error).message} (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run as an ECS task with a task role)`,
    );
  }
}
