/**
 * clusterAliases: the other name of an ECS cluster, so that descriptions written with either its
 * short name or its ARN are ours. consul-ecs writes whatever it was given or found in task
 * metadata (the ARN on Fargate, the short name on EC2), so a migration that changes the form (our
 * Terraform module passes the short name) must not rotate every secret.
 *
 * Invariants: an ARN's alias is its short name; a short name's alias is the ARN in the scope
 * (partition, region, account) of the task this process runs in, else of the cluster's client
 * secret ARN (the same Terraform deployment); with neither, there is no alias. Pure.
 */
import { type ArnScope, clusterArn, clusterNameOfArn } from '../../src/aws/arn.js';

export function clusterAliases(cluster: string, scope: ArnScope | undefined): string[] {
  const name = clusterNameOfArn(cluster);
  if (name !== undefined) return [name];
  return scope === undefined ? [] : [clusterArn(scope, cluster)];
}
