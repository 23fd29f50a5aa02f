/**
 * CrossClusterWatch: checks, while a chaos run goes on, that the controller never writes a token
 * or secret for anyone but its owner: the served clusters never touch each other's, and a
 * reconcile of one service never touches another service's token or the client token.
 *
 * The replicas serve every cluster with one Consul token and one AWS key, so no call log says
 * which cluster's side, or which service's reconcile, made a call. Instead each write is judged,
 * as the envtest server records it (its outcome already in the state), by whether its token's or
 * secret's own owner could have had a reason for it (see `judgeTokenWrite` and `judgeSecretWrite`
 * in ./invariants.ts):
 *
 * Invariants:
 * - A ledger follows every token through the Consul call log: after each successful token create,
 *   clone, update or delete, its owner (cluster and service, the client token, or none) and
 *   SecretID as the state then has them; so each write is judged against the owner the token had
 *   just before it (the observer's sample only for tokens no write has named yet).
 * - Every successful `acl.token.delete` and `acl.token.update` is judged and counted, except the
 *   run's own: a call whose principal (its token's AccessorID) is the driver's. Creates and
 *   clones are counted (nothing about a create alone says whose reconcile made it).
 * - Every PutSecretValue or UpdateSecret the controller's key made on a served secret (a
 *   `<prefix>-<service>` or client secret) is judged, and counted; a repeat that made no new
 *   version replaced nothing.
 * - Each distinct verdict is kept once (and logged when found); a failure of the check itself is
 *   kept in `crashes`, never thrown into the envtest server.
 * - With `runningWindowMs` and the world's ECS state, each judged delete is also judged by
 *   `judgeRunningDelete` (./running-delete.ts: the token its service's secret names deleted while
 *   the service had a running mesh task in that cluster), with the ECS state of that moment; the
 *   deletes of such a named token while its service had any running task are counted, and the
 *   youngest such task's age kept, to show how near the window they came.
 * - `violations()` adds, at the end, the observer's owner changes and the secrets that ever named
 *   the other cluster's token (`crossClusterViolations`).
 */
import { type CallRecord } from '../../envtest/call-log.js';
import { type ConsulState } from '../../envtest/consul/state.js';
import { type EcsState } from '../../envtest/ecs/state.js';
import { type SecretStore } from '../../envtest/secretsmanager/store.js';
import { type ServedCluster } from './chaos-world.js';
import {
  CLIENT,
  crossClusterViolations,
  judgeSecretWrite,
  judgeTokenWrite,
  secretIds,
  type SecretIds,
  type TokenOwner,
  tokenOwner,
  type Violation,
} from './invariants.js';
import { type Observer } from './observer.js';
import { deletedNamedToken, judgeRunningDelete } from './running-delete.js';
import { runningForMs } from './running-tasks.js';

/** What the watch needs of the world (ChaosWorld has it). */
export interface CrossClusterWorld {
  readonly clusters: readonly ServedCluster[];
  readonly services: readonly string[];
  readonly consul: { readonly state: ConsulState };
  readonly smServer: { readonly state: SecretStore };
  /** ECS, for the deleted-while-running check (without it, that check is off). */
  readonly ecsServer?: { readonly state: EcsState };
  /** The AccessorID of the token the run's own Consul writes use. */
  readonly driverAccessorId: string;
  served(cluster: string): ServedCluster;
  onConsulCall(listener: (call: CallRecord) => void): void;
  onSecretsCall(listener: (call: CallRecord) => void): void;
}

/** What the watch needs of the observer (Observer has it). */
export type CrossClusterObserver = Pick<
  Observer,
  'owners' | 'ownerChanges' | 'secretAccessors' | 'activeForMs' | 'knownForMs'
>;

export interface CrossClusterOptions {
  /** The controller's AWS access key ID. */
  readonly controllerKey: string;
  /** Token deletes: how long the token must have been wanted (see main's CROSS_WINDOW_MS). */
  readonly tokenWindowMs: number;
  /** Secret writes: how long the replaced healthy value must have been current. */
  readonly secretWindowMs: number;
  /** Deleted-while-running: how long the service's task must have run (absent: check off). */
  readonly runningWindowMs?: number;
  readonly log?: (line: string) => void;
}

const TOKEN_WRITES = new Set(['acl.token.create', 'acl.token.clone', 'acl.token.update', 'acl.token.delete']);

