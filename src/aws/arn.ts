/**
 * ARN scopes: the partition, region and account an ARN names, and the ECS cluster ARN built from
 * them. Pure; never throws.
 */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

const ARN = /^arn:([^:]+):[^:]+:([^:]*):([^:]*):.+$/;
const CLUSTER_ARN = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/;

/** The partition, region and account of an ARN with both; undefined for anything else. */
export function arnScope(arn: string | undefined): ArnScope | undefined {
  const match = ARN.exec(arn ?? '');
  if (!match || match[2] === '' || match[3] === '') return undefined;
  return { partition: match[1], region: match[2], account: match[3] };
}

/** The short name of an ECS cluster ARN, or undefined when `value` is not one. */
export function clusterNameOfArn(value: string): string | undefined {
  return CLUSTER_ARN.exec(value)?.[1];
}

export function clusterArn(scope: ArnScope, name: string): string {
  return `arn:${scope.partition}:ecs:${scope.region}:${scope.account}:cluster/${name}`;
}
