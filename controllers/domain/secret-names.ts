/**
 * SecretNames: one secret, one owner, across every cluster this process serves. consul-ecs's
 * names (`<prefix>-<svc>`, `<prefix>-<svc>-<ns>-<partition>`) can collide: a service called
 * `consul-client-token` maps onto Terraform's client secret `<prefix>-consul-client-token`, and
 * with dashes in names `a-b`/`c` and `a`/`b-c` give the same `<prefix>-a-b-c-<partition>`. Two
 * owners of one secret would overwrite each other's IDs forever.
 *
 * Invariants:
 * - A client secret's name (in every form it can be addressed by: the name, and the name with the
 *   six-character suffix Secrets Manager adds in ARNs) is reserved: no service may claim it.
 * - A secret name is held by at most one service (cluster + service key) at a time; the first to
 *   claim it keeps it until it releases it (when its service no longer needs a token). A later
 *   claimant is refused for as long as the first holds it.
 * - One instance per process (made by the composition root and shared by its clusters).
 */

/** The forms a secret given by name or ARN can be addressed by in GetSecretValue. */
export function secretNameForms(nameOrArn: string): string[] {
  const arn = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(nameOrArn);
  const name = arn ? arn[1] : nameOrArn;
  const withoutSuffix = /^(.+)-[A-Za-z0-9]{6}$/.exec(name);
  return withoutSuffix ? [name, withoutSuffix[1]] : [name];
}

export class SecretNames {
  private readonly reserved: ReadonlyMap<string, string>;
  private readonly holders = new Map<string, string>();

  /** `clientSecrets`: each served cluster's client secret, by name or ARN. */
  constructor(clientSecrets: readonly string[]) {
    const reserved = new Map<string, string>();
    for (const secret of clientSecrets)
      for (const form of secretNameForms(secret)) reserved.set(form, secret);
    this.reserved = reserved;
  }

  /** Undefined when `owner` may use the secret `name`; otherwise why not. */
  claim(name: string, owner: string): string | undefined {
    const client = this.reserved.get(name);
    if (client !== undefined) return `its secret ${name} is the Consul client secret ${client}`;
    const holder = this.holders.get(name);
    if (holder !== undefined && holder !== owner) return `its secret ${name} is already used by ${holder}`;
    this.holders.set(name, owner);
    return undefined;
  }

  release(name: string, owner: string): void {
    if (this.holders.get(name) === owner) this.holders.delete(name);
  }
}
