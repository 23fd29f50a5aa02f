/** The Consul ACL objects the controller reads and writes, with Consul's field names. */

/** Enterprise scope. Absent fields are never sent, so OSS Consul never sees them. */
export interface AclScope {
  readonly partition?: string;
  readonly namespace?: string;
}

export interface AclLink {
  readonly ID?: string;
  readonly Name?: string;
}

export interface ServiceIdentity {
  readonly ServiceName: string;
  readonly Datacenters?: readonly string[];
}

export interface AclToken {
  readonly AccessorID: string;
  /** Present on reads by a caller with acl:write; "<hidden>" otherwise. Never log it. */
  readonly SecretID?: string;
  readonly Description: string;
  readonly Policies?: readonly AclLink[] | null;
  readonly Roles?: readonly AclLink[] | null;
  readonly ServiceIdentities?: readonly ServiceIdentity[] | null;
  readonly NodeIdentities?: readonly { NodeName: string; Datacenter: string }[] | null;
  readonly Local?: boolean;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
  readonly Partition?: string;
  readonly Namespace?: string;
}

export interface AclTokenWrite {
  readonly AccessorID?: string;
  readonly SecretID?: string;
  readonly Description: string;
  readonly Policies?: readonly AclLink[];
  readonly ServiceIdentities?: readonly ServiceIdentity[];
  readonly Roles?: readonly AclLink[];
  readonly NodeIdentities?: readonly { NodeName: string; Datacenter: string }[];
  readonly Local?: boolean;
}

export interface AclPolicy {
  readonly ID: string;
  readonly Name: string;
  readonly Description?: string;
  readonly Rules?: string;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
  readonly Partition?: string;
  readonly Namespace?: string;
}

export interface AclPolicyWrite {
  readonly Name: string;
  readonly Description?: string;
  readonly Rules: string;
}

/** A list result with the index to block on next. */
export interface Indexed<T> {
  readonly items: readonly T[];
  readonly index: string;
}
