/**
 * LegacyPoller: a clearly labelled SIMULATION of consul-ecs v0.4.3 `acl-controller`'s documented
 * algorithm, for benchmarks on machines where the real binary cannot be built. It is a tiny client
 * of the same envtest servers, so its calls land in the same counters as the real binary's would.
 *
 * The algorithm (consul-ecs v0.4.3, controller/resource.go and controller/controller.go):
 * - Startup: the client token: read the client secret; read the client policy by name, create it if
 *   missing; create a token; write accessor and SecretID to the secret (UpdateSecret).
 * - Every 10 s (first poll 10 s after start), a full relist: ListTasks (every page, desiredStatus
 *   RUNNING by default) with DescribeTasks(include TAGS) per page; then GET /v1/acl/policies and
 *   GET /v1/acl/tokens (no blocking). A mesh service (tag consul.hashicorp.com/mesh=true; name =
 *   the task family) with running tasks and no token or policy of this cluster is upserted: policy
 *   read by name (created if missing), secret read (and, when empty, new IDs written with
 *   UpdateSecret), token read by accessor, token created if missing. A service of this cluster with
 *   tokens or policies but no task has them deleted at once (no grace period).
 * - Errors are logged and the next poll retries; nothing is cached between polls.
 */
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';

export interface LegacyPollerOptions {
  readonly cluster: string;
  readonly clientSecretArn: string;
  readonly secretNamePrefix: string;
  readonly ecs: ECSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly consulUrl: string;
  readonly consulToken: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

interface ListEntry {
  AccessorID?: string;
  ID?: string;
  Description: string;
}

const MESH_TAG = 'consul.hashicorp.com/mesh';

export class LegacyPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: LegacyPollerOptions) {}

  async start(): Promise<void> {
    await this.clientToken();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll()
        .catch((error: unknown) => this.options.log?.(`poll failed: ${(error as Error).message}`))
        .finally(() => this.schedule());
    }, this.options.pollMs ?? 10_000);
  }

  private async consul<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const response = await fetch(`${this.options.consulUrl}${path}`, {
      method,
      headers: { 'x-consul-token': this.options.consulToken },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json: json as T };
  }

  private description(kind: string, service: string): string {
    return `${kind} for ${service} service\nconsul.hashicorp.com/cluster: ${this.options.cluster}`;
  }

  private async clientToken(): Promise<void> {
    const { secretsManager: sm, clientSecretArn, secretNamePrefix } = this.options;
    await sm.send(new GetSecretValueCommand({ SecretId: clientSecretArn }));
    const name = `${secretNamePrefix}-consul-client-policy`;
    const existing = await this.consul('GET', `/v1/acl/policy/name/${name}`);
    if (existing.status !== 200) {
      await this.consul('PUT', '/v1/acl/policy', {
        Name: name,
        Description: 'ECS Consul client Token Policy',
        Rules: 'node_prefix "" { policy = "write" } service_prefix "" { policy = "read" }',
      });
    }
    const { json } = await this.consul<{ AccessorID: string; SecretID: string }>('PUT', '/v1/acl/token', {
      Description: 'ECS Consul client Token',
      Policies: [{ Name: name }],
    });
    await sm.send(
      new UpdateSecretCommand({
        SecretId: clientSecretArn,
        SecretString: JSON.stringify({ accessor_id: json.AccessorID, token: json.SecretID }),
      }),
    );
  }

  private async poll(): Promise<void> {
    const { ecs, cluster } = this.options;
    const running = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, nextToken }));
      nextToken = page.nextToken;
      if ((page.taskArns ?? []).length === 0) continue;
      const described = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: page.taskArns, include: ['TAGS'] }),
      );
      for (const task of described.tasks ?? []) {
        if (task.tags?.some((tag) => tag.key === MESH_TAG && tag.value === 'true')) {
          const family = /task-definition\/([^:]+):/.exec(task.taskDefinitionArn ?? '')?.[1];
          if (family) running.add(family);
        }
      }
    } while (nextToken);

    const mark = `\nconsul.hashicorp.com/cluster: ${cluster}`;
    const serviceOf = (d: string) => /^(?:Token|Policy) for (.+) service\n/.exec(d)?.[1];
    const policies = (await this.consul<ListEntry[]>('GET', '/v1/acl/policies')).json ?? [];
    const tokens = (await this.consul<ListEntry[]>('GET', '/v1/acl/tokens')).json ?? [];
    const state = new Map<string, { tokens: ListEntry[]; policies: ListEntry[] }>();
    const entry = (name: string) =>
      state.get(name) ?? state.set(name, { tokens: [], policies: [] }).get(name)!;
    for (const p of policies) {
      const name = p.Description.endsWith(mark) ? serviceOf(p.Description) : undefined;
      if (name) entry(name).policies.push(p);
    }
    for (const t of tokens) {
      const name = t.Description.endsWith(mark) ? serviceOf(t.Description) : undefined;
      if (name) entry(name).tokens.push(t);
    }
    for (const name of running) {
      const found = state.get(name);
      if (!found || found.tokens.length === 0 || found.policies.length === 0) await this.upsert(name);
    }
    for (const [name, found] of state) {
      if (running.has(name)) continue;
      for (const t of found.tokens) await this.consul('DELETE', `/v1/acl/token/${t.AccessorID}`);
      for (const p of found.policies) await this.consul('DELETE', `/v1/acl/policy/${p.ID}`);
    }
  }

  private async upsert(service: string): Promise<void> {
    const sm = this.options.secretsManager;
    const policyName = `${service}-service`;
    const policy = await this.consul('GET', `/v1/acl/policy/name/${policyName}`);
    if (policy.status !== 200) {
      await this.consul('PUT', '/v1/acl/policy', {
        Name: policyName,
        Description: this.description('Policy', service),
        Rules: `service "${service}" { policy = "write" } service "${service}-sidecar-proxy" { policy = "write" }`,
      });
    }
    const secretId = `${this.options.secretNamePrefix}-${service}`;
    const current = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
    let secret = JSON.parse(current.SecretString ?? '{}') as { accessor_id?: string; token?: string };
    if (!secret.accessor_id || !secret.token) {
      secret = { accessor_id: randomUUID(), token: randomUUID() };
      await sm.send(new UpdateSecretCommand({ SecretId: secretId, SecretString: JSON.stringify(secret) }));
    }
    const token = await this.consul('GET', `/v1/acl/token/${secret.accessor_id}`);
    if (token.status === 200) return;
    await this.consul('PUT', '/v1/acl/token', {
      AccessorID: secret.accessor_id,
      SecretID: secret.token,
      Description: this.description('Token', service),
      Policies: [{ Name: policyName }],
    });
  }
}
