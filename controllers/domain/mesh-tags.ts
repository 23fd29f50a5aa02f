/** The ECS tags consul-ecs and the Terraform modules put on mesh tasks and task definitions. */
export const MESH_TAG = 'consul.hashicorp.com/mesh';
export const SERVICE_NAME_TAG = 'consul.hashicorp.com/service-name';
export const PARTITION_TAG = 'consul.hashicorp.com/partition';
export const NAMESPACE_TAG = 'consul.hashicorp.com/namespace';
