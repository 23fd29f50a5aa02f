/**
 * EcsArns: builds and reads ECS ARNs in the long format AWS uses today.
 *
 * Invariants:
 * - cluster:         arn:aws:ecs:<region>:<account>:cluster/<cluster>
 * - service:         arn:aws:ecs:<region>:<account>:service/<cluster>/<service>
 * - task:            arn:aws:ecs:<region>:<account>:task/<cluster>/<taskId>
 * - task definition: arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>
 * - container:       arn:aws:ecs:<region>:<account>:container/<cluster>/<taskId>/<uuid>
 * - Parsing never throws: an unreadable ARN gives `undefined`.
 */
export class EcsArns {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  private prefix(): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}`;
  }

  cluster(name: string): string {
    return `${this.prefix()}:cluster/${name}`;
  }

  service(clusterName: string, serviceName: string): string {
    return `${this.prefix()}:service/${clusterName}/${serviceName}`;
  }

  task(clusterName: string, taskId: string): string {
    return `${this.prefix()}:task/${clusterName}/${taskId}`;
  }

  taskDefinition(family: string, revision: number): string {
    return `${this.prefix()}:task-definition/${family}:${revision}`;
  }

  /** The ARN of a task definition as a call names it (`family` or `family:revision`). */
  taskDefinitionReference(reference: string): string {
    return `${this.prefix()}:task-definition/${reference}`;
  }

  container(clusterName: string, taskId: string, containerId: string): string {
    return `${this.prefix()}:container/${clusterName}/${taskId}/${containerId}`;
  }
}

export interface ParsedEcsArn {
  readonly resourceType: string;
  /** The resource path after `<type>/`, split on `/`. */
  readonly parts: readonly string[];
}

export function parseEcsArn(arn: string): ParsedEcsArn | undefined {
  const fields = arn.split(':');
  if (fields.length < 6 || fields[0] !== 'arn' || fields[2] !== 'ecs') return undefined;
  const resource = fields.slice(5).join(':');
  const slash = resource.indexOf('/');
  if (slash <= 0) return undefined;
  return { resourceType: resource.slice(0, slash), parts: resource.slice(slash + 1).split('/') };
}

/** The name in a cluster reference (a name or a cluster ARN). */
export function clusterNameOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  const parsed = parseEcsArn(reference);
  return parsed?.resourceType === 'cluster' ? (parsed.parts[0] ?? reference) : reference;
}

/** The last path segment of an ARN (task id, service name), or the reference itself. */
export function lastSegmentOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  const parsed = parseEcsArn(reference);
  return parsed?.parts[parsed.parts.length - 1] ?? reference;
}
