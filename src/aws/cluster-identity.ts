/**
 * ClusterIdentity: the exact ARN of the ECS cluster a controller serves, so that an event can be
 * matched to it exactly. A short cluster name is not enough: another account, or another region,
 * can have a cluster with the same name, and its events can reach our queue (a shared EventBridge
 * bus, a misrouted rule, a tenant who can send to the queue).
 *
 * Invariants:
 * - Given as an ARN (`-cluster arn:aws:ecs:…:cluster/name`), the ARN is known from the start.
 * - Given as a short name, the ARN is learnt from ECS's own answers to calls made for our cluster
 *   in our account and region: a task ARN from ListTasks (`arn:…:ecs:<region>:<account>:task/…`)
 *   gives `arn:…:ecs:<region>:<account>:cluster/<name>`, and a described task's `clusterArn` is
 *   the ARN itself. It is never learnt from an event.
 * - `judge` is exact once the ARN is known: only an equal ARN matches. Before, an event naming a
 *   cluster of our name is `unverified` (the caller must not act on it), any other is `other`.
 */
export type ClusterMatch = 'match' | 'other_cluster' | 'other_account_or_region' | 'unverified';

const CLUSTER_ARN = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/;
const TASK_ARN_PREFIX = /^(arn:[^:]+:ecs:[^:]*:[^:]*):task\//;

export class ClusterIdentity {
  private known: string | undefined;
  /** The cluster's short name. */
  readonly name: string;

  constructor(readonly cluster: string) {
    const arn = CLUSTER_ARN.exec(cluster);
    this.name = arn ? arn[1] : cluster;
    if (arn) this.known = cluster;
  }

  /** The cluster's ARN, once known. */
  get arn(): string | undefined {
    return this.known;
  }

  /** Learns the ARN from task ARNs ECS listed for our cluster. */
  learnFromTaskArns(taskArns: readonly string[]): void {
    if (this.known !== undefined || taskArns.length === 0) return;
    const prefix = TASK_ARN_PREFIX.exec(taskArns[0]);
    if (prefix) this.known = `${prefix[1]}:cluster/${this.name}`;
  }

  /** Learns the ARN from a task ECS described for our cluster. */
  learnFromClusterArn(clusterArn: string | undefined): void {
    if (this.known !== undefined || clusterArn === undefined) return;
    const arn = CLUSTER_ARN.exec(clusterArn);
    if (arn && arn[1] === this.name) this.known = clusterArn;
  }

  /** How an event's `detail.clusterArn` relates to our cluster. */
  judge(clusterArn: string): ClusterMatch {
    if (this.known !== undefined && clusterArn === this.known) return 'match';
    const arn = CLUSTER_ARN.exec(clusterArn);
    if (!arn || arn[1] !== this.name) return 'other_cluster';
    return this.known === undefined ? 'unverified' : 'other_account_or_region';
  }
}
