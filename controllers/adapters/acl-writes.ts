/**
 * AclWrites: the only way the ACL controllers change Consul ACL objects, so dry-run, error
 * counting and the ownership check live in one place. Each service-token write is checked against the ownership rule (token-ownership) on a fresh read of the token,
 * made right before the write, so a stale cache, a tampered secret or a token that changed hands
 * can never steer a write onto a token that is not the service's own.
 *
 * Invariants:
 * - create: Consul itself refuses an AccessorID that is in use, so a create can never overwrite
 *   another token; the body always carries the description that marks it the service's own.
 * - update and delete: the token is read first; if it is not `key`'s own it is left alone and the
 *   write is refused (logged without any SecretID, counted as `foreign_token_conflict`). A token
 *   already gone needs no delete.
 * - Other writes (the client policy and token, which have their own ownership checks in the
 *   client-token reconciler; service policies of the garbage collector) go through `write`.
 * - In dry-run nothing is written; the intended write is logged.
 * - Every failed Consul call is counted once (`errors_total{kind="consul"}`), except an abort.
 * - A token create or update that succeeded is applied to the token cache at once (Consul's answer,
 *   by ModifyIndex), so reconciles need not wait for the next watch return to see it.
 */
import { type AclScope, type AclToken, type AclTokenWrite } from '../../src/consul/acl-types.js';
import { type AclDeps } from './acl-deps.js';
import { ownedClusterNames, servedPartition } from '../domain/acl-config.js';
import { tokenMarks } from '../domain/token-ownership.js';
import { toOwnedToken } from './owned-acl.js';
import { skipForDryRun } from './dry-run.js';

export type WriteOutcome<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'dry-run' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused' };

const DRY_RUN = { kind: 'dry-run' } as const;
const MISSING = { kind: 'missing' } as const;
const REFUSED = { kind: 'refused' } as const;

export interface ServiceTokenWrite {
  /** The service key the write is for: only its own token may be written. */
  readonly key: string;
  readonly scope: AclScope;
  /** Log fields (service, cluster, accessorId, ...); never a SecretID. */
  readonly context: Record<string, string>;
  readonly signal: AbortSignal;
}

export class AclWrites {
  constructor(private readonly deps: AclDeps) {}

  async create(write: ServiceTokenWrite, token: AclTokenWrite): Promise<WriteOutcome<AclToken>> {
    return this.cached(
      await this.write('create the service token', write.context, () =>
        this.deps.acl.createToken(token, write.scope, write.signal),
      ),
    );
  }

  async update(
    write: ServiceTokenWrite,
    token: AclTokenWrite & { AccessorID: string },
    action: string,
  ): Promise<WriteOutcome<AclToken>> {
    const guard = await this.guard(write, token.AccessorID);
    if (guard !== undefined) return guard;
    return this.cached(
      await this.write(action, write.context, () =>
        this.deps.acl.updateToken(token, write.scope, write.signal),
      ),
    );
  }

  async delete(write: ServiceTokenWrite, accessorId: string, action: string): Promise<WriteOutcome<void>> {
    const guard = await this.guard(write, accessorId);
    if (guard !== undefined) return guard;
    return this.write(action, write.context, () =>
      this.deps.acl.deleteToken(accessorId, write.scope, write.signal),
    );
  }

  /** Runs a write that needs no service-token check: logged instead in dry-run, else counted. */
  async write<T>(
    action: string,
    context: Record<string, string>,
    call: () => Promise<T>,
  ): Promise<WriteOutcome<T>> {
    if (skipForDryRun(this.deps, action, context)) return DRY_RUN;
    return { kind: 'done', value: await this.consul(call) };
  }

  /** Runs a Consul call, counting its failure (not an abort) as a Consul error. */
  async consul<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError'))
        this.deps.metrics.errors.inc({ kind: 'consul' });
      throw error;
    }
  }

  /**
   * Applies Consul's answer to a token write to the token cache at once (if it is an owned token,
   * and newer than what the cache holds), so a reconcile right after it sees its own write without
   * waiting for the next watch return.
   */
  private cached(outcome: WriteOutcome<AclToken>): WriteOutcome<AclToken> {
    if (outcome.kind !== 'done') return outcome;
    const owned = toOwnedToken(
      outcome.value,
      ownedClusterNames(this.deps.config),
      servedPartition(this.deps.config),
    );
    if (owned !== undefined) this.deps.tokens.upsert(owned);
    return outcome;
  }

  /** Undefined when the token exists and is `write.key`'s own; else the outcome to return. */
  private async guard(
    write: ServiceTokenWrite,
    accessorId: string,
  ): Promise<WriteOutcome<never> | undefined> {
    const current = await this.consul(() => this.deps.acl.readToken(accessorId, write.scope, write.signal));
    if (current === undefined) return MISSING;
    if (this.deps.ownership.isServiceTokenOf(tokenMarks(current), write.key)) return undefined;
    this.deps.metrics.errors.inc({ kind: 'foreign_token_conflict' });
    this.deps.logger.error("refused to write a token that is not this service's own", {
      ...write.context,
      accessorId,
    });
    return REFUSED;
  }
}
