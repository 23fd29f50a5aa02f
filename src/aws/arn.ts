/**
 * ARNs: the partition, region and account an ARN names, the ECS cluster ARN built from them, and
 * the family of a task-definition ARN. Pure; never throws.
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

/**
 * The family of a task-definition ARN (`…:task-definition/<family>:<revision>`), or undefined
 * when the ARN does not have exactly that shape or the family is empty.
 */
export function familyFromTaskDefinitionArn(arn: string): string | undefined {
  const slash = arn.split('/');
  if (slash.length !== 2) return undefined;
  const colon = slash[1].split(':');
  if (colon.length !== 2 || colon[0] === '') return undefined;
  return colon[0];
}

/**
 * The task id of a task ARN: its last `/` segment (`…:task/<cluster>/<id>`, or the old
 * `…:task/<id>`), or undefined when there is none.
 */
export function taskIdFromTaskArn(arn: string): string | undefined {
  const id = arn.slice(arn.lastIndexOf('/') + 1);
  return arn.includes(':task/') && id !== '' ? id : undefined;
}
