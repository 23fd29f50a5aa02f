/**
 * HostileDriver: applies the hostile-tenant ops of ./hostile-ops.ts to the world, through the
 * APIs a tenant (ECS, Secrets Manager) or a Consul operator would use, retried through the faults.
 *
 * Invariants:
 * - An op that finds nothing to act on (no healthy source, no other active service, no client
 *   token or policy yet, the colliding ECS service draining) is skipped: `apply` returns false.
 * - Secrets are written with the run's AWS key, Consul objects with the driver's token
 *   (`ChaosWorld.driverCall`), never with the controller's credentials, so the checks tell the
 *   run's writes from the controller's exactly (principal in the call logs).
 * - `plant-secret` reads and writes only the op's cluster's served secrets (`<prefix>-<service>`
 *   for the run's services, and its client secret as a source). Its source is an active service
 *   whose secret names its healthy token (same SecretID, owned by it); its target another active
 *   service. Every AccessorID it plants is added to `planted` before the write; every SecretID it
 *   makes up is remembered by the observer (a copy's SecretID is a token's, already remembered).
 * - `grant-client-token` acts on the token the client secret names, only while it is the client
 *   token (client description), and keeps its description, SecretID and links, adding one.
 *   `rewrite-client-policy` keeps the client policy's ID, name and description, replacing its rules.
 */