/** A token as the last successful write left it. */
interface LedgerEntry {
  readonly owner: TokenOwner | undefined;
  readonly secretId: string | undefined;
}

export class CrossClusterWatch {
  readonly crashes: string[] = [];
  readonly counts = {
    tokenCreates: 0,
    tokenDeletes: 0,
    tokenUpdates: 0,
    longWantedDeletes: 0,
    secretWrites: 0,
    /** Deletes of the token its service's secret names while the service had a running task. */
    namedWhileRunning: 0,
  };
  /** Among `namedWhileRunning`, the age of the oldest running task its service had (0: none). */
  oldestRunningMs = 0;
  private readonly verdicts = new Map<string, Violation>();
  private readonly servedSecrets = new Map<string, { cluster: string; service: string }>();
  private readonly ledger = new Map<string, LedgerEntry>();
  private readonly clusterNames: string[];

  /** `planted`: AccessorIDs the driver wrote into another service's secret (see crossClusterViolations). */
  constructor(
    private readonly world: CrossClusterWorld,
    private readonly observer: CrossClusterObserver,
    private readonly planted: ReadonlySet<string>,
    private readonly options: CrossClusterOptions,
  ) {
    this.clusterNames = world.clusters.map((c) => c.name);
    for (const c of world.clusters) {
      for (const service of world.services) {
        this.servedSecrets.set(`${c.prefix}-${service}`, { cluster: c.name, service });
      }
      this.servedSecrets.set(`${c.prefix}-consul-client-token`, { cluster: c.name, service: CLIENT });
    }
    world.onConsulCall((call) => this.guard(() => this.onConsulCall(call)));
    world.onSecretsCall((call) => this.guard(() => this.onSecretsCall(call)));
  }

  violations(): Violation[] {
    return [
      ...this.verdicts.values(),
      ...crossClusterViolations({
        owners: this.observer.owners,
        ownerChanges: this.observer.ownerChanges,
        secretAccessors: this.observer.secretAccessors,
        planted: this.planted,
      }),
    ];
  }

  summary(): string {
    const c = this.counts;
    const secrets = [...this.observer.secretAccessors.values()].reduce((n, m) => n + m.size, 0);
    return (
      `chaos: cross-cluster and token owners: ${c.tokenDeletes} deletes and ${c.tokenUpdates} updates ` +
      `(and ${c.tokenCreates} creates) of tokens judged ` +
      `(${c.longWantedDeletes} by the controller of a token whose service had been active ` +
      `${this.options.tokenWindowMs / 1000} s), ${c.secretWrites} controller secret writes judged, ` +
      `${this.observer.owners.size} token owners and ${secrets} secrets' accessors checked` +
      this.runningSummary()
    );
  }

  private runningSummary(): string {
    const window = this.options.runningWindowMs;
    if (window === undefined || this.world.ecsServer === undefined) return '';
    const n = this.counts.namedWhileRunning;
    const oldest = n > 0 ? ` (the oldest such task ${(this.oldestRunningMs / 1000).toFixed(1)} s old)` : '';
    return (
      `; deleted-while-running (window ${window / 1000} s): ${n} deletes of the token a secret names ` +
      `while its service had a running task${oldest}`
    );
  }

  private guard(check: () => void): void {
    try {
      check();
    } catch (error) {
      this.crashes.push(`harness: cross-cluster check: ${(error as Error)?.stack ?? String(error)}`);
    }
  }

  private keep(verdict: Violation | undefined): void {
    if (!verdict || this.verdicts.has(verdict.message)) return;
    this.verdicts.set(verdict.message, verdict);
    this.options.log?.(`chaos: ${verdict.message}`);
  }

