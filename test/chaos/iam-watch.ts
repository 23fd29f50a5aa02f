/**
 * IamWatch: the invariants of the `controller` chaos run (./iam-main.ts), judged against envtest
 * state and call logs, never through the faulty APIs.
 *
 * Every Consul token or catalog write (create, update, clone, delete, register, deregister), of
 * anyone, is seen as it is recorded (its outcome already in the state): the watch diffs the login
 * tokens and catalog services against its snapshot from just before and judges each removal it
 * did not make itself (the run's driver never removes a token or a service), at that moment:
 * - `deleted-while-running`: a login token of our cluster (its description naming our cluster's
 *   name or ARN) or a synthetic-node service with `task-id` meta was removed while that task was
 *   running in envtest ECS (desired RUNNING) and had been for at least `windowMs`. A younger
 *   task may be unknown to a correct leader (its start event lost, and the only task list since
 *   begun before it ran); such removals are counted (`young`), not judged. A token the driver
 *   re-described (to a running task) after the controller's last read of it is counted `raced`,
 *   not judged: Consul's token delete has no check-and-set, so no re-read can see a change that
 *   comes after it.
 * - `foreign-touched`: a token removed that is not a login token of our cluster (another
 *   cluster's, a look-alike's, a bare or non-login description), a service removed from another
 *   node or without a usable `task-id` meta, or any controller token update or clone other than of
 *   the anonymous token (consul-resources links its policy).
 * End-state checks (`stateViolations`, polled until they hold once the faults stop):
 * - `leftover-token` / `leftover-service`: no login token of our cluster and no synthetic-node
 *   service with `task-id` meta names a task that is not running.
 * - `missing-resource`: the auth method `iam-ecs-service-token` and each of its desired binding
 *   rules exist.
 * Every SecretID ever seen in the state is remembered in `secretIds` (AccessorID as the owner).
 */
import { type CallRecord } from '../../envtest/call-log.js';
import { type ConsulState } from '../../envtest/consul/state.js';
import { type EcsState } from '../../envtest/ecs/state.js';
import { AUTH_METHOD_NAME, desiredBindingRules } from '../../controllers/domain/iam-auth-resources.js';
import { type Violation, type ViolationKind } from './invariants.js';
import { isRunning } from './running-tasks.js';

export type IamViolationKind = ViolationKind | 'leftover-service' | 'missing-resource';
/** A violation of this run: the report's `Violation`, with this run's kinds too. */
export type IamViolation = Omit<Violation, 'kind'> & { readonly kind: IamViolationKind };

const WRITES = new Set([
  'acl.token.create',
  'acl.token.update',
  'acl.token.clone',
  'acl.token.delete',
  'catalog.register',
  'catalog.deregister',
]);
const LOGIN_PREFIX = 'token created via login: ';
const CLUSTER_META = 'consul.hashicorp.com/cluster';
const TASK_META = 'consul.hashicorp.com/task-id';
const ANONYMOUS = '00000000-0000-0000-0000-000000000002';

/** Login meta of a description (cluster and task id), if it is Consul's login description. */
export function loginMeta(description: string): { cluster: string; taskId: string } | undefined {
  if (!description.startsWith(LOGIN_PREFIX)) return undefined;
  try {
    const meta = JSON.parse(description.slice(LOGIN_PREFIX.length)) as Record<string, unknown>;
    const cluster = meta[CLUSTER_META];
    const taskId = meta[TASK_META];
    if (typeof cluster !== 'string' || typeof taskId !== 'string') return undefined;
    return { cluster, taskId };
  } catch {
    return undefined;
  }
}

/** The `task-id` meta of a catalog service, if it is one the controller may collect. */
export function serviceTaskId(meta: Readonly<Record<string, string>>): string | undefined {
  const taskId = meta['task-id'];
  return typeof taskId === 'string' && taskId !== '' && !taskId.includes('/') ? taskId : undefined;
}

interface TokenEntry {
  readonly description: string;
}
interface ServiceEntry {
  readonly node: string;
  readonly id: string;
  readonly taskId: string | undefined;
}

export interface IamWatchOptions {
  readonly ecs: EcsState;
  readonly consul: () => ConsulState;
  /** The cluster's short name and its ARN (the synthetic node's name). */
  readonly clusterName: string;
  readonly clusterArn: string;
  /** The AccessorID the run's own Consul writes use. */
  readonly driverAccessor: () => string;
  readonly windowMs: number;
}

export class IamWatch {
  readonly secretIds = new Map<string, string>();
  readonly violations: IamViolation[] = [];
  /** Removals judged: deleted tokens and deregistered services of stopped tasks, young, raced. */
  readonly counts = { tokens: 0, services: 0, young: 0, raced: 0 };
  private tokens = new Map<string, TokenEntry>();
  private services = new Map<string, ServiceEntry>();
  private seq = 0;
  /** Per AccessorID: the sequence number of the controller's last read, of the driver's last change. */
  private readonly lastRead = new Map<string, number>();
  private readonly lastDriverChange = new Map<string, number>();

  constructor(private readonly options: IamWatchOptions) {}

  /** Takes the first snapshot (before the replicas start). */
  start(): void {
    this.tokens = this.tokenSnapshot();
    this.services = this.serviceSnapshot();
  }