import { CreateServiceCommand, DeleteServiceCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';

import { GLOBAL_MANAGEMENT_POLICY_ID } from '../../envtest/consul/acl/model.js';
import { AWSCURRENT } from '../../envtest/secretsmanager/model.js';
import { SERVICE_NAME_TAG } from '../../controllers/domain/mesh-tags.js';
import { clientTokenDescription } from '../../controllers/domain/token-description.js';
import { type ChaosWorld, MESH_TAG } from './chaos-world.js';
import { clientPolicyName } from './client-invariants.js';
import { type HostileOp, type PolicyRewrite } from './hostile-ops.js';
import { secretIds, tokenOwner } from './invariants.js';
import { type Observer } from './observer.js';
import { retrying } from './retrying.js';

export const HOSTILE_ROLE = 'chaos-hostile-role';

export const HOSTILE_RULES: Readonly<Record<PolicyRewrite, string>> = {
  'acl-write': 'acl = "write"\n',
  'service-write': 'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "write"\n}\n',
};

type Of<K extends HostileOp['kind']> = Extract<HostileOp, { kind: K }>;

export class HostileDriver {
  constructor(
    private readonly world: ChaosWorld,
    private readonly observer: Pick<Observer, 'active' | 'remember'>,
    private readonly planted: Set<string>,
  ) {}

  apply(op: HostileOp): Promise<boolean> {
    switch (op.kind) {
      case 'collide-client-secret':
        return this.collide(op);
      case 'plant-secret':
        return this.plant(op);
      case 'grant-client-token':
        return this.grant(op);
      case 'rewrite-client-policy':
        return this.rewrite(op);
    }
  }

  private async collide(op: Of<'collide-client-secret'>): Promise<boolean> {
    const { world } = this;
    const { cluster } = op;
    const name = world.collidingService(cluster);
    if (op.via === 'ecs-service') {
      const existing = world.ecsServer.state.services.find(
        (s) => s.clusterName === cluster && s.name === name && s.status !== 'INACTIVE',
      );
      if (existing?.status === 'DRAINING') return false;
      if (existing) {
        await retrying('DeleteService', () =>
          world.ecs.send(new DeleteServiceCommand({ cluster, service: name, force: true })),
        );
        return true;
      }
      await retrying('CreateService', () =>
        world.ecs.send(
          new CreateServiceCommand({
            cluster,
            serviceName: name,
            taskDefinition: name,
            desiredCount: op.count,
            propagateTags: 'TASK_DEFINITION',
          }),
        ),
      );
      return true;
    }
    const byTag = op.via === 'task-tag';
    await retrying('RunTask', () =>
      world.ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: byTag ? op.family : name,
          tags: byTag ? [MESH_TAG, { key: SERVICE_NAME_TAG, value: name }] : [MESH_TAG],
        }),
      ),
    );
    return true;
  }

  private async plant(op: Of<'plant-secret'>): Promise<boolean> {
    const { world } = this;
    const { cluster } = op;
    const active = world.services.filter((s) => this.observer.active(cluster).has(s)).sort();
    let source: string | undefined;
    if (op.plant !== 'client-copy') {
      const healthy = active.filter((service) => this.healthy(cluster, service));
      if (healthy.length === 0) return false;
      source = healthy[op.pick % healthy.length];
    }
    const from =
      source === undefined ? world.served(cluster).clientSecretArn : world.secretName(cluster, source);
    const value = this.currentValue(from);
    const ids = secretIds(world.smServer.state, from);
    const targets = active.filter((s) => s !== source);
    if (value === undefined || typeof ids?.accessorId !== 'string' || targets.length === 0) return false;
    const target = targets[op.target % targets.length];
    let written = value;
    if (op.plant === 'accessor') {
      const secretId = randomUUID();
      this.observer.remember(secretId, 'a SecretID the chaos driver wrote');
      written = JSON.stringify({ accessor_id: ids.accessorId, token: secretId });
    }
    this.planted.add(ids.accessorId);
    await retrying('PutSecretValue', () =>
      world.sm.send(
        new PutSecretValueCommand({ SecretId: world.secretName(cluster, target), SecretString: written }),
      ),
    );
    return true;
  }

  private async grant(op: Of<'grant-client-token'>): Promise<boolean> {
    const { world } = this;
    const ids = secretIds(world.smServer.state, world.served(op.cluster).clientSecretArn);
    const token =
      typeof ids?.accessorId === 'string' ? world.consul.state.tokens.get(ids.accessorId) : undefined;
    if (token === undefined || token.description !== clientTokenDescription(op.cluster)) return false;
    const policies = token.policyIds.map((ID) => ({ ID }));
    const roles = token.roleIds.map((ID) => ({ ID }));
    const identities = [...token.serviceIdentities];
    if (op.grant === 'global-management') {
      if (!token.policyIds.includes(GLOBAL_MANAGEMENT_POLICY_ID))
        policies.push({ ID: GLOBAL_MANAGEMENT_POLICY_ID });
    } else if (op.grant === 'role') {
      const role = await this.hostileRole();
      if (!token.roleIds.includes(role)) roles.push({ ID: role });
    } else if (!identities.some((identity) => identity.ServiceName === world.services[0])) {
      identities.push({ ServiceName: world.services[0] });
    }
    await this.consul('update the client token', 'PUT', `/v1/acl/token/${token.accessorId}`, {
      AccessorID: token.accessorId,
      Description: token.description,
      Policies: policies,
      Roles: roles,
      ServiceIdentities: identities,
      NodeIdentities: token.nodeIdentities,
      Local: token.local,
    });
    return true;
  }

  private async rewrite(op: Of<'rewrite-client-policy'>): Promise<boolean> {
    const name = clientPolicyName(this.world.served(op.cluster).prefix);
    const policy = [...this.world.consul.state.policies.values()].find((p) => p.name === name);
    if (policy === undefined) return false;
    await this.consul('rewrite the client policy', 'PUT', `/v1/acl/policy/${policy.id}`, {
      ID: policy.id,
      Name: policy.name,
      Description: policy.description,
      Rules: HOSTILE_RULES[op.rules],
    });
    return true;
  }

  /** True when `service`'s secret names its own token of `cluster`, with that token's SecretID. */
  private healthy(cluster: string, service: string): boolean {
    const { world } = this;
    const ids = secretIds(world.smServer.state, world.secretName(cluster, service));
    const token =
      typeof ids?.accessorId === 'string' ? world.consul.state.tokens.get(ids.accessorId) : undefined;
    if (token === undefined || token.secretId !== ids?.token) return false;
    const owner = tokenOwner(
      token,
      world.clusters.map((c) => c.name),
    );
    return owner?.cluster === cluster && owner.service === service;
  }

  private currentValue(secretId: string): string | undefined {
    const store = this.world.smServer.state;
    const secret = store.find(secretId);
    return secret && store.versionWithStage(secret, AWSCURRENT)?.secretString;
  }

  /** The ID of a role linking global-management, created by the driver the first time. */
  private async hostileRole(): Promise<string> {
    const existing = () => [...this.world.consul.state.roles.values()].find((r) => r.name === HOSTILE_ROLE);
    if (!existing()) {
      await this.consul('create the hostile role', 'PUT', '/v1/acl/role', {
        Name: HOSTILE_ROLE,
        Description: 'a role a hostile operator links to the client token',
        Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID }],
      }).catch((error: unknown) => {
        if (!existing()) throw error; // a retried create that had gone through
      });
    }
    return (existing() as { id: string }).id;
  }

  private async consul(what: string, method: string, path: string, body: unknown): Promise<void> {
    await retrying(what, async () => {
      const { status, text } = await this.world.driverCall(method, path, body);
      if (status !== 200) throw new Error(`HTTP ${status}: ${text}`);
    });
  }
}
