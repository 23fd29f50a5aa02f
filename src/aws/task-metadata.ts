/**
 * Task metadata: what the ECS task metadata endpoint v4 (`GET $ECS_CONTAINER_METADATA_URI_V4/task`)
 * says about the task this process runs in, as consul-ecs reads it: the `Cluster` (the short name
 * on EC2, the ARN on Fargate; used as given) and the `TaskARN` (whose region is the fallback when
 * the environment names none).
 */
export interface TaskMetadata {
  readonly cluster: string;
  readonly taskArn?: string;
  /** The first IPv4 address of the task's first container, when the metadata has one. */
  readonly ipv4?: string;
}

export async function readTaskMetadata(metadataUri: string, signal?: AbortSignal): Promise<TaskMetadata> {
  const response = await fetch(`${metadataUri.replace(/\/$/, '')}/task`, { signal });
  if (!response.ok) throw new Error(`task metadata endpoint answered HTTP ${response.status}`);
  const body = (await response.json()) as { Cluster?: unknown; TaskARN?: unknown; Containers?: unknown };
  if (typeof body.Cluster !== 'string' || body.Cluster === '') {
    throw new Error('task metadata has no Cluster field');
  }
  return {
    cluster: body.Cluster,
    taskArn: typeof body.TaskARN === 'string' && body.TaskARN !== '' ? body.TaskARN : undefined,
    ipv4: firstIpv4(body.Containers),
  };
}

/** The cluster this task runs in (consul-ecs's lookup). */
export async function clusterFromTaskMetadata(metadataUri: string, signal?: AbortSignal): Promise<string> {
  return (await readTaskMetadata(metadataUri, signal)).cluster;
}

/** `Containers[0].Networks[0].IPv4Addresses[0]`, type-checked at every step. */
function firstIpv4(containers: unknown): string | undefined {
  const first = <T>(list: unknown): T | undefined => (Array.isArray(list) ? (list[0] as T) : undefined);
  const container = first<{ Networks?: unknown }>(containers);
  const network = first<{ IPv4Addresses?: unknown }>(container?.Networks);
  const address = first<unknown>(network?.IPv4Addresses);
  return typeof address === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? address : undefined;
}
