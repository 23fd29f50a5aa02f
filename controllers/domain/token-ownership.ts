/**
 * Token ownership: the one rule that says whose a Consul token is, for one served cluster. Every
 * write the ACL controllers make to a token (create, update, delete, duplicate cleanup, garbage
 * collection, client-token repair) asks this rule first, whether the token came from the cache or
 * from a fresh read.
 *
 * Invariants:
 * - A token is service S's own only if its description is exactly the one we write for S in our
 *   cluster (and, with partitions, in the served partition) (see token-description) **and** it carries nothing the client token has: not the
 *   client description, not a link to the client policy, not the AccessorID the client secret
 *   names. Its identities and policies are state we repair, not marks of ownership.
 * - The client token is the token whose description is our client description (or consul-ecs's
 *   legacy one, which carries no cluster line) and which is no service token; it is nobody's
 *   service token, so no service reconcile and no garbage collection ever writes it.
 * - Everything else is foreign: never written.
 * - Pure: the decision depends only on the token's fields and the rule's settings.
 */
import { type AclToken } from '../../src/consul/acl-types.js';
import { inServedPartition, serviceKey } from './service-ref.js';
import {
  CLIENT_TOKEN_DESCRIPTION,
  type ClusterNames,
  isClientTokenDescription,
  parseOwnedDescription,
} from './token-description.js';

/** The fields of a token the rule looks at; cached tokens and fresh reads both have them. */
export interface TokenMarks {
  readonly accessorId: string;
  readonly description: string;
  readonly policyNames: readonly string[];
}

export type TokenOwner =
  | { readonly kind: 'service'; readonly key: string }
  | { readonly kind: 'client' }
  | { readonly kind: 'foreign' };

const FOREIGN: TokenOwner = { kind: 'foreign' };
const CLIENT: TokenOwner = { kind: 'client' };

export interface OwnershipSettings {
  /** The cluster's names: the one we write, and its alias (short name or ARN). */
  readonly cluster: ClusterNames;
  /** The client policy's name (`<prefix>-consul-client-policy`). */
  readonly clientPolicyName: string;
  /** The served admin partition, when partitions are enabled: a token of another is foreign. */
  readonly partition?: string;
}

export class TokenOwnership {
  private clientAccessorId: string | undefined;

  constructor(private readonly settings: OwnershipSettings) {}

  /** Records the AccessorID the client secret names now (the client-token reconciler tells us). */
  noteClientToken(accessorId: string | undefined): void {
    this.clientAccessorId = accessorId?.toLowerCase();
  }

  ownerOf(token: TokenMarks): TokenOwner {
    const { cluster, clientPolicyName, partition } = this.settings;
    const clientLike =
      token.accessorId.toLowerCase() === this.clientAccessorId ||
      token.policyNames.includes(clientPolicyName);
    if (
      isClientTokenDescription(token.description, cluster) ||
      token.description === CLIENT_TOKEN_DESCRIPTION
    )
      return CLIENT;
    const owned = parseOwnedDescription(token.description, cluster);
    if (owned === undefined || owned.kind !== 'token' || clientLike) return FOREIGN;
    if (!inServedPartition(owned.service, partition)) return FOREIGN;
    return { kind: 'service', key: serviceKey(owned.service) };
  }

  /** True only when `token` is the service token of `key` under the rule above. */
  isServiceTokenOf(token: TokenMarks, key: string): boolean {
    const owner = this.ownerOf(token);
    return owner.kind === 'service' && owner.key === key;
  }

  isClientToken(token: TokenMarks): boolean {
    return this.ownerOf(token).kind === 'client';
  }
}

/** The marks of a token as Consul returned it. */
export function tokenMarks(token: AclToken): TokenMarks {
  return {
    accessorId: token.AccessorID,
    description: token.Description ?? '',
    policyNames: (token.Policies ?? []).map((policy) => policy.Name ?? policy.ID ?? ''),
  };
}
