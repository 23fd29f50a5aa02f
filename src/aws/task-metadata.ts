/**
 * clusterFromTaskMetadata: the cluster this task runs in, from the ECS task metadata endpoint v4
 * (`GET $ECS_CONTAINER_METADATA_URI_V4/task`, field `Cluster`), as consul-ecs finds it. On EC2 the
 * field is the short name, on Fargate the ARN; it is used as given.
 */
export async function clusterFromTaskMetadata(metadataUri: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(`${metadataUri.replace(/\/$/, '')}/task`, { signal });
  if (!response.ok) throw new Error(`task metadata endpoint answered HTTP ${response.status}`);
  const body = (await response.json()) as { Cluster?: unknown };
  if (typeof body.Cluster !== 'string' || body.Cluster === '') {
    throw new Error('task metadata has no Cluster field');
  }
  return body.Cluster;
}
