/**
 * Task metadata: what the ECS task metadata endpoint v4 (`GET $ECS_CONTAINER_METADATA_URI_V4/task`)
 * says about the task this process runs in, as consul-ecs reads it: the `Cluster` (the short name
 * on EC2, the ARN on Fargate; used as given) and the `TaskARN` (whose region is the fallback when
 * the environment names none).
 */
export interface TaskMetadata {
  readonly cluster: string;
  readonly taskArn?: string;
}

export async function readTaskMetadata(metadataUri: string, signal?: AbortSignal): Promise<TaskMetadata> {
  const response = await fetch(`${metadataUri.replace(/\/$/, '')}/task`, { signal });
  if (!response.ok) throw new Error(`task metadata endpoint answered HTTP ${response.status}`);
  const body = (await response.json()) as { Cluster?: unknown; TaskARN?: unknown };
  if (typeof body.Cluster !== 'string' || body.Cluster === '') {
    throw new Error('task metadata has no Cluster field');
  }
  return {
    cluster: body.Cluster,
    taskArn: typeof body.TaskARN === 'string' && body.TaskARN !== '' ? body.TaskARN : undefined,
  };
}

/** The cluster this task runs in (consul-ecs's lookup). */
export async function clusterFromTaskMetadata(metadataUri: string, signal?: AbortSignal): Promise<string> {
  return (await readTaskMetadata(metadataUri, signal)).cluster;
}