  readonly onCall = (call: CallRecord): void => {
    this.seq += 1;
    const byDriver = call.principal !== undefined && call.principal === this.options.driverAccessor();
    if (call.operation === 'acl.token.read' && !byDriver && call.resource) {
      this.lastRead.set(call.resource, this.seq);
    }
    if (!WRITES.has(call.operation)) return;
    if (
      !byDriver &&
      call.status === 200 &&
      (call.operation === 'acl.token.update' || call.operation === 'acl.token.clone') &&
      call.resource !== ANONYMOUS
    ) {
      this.add('foreign-touched', `controller ${call.operation} of token ${call.resource ?? '?'}`);
    }
    const tokens = this.tokenSnapshot();
    const services = this.serviceSnapshot();
    for (const [accessor, before] of this.tokens) {
      const after = tokens.get(accessor);
      if (after === undefined && !byDriver) this.judgeToken(accessor, before);
      if (byDriver && after !== undefined && after.description !== before.description) {
        this.lastDriverChange.set(accessor, this.seq);
      }
    }
    for (const [key, before] of this.services) {
      if (!services.has(key) && !byDriver) this.judgeService(before);
    }
    this.tokens = tokens;
    this.services = services;
  };

  /** The end-state violations (leftovers, missing resources) now. */
  stateViolations(): IamViolation[] {
    const found: IamViolation[] = [];
    for (const [accessor, { description }] of this.tokenSnapshot()) {
      const meta = loginMeta(description);
      if (meta && this.ours(meta.cluster) && !this.running(meta.taskId)) {
        found.push({
          kind: 'leftover-token',
          message: `login token ${accessor} of stopped task ${meta.taskId} is still there`,
        });
      }
    }
    for (const service of this.serviceSnapshot().values()) {
      if (service.node === this.options.clusterArn && service.taskId && !this.running(service.taskId)) {
        found.push({
          kind: 'leftover-service',
          message: `service ${service.id} of stopped task ${service.taskId} is still on the synthetic node`,
        });
      }
    }
    return [...found, ...this.resourceViolations()];
  }

  resourceViolations(): IamViolation[] {
    const consul = this.options.consul();
    const found: IamViolation[] = [];
    if (![...consul.authMethods.values()].some((m) => m.name === AUTH_METHOD_NAME)) {
      found.push({ kind: 'missing-resource', message: `auth method ${AUTH_METHOD_NAME} is missing` });
    }
    const rules = [...consul.bindingRules.values()].filter((r) => r.authMethod === AUTH_METHOD_NAME);
    for (const wanted of desiredBindingRules(false, '')) {
      if (!rules.some((r) => r.bindName === wanted.BindName && r.description === wanted.Description)) {
        found.push({
          kind: 'missing-resource',
          message: `binding rule ${wanted.BindName} of ${AUTH_METHOD_NAME} is missing`,
        });
      }
    }
    return found;
  }

  private judgeToken(accessor: string, before: TokenEntry): void {
    const meta = loginMeta(before.description);
    if (!meta || !this.ours(meta.cluster)) {
      const what = meta ? `a login token of cluster ${meta.cluster}` : 'not a login token';
      this.add('foreign-touched', `token ${accessor} was deleted: ${what}`);
      return;
    }
    this.counts.tokens += 1;
    const raced = (this.lastDriverChange.get(accessor) ?? 0) > (this.lastRead.get(accessor) ?? 0);
    this.judgeRemoval(`login token ${accessor}`, 'deleted', meta.taskId, raced);
  }

  private judgeService(before: ServiceEntry): void {
    if (before.node !== this.options.clusterArn || before.taskId === undefined) {
      const why = before.taskId === undefined ? 'no usable task-id meta' : 'not the synthetic node';
      this.add('foreign-touched', `service ${before.id} on node ${before.node} was deregistered (${why})`);
      return;
    }
    this.counts.services += 1;
    this.judgeRemoval(`service ${before.id}`, 'deregistered', before.taskId, false);
  }

  /** A removal of `what`, a leftover of `taskId`: a violation when that task had been running long. */
  private judgeRemoval(what: string, verb: string, taskId: string, raced: boolean): void {
    const age = this.runningForMs(taskId);
    if (age === undefined) return;
    if (age < this.options.windowMs) this.counts.young += 1;
    else if (raced) this.counts.raced += 1;
    else {
      this.add(
        'deleted-while-running',
        `${what} of task ${taskId} was ${verb} while the task had been running for ${seconds(age)} s`,
      );
    }
  }

  private add(kind: IamViolationKind, message: string): void {
    this.violations.push({ kind, message });
  }

  private ours(cluster: string): boolean {
    return cluster === this.options.clusterName || cluster === this.options.clusterArn;
  }

  private task(taskId: string) {
    for (const task of this.options.ecs.tasks.values()) {
      if (task.id === taskId && task.clusterName === this.options.clusterName) return task;
    }
    return undefined;
  }

  private running(taskId: string): boolean {
    const task = this.task(taskId);
    return task !== undefined && isRunning(task);
  }

  /** How long task `taskId` has been running, undefined when it is not. */
  private runningForMs(taskId: string): number | undefined {
    const task = this.task(taskId);
    if (!task || !isRunning(task)) return undefined;
    return Math.max(0, this.options.ecs.clock.now() - task.createdAt);
  }

  private tokenSnapshot(): Map<string, TokenEntry> {
    const snapshot = new Map<string, TokenEntry>();
    for (const token of this.options.consul().tokens.values()) {
      snapshot.set(token.accessorId, { description: token.description });
      if (!this.secretIds.has(token.secretId))
        this.secretIds.set(token.secretId, `token ${token.accessorId}`);
    }
    return snapshot;
  }

  private serviceSnapshot(): Map<string, ServiceEntry> {
    const snapshot = new Map<string, ServiceEntry>();
    for (const [node, services] of this.options.consul().services) {
      for (const service of services.values()) {
        snapshot.set(`${node}\n${service.id}`, { node, id: service.id, taskId: serviceTaskId(service.meta) });
      }
    }
    return snapshot;
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
