/**
 * CrossClusterWatch: checks, while a chaos run goes on, that the served clusters never touch each
 * other's tokens or secrets.
 *
 * The replicas serve every cluster with one Consul token and one AWS key, so no call log says
 * which cluster's side made a call. Instead each write is judged, as the envtest server records
 * it (its outcome already in the state), by whether its own cluster could have had a reason for
 * it (see `judgeTokenWrite` and `judgeSecretWrite` in ./invariants.ts):
 *
 * Invariants:
 * - Every `acl.token.delete` and `acl.token.update` Consul call naming a token a served cluster
 *   owned (as the observer last saw it) is judged, with the driver's own out-of-band deletes
 *   exempt, and counted.
 * - Every PutSecretValue or UpdateSecret the controller's key made on a served secret (a
 *   `<prefix>-<service>` or client secret) is judged, and counted; a repeat that made no new
 *   version replaced nothing.
 * - Each distinct verdict is kept once (and logged when found); a failure of the check itself is
 *   kept in `crashes`, never thrown into the envtest server.
 * - `violations()` adds, at the end, the observer's owner changes and the secrets that ever named
 *   the other cluster's token (`crossClusterViolations`).
 */
import { type CallRecord } from '../../src/envtest/call-log.js';
import { type ConsulState } from '../../src/envtest/consul/state.js';
import { type SecretStore } from '../../src/envtest/secretsmanager/store.js';
import { type ServedCluster } from './chaos-world.js';
import {
  CLIENT,
  crossClusterViolations,
  judgeSecretWrite,
  judgeTokenWrite,
  secretIds,
  type SecretIds,
  type Violation,
} from './invariants.js';
import { type Observer } from './observer.js';

/** What the watch needs of the world (ChaosWorld has it). */
export interface CrossClusterWorld {
  readonly clusters: readonly ServedCluster[];
  readonly services: readonly string[];
  readonly consul: { readonly state: ConsulState };
  readonly smServer: { readonly state: SecretStore };
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
  readonly log?: (line: string) => void;
}

export class CrossClusterWatch {
  readonly crashes: string[] = [];
  readonly counts = { tokenDeletes: 0, tokenUpdates: 0, longWantedDeletes: 0, secretWrites: 0 };
  private readonly verdicts = new Map<string, Violation>();
  private readonly servedSecrets = new Map<string, { cluster: string; service: string }>();
  private readonly clusterNames: string[];

  constructor(
    private readonly world: CrossClusterWorld,
    private readonly observer: CrossClusterObserver,
    private readonly driverDeleting: ReadonlySet<string>,
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
      }),
    ];
  }

  summary(): string {
    const c = this.counts;
    const secrets = [...this.observer.secretAccessors.values()].reduce((n, m) => n + m.size, 0);
    return (
      `chaos: cross-cluster: ${c.tokenDeletes} deletes and ${c.tokenUpdates} updates of served tokens judged ` +
      `(${c.longWantedDeletes} by the controller of a token whose service had been active ` +
      `${this.options.tokenWindowMs / 1000} s), ${c.secretWrites} controller secret writes judged, ` +
      `${this.observer.owners.size} token owners and ${secrets} secrets' accessors checked`
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
    if (call.operation !== 'acl.token.delete' && call.operation !== 'acl.token.update') return;
    const accessorId = call.resource;
    if (accessorId === undefined) return;
    const before = this.observer.owners.get(accessorId);
    if (before === undefined) return;
    const { world, observer } = this;
    const served = world.served(before.cluster);
    const client = before.service === CLIENT;
    const byDriver = this.driverDeleting.has(accessorId);
    const wantedForMs = client
      ? observer.knownForMs(accessorId)
      : observer.activeForMs(before.cluster, before.service);
    if (call.status === 200) {
      if (call.operation === 'acl.token.delete') this.counts.tokenDeletes += 1;
      else this.counts.tokenUpdates += 1;
      if (call.operation === 'acl.token.delete' && !byDriver && wantedForMs >= this.options.tokenWindowMs) {
        this.counts.longWantedDeletes += 1;
      }
    }
    this.keep(
      judgeTokenWrite(
        {
          operation: call.operation,
          status: call.status,
          accessorId,
          before,
          after: world.consul.state.tokens.get(accessorId),
          byDriver,
          ownerSecret: secretIds(
            world.smServer.state,
            client ? served.clientSecretArn : `${served.prefix}-${before.service}`,
          ),
          wantedForMs,
        },
        this.clusterNames,
        this.options.tokenWindowMs,
      ),
    );
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
