/**
 * Request body schemas of the ACL endpoints, mirroring the Go structs Consul decodes into.
 *
 * Invariants:
 * - Namespace/Partition (and AuthMethodNamespace) exist only in the enterprise schemas, so an OSS
 *   server rejects them as unknown fields, like Consul CE.
 */
import { ANY, BOOL, NUMBER, STRING, STRING_ARRAY, STRING_MAP, type StructSchema } from '../json-body.js';

const ENTERPRISE_FIELDS = { Namespace: STRING, Partition: STRING };

function withEnterprise(
  schema: StructSchema,
  enterprise: boolean,
  extra: Record<string, typeof STRING> = {},
): StructSchema {
  return enterprise
    ? { structName: schema.structName, fields: { ...schema.fields, ...ENTERPRISE_FIELDS, ...extra } }
    : schema;
}

function linkSchema(structName: string): StructSchema {
  return { structName, fields: { ID: STRING, Name: STRING } };
}

const SERVICE_IDENTITY: StructSchema = {
  structName: 'ACLServiceIdentity',
  fields: { ServiceName: STRING, Datacenters: STRING_ARRAY },
};

const NODE_IDENTITY: StructSchema = {
  structName: 'ACLNodeIdentity',
  fields: { NodeName: STRING, Datacenter: STRING },
};

export function tokenSchema(enterprise: boolean): StructSchema {
  return withEnterprise(
    {
      structName: 'ACLToken',
      fields: {
        AccessorID: STRING,
        SecretID: STRING,
        Description: STRING,
        Policies: { kind: 'objectArray', schema: linkSchema('ACLTokenPolicyLink') },
        Roles: { kind: 'objectArray', schema: linkSchema('ACLTokenRoleLink') },
        ServiceIdentities: { kind: 'objectArray', schema: SERVICE_IDENTITY },
        NodeIdentities: { kind: 'objectArray', schema: NODE_IDENTITY },
        Local: BOOL,
        AuthMethod: STRING,
        ExpirationTime: ANY,
        ExpirationTTL: ANY,
        CreateTime: ANY,
        Hash: ANY,
        CreateIndex: NUMBER,
        ModifyIndex: NUMBER,
      },
    },
    enterprise,
    { AuthMethodNamespace: STRING },
  );
}

export function policySchema(enterprise: boolean): StructSchema {
  return withEnterprise(
    {
      structName: 'ACLPolicy',
      fields: {
        ID: STRING,
        Name: STRING,
        Description: STRING,
        Rules: STRING,
        Datacenters: STRING_ARRAY,
        Hash: ANY,
        CreateIndex: NUMBER,
        ModifyIndex: NUMBER,
      },
    },
    enterprise,
  );
}

export function roleSchema(enterprise: boolean): StructSchema {
  return withEnterprise(
    {
      structName: 'ACLRole',
      fields: {
        ID: STRING,
        Name: STRING,
        Description: STRING,
        Policies: { kind: 'objectArray', schema: linkSchema('ACLRolePolicyLink') },
        ServiceIdentities: { kind: 'objectArray', schema: SERVICE_IDENTITY },
        NodeIdentities: { kind: 'objectArray', schema: NODE_IDENTITY },
        Hash: ANY,
        CreateIndex: NUMBER,
        ModifyIndex: NUMBER,
      },
    },
    enterprise,
  );
}

/** `POST /v1/acl/login`'s body (Consul's structs.ACLLoginParams as the HTTP API decodes it). */
export function loginSchema(enterprise: boolean): StructSchema {
  return withEnterprise(
    { structName: 'ACLLoginParams', fields: { AuthMethod: STRING, BearerToken: STRING, Meta: STRING_MAP } },
    enterprise,
  );
}

export function authMethodSchema(enterprise: boolean): StructSchema {
  return withEnterprise(
    {
      structName: 'ACLAuthMethod',
      fields: {
        Name: STRING,
        Type: STRING,
        DisplayName: STRING,
        Description: STRING,
        MaxTokenTTL: ANY,
        TokenLocality: STRING,
        Config: ANY,
        NamespaceRules: ANY,
        CreateIndex: NUMBER,
        ModifyIndex: NUMBER,
      },
    },
    enterprise,
  );
}

export function bindingRuleSchema(enterprise: boolean): StructSchema {
  return withEnterprise(
    {
      structName: 'ACLBindingRule',
      fields: {
        ID: STRING,
        Description: STRING,
        AuthMethod: STRING,
        Selector: STRING,
        BindType: STRING,
        BindName: STRING,
        CreateIndex: NUMBER,
        ModifyIndex: NUMBER,
      },
    },
    enterprise,
  );
}
