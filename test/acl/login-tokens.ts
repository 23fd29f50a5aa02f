/**
 * Login tokens as a consul-ecs v0.7+ task's login makes them, for the `controller` specs: the
 * description Consul writes at login (`token created via login: {…meta…}`), a token with it made
 * through an AclWorld's management token, and whether a token still exists.
 */
import { type AclWorld } from './world.js';

/** Consul's description of a login token whose login meta names `cluster` and `taskId`. */
export const loginDescription = (cluster: string, taskId: string): string =>
  `token created via login: ${JSON.stringify({
    'consul.hashicorp.com/cluster': cluster,
    'consul.hashicorp.com/task-id': taskId,
  })}`;

/** Makes the login token of the task `taskArn` in `cluster`; returns its AccessorID. */
export async function createLoginToken(world: AclWorld, cluster: string, taskArn: string): Promise<string> {
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  const { json } = await world.consul<{ AccessorID: string }>('PUT', '/v1/acl/token', {
    Description: loginDescription(cluster, taskId),
    ServiceIdentities: [{ ServiceName: 'web' }],
  });
  return json.AccessorID;
}

export async function loginTokenExists(world: AclWorld, accessorId: string): Promise<boolean> {
  return (await world.consul('GET', `/v1/acl/token/${accessorId}`)).status === 200;
}