  private onConsulCall(call: CallRecord): void {
    const accessorId = call.resource;
    if (!TOKEN_WRITES.has(call.operation) || accessorId === undefined || call.status !== 200) return;
    const { world, observer } = this;
    const after = world.consul.state.tokens.get(accessorId);
    const known = this.ledger.get(accessorId);
    const before = known ? known.owner : observer.owners.get(accessorId);
    const beforeSecret = known ? known.secretId : before?.secretId;
    this.ledger.set(accessorId, {
      owner: after && tokenOwner(after, this.clusterNames),
      secretId: after?.secretId,
    });
    if (call.operation === 'acl.token.create' || call.operation === 'acl.token.clone') {
      this.counts.tokenCreates += 1;
      return;
    }
    const deleted = call.operation === 'acl.token.delete';
    if (deleted) this.counts.tokenDeletes += 1;
    else this.counts.tokenUpdates += 1;
    const byDriver = call.principal === world.driverAccessorId;
    const clientOf = world.clusters.find((c) => {
      const ids = secretIds(world.smServer.state, c.clientSecretArn);
      return ids?.accessorId === accessorId && beforeSecret !== undefined && ids.token === beforeSecret;
    })?.name;
    const client = before?.service === CLIENT;
    const served = before && world.served(before.cluster);
    const wantedForMs = !before
      ? 0
      : client
        ? observer.knownForMs(accessorId)
        : observer.activeForMs(before.cluster, before.service);
    if (deleted && !byDriver && before && wantedForMs >= this.options.tokenWindowMs) {
      this.counts.longWantedDeletes += 1;
    }
    const write = {
      operation: call.operation,
      status: call.status,
      accessorId,
      before,
      after,
      byDriver,
      ownerSecret:
        served &&
        secretIds(
          world.smServer.state,
          client ? served.clientSecretArn : `${served.prefix}-${before.service}`,
        ),
      wantedForMs,
      clientOf,
      namedBy: deleted && before ? this.namedBy(accessorId, before) : [],
      planted: this.planted.has(accessorId),
      runningForMs: this.runningForMs(deleted, before),
    };
    this.keep(judgeTokenWrite(write, this.clusterNames, this.options.tokenWindowMs));
    if (this.options.runningWindowMs === undefined || world.ecsServer === undefined) return;
    if (deletedNamedToken(write) && (write.runningForMs ?? 0) > 0) {
      this.counts.namedWhileRunning += 1;
      this.oldestRunningMs = Math.max(this.oldestRunningMs, write.runningForMs ?? 0);
    }
    this.keep(judgeRunningDelete(write, this.options.runningWindowMs));
  }

  /** For a delete of a served service token: its service's oldest running task's age, from ECS now. */
  private runningForMs(deleted: boolean, before: TokenOwner | undefined): number | undefined {
    const ecs = this.world.ecsServer?.state;
    if (!deleted || !before || before.service === CLIENT || !ecs) return undefined;
    return runningForMs(ecs, before.cluster, before.service, ecs.clock.now());
  }

  /** The served secrets, other than `owner`'s own, whose current value names `accessorId`. */
  private namedBy(accessorId: string, owner: TokenOwner): string[] {
    const names: string[] = [];
    for (const [name, { cluster, service }] of this.servedSecrets) {
      if (cluster === owner.cluster && service === owner.service) continue;
      if (secretIds(this.world.smServer.state, name)?.accessorId === accessorId) names.push(name);
    }
    return names.sort();
  }

  private onSecretsCall(call: CallRecord): void {
    if (call.operation !== 'PutSecretValue' && call.operation !== 'UpdateSecret') return;
    if (call.resource === undefined || call.status !== 200) return;
    if (call.principal !== this.options.controllerKey) return;
    const secret = this.world.smServer.state.find(call.resource);
    const served = secret && this.servedSecrets.get(secret.name);
    if (!secret || !served) return;
    this.counts.secretWrites += 1;
    const versions = [...secret.versions.values()];
    const current = versions.find((v) => v.stages.includes('AWSCURRENT'));
    const previous = versions.find((v) => v.stages.includes('AWSPREVIOUS'));
    // Only a write that made the current version (not an idempotent repeat) replaced anything.
    const made = current !== undefined && previous !== undefined && current.createdAt >= call.at - 2_000;
    const replaced = made ? parseIds(previous.secretString) : undefined;
    this.keep(
      judgeSecretWrite(
        {
          operation: call.operation,
          status: call.status,
          principal: call.principal,
          cluster: served.cluster,
          service: served.service,
          name: secret.name,
          replaced,
          replacedForMs: made ? current.createdAt - previous.createdAt : 0,
          replacedToken:
            typeof replaced?.accessorId === 'string'
              ? this.world.consul.state.tokens.get(replaced.accessorId)
              : undefined,
        },
        this.options.controllerKey,
        this.clusterNames,
        this.options.secretWindowMs,
      ),
    );
  }
}

function parseIds(value: string | undefined): SecretIds | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as { accessor_id?: unknown; token?: unknown } | null;
    return { accessorId: parsed?.accessor_id, token: parsed?.token };
  } catch {
    return undefined;
  }
}
