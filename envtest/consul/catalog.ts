/**
 * Catalog: nodes and the services registered on them.
 *
 * Invariants:
 * - A service always belongs to a registered node; deregistering a node removes its services and
 *   invalidates its sessions.
 * - A service's ID defaults to its name and is unique per node.
 */
import { badRequest, rpcError } from './errors.js';
import { ANY, BOOL, type Decoded, STRING, STRING_MAP, type StructSchema } from './json-body.js';
import { type CatalogNode, type CatalogService } from './catalog-model.js';
import { type Scope } from './scope.js';
import { invalidateSession } from './sessions.js';
import { type ConsulState } from './state.js';

export function registerSchema(enterprise: boolean): StructSchema {
  return {
    structName: 'RegisterRequest',
    fields: {
      Datacenter: STRING,
      ID: STRING,
      Node: STRING,
      Address: STRING,
      TaggedAddresses: STRING_MAP,
      NodeMeta: STRING_MAP,
      Service: ANY,
      Check: ANY,
      Checks: ANY,
      SkipNodeUpdate: BOOL,
      Token: STRING,
      ...(enterprise ? { Namespace: STRING, Partition: STRING } : {}),
    },
  };
}

export function deregisterSchema(enterprise: boolean): StructSchema {
  return {
    structName: 'DeregisterRequest',
    fields: {
      Datacenter: STRING,
      Node: STRING,
      ServiceID: STRING,
      CheckID: STRING,
      Token: STRING,
      ...(enterprise ? { Namespace: STRING, Partition: STRING } : {}),
    },
  };
}

export interface RegistrationPlan {
  readonly node: string;
  readonly serviceName?: string;
}

/** What a register request would touch, for the ACL check before applying it. */
export function planRegistration(body: Decoded): RegistrationPlan {
  const node = typeof body['Node'] === 'string' ? body['Node'] : '';
  if (node === '') throw rpcError('Must provide node');
  const service = body['Service'] as Record<string, unknown> | undefined;
  const serviceName = service && typeof service['Service'] === 'string' ? service['Service'] : undefined;
  return serviceName !== undefined ? { node, serviceName } : { node };
}

export function registerCatalog(state: ConsulState, body: Decoded, datacenter: string, scope: Scope): void {
  const { node } = planRegistration(body);
  const address = typeof body['Address'] === 'string' ? body['Address'] : '';
  const skipNodeUpdate = body['SkipNodeUpdate'] === true;
  if (address === '' && !skipNodeUpdate) throw rpcError('Must provide address if SkipNodeUpdate is not set');
  const service = body['Service'];
  if (service !== undefined && (typeof service !== 'object' || service === null || Array.isArray(service))) {
    throw badRequest(
      'Request decode failed: json: cannot unmarshal into Go struct field RegisterRequest.Service',
    );
  }
  const svc = service as Record<string, unknown> | undefined;
  if (svc && (typeof svc['Service'] !== 'string' || svc['Service'] === '')) {
    throw rpcError('Must provide service name (Service.Service) with a service registration');
  }
  state.write(['nodes', 'services'], (index) => {
    const existing = state.nodes.get(node);
    if (!existing || !skipNodeUpdate) {
      const record: CatalogNode = {
        id: typeof body['ID'] === 'string' ? body['ID'] : (existing?.id ?? ''),
        node,
        address: address || (existing?.address ?? ''),
        datacenter,
        taggedAddresses: (body['TaggedAddresses'] as Record<string, string> | undefined) ?? {},
        meta: (body['NodeMeta'] as Record<string, string> | undefined) ?? {},
        checks: mergeCheckIds(existing?.checks ?? [], body),
        createIndex: existing?.createIndex ?? index,
        modifyIndex: index,
      };
      state.nodes.set(node, record);
    }
    if (svc) {
      const name = svc['Service'] as string;
      const id = typeof svc['ID'] === 'string' && svc['ID'] !== '' ? svc['ID'] : name;
      const services = state.services.get(node) ?? new Map<string, CatalogService>();
      const previous = services.get(id);
      services.set(id, {
        node,
        id,
        service: name,
        tags: Array.isArray(svc['Tags']) ? (svc['Tags'] as string[]) : [],
        address: typeof svc['Address'] === 'string' ? svc['Address'] : '',
        port: typeof svc['Port'] === 'number' ? svc['Port'] : 0,
        meta: (svc['Meta'] as Record<string, string> | undefined) ?? {},
        kind: typeof svc['Kind'] === 'string' ? svc['Kind'] : '',
        raw: svc,
        createIndex: previous?.createIndex ?? index,
        modifyIndex: index,
        scope,
      });
      state.services.set(node, services);
    }
  });
}

/** Node-level check IDs named by `Check`/`Checks` (a check's ID defaults to its Name). */
function mergeCheckIds(existing: readonly string[], body: Decoded): string[] {
  const ids = new Set(existing);
  const raw = [body['Check'], ...(Array.isArray(body['Checks']) ? body['Checks'] : [])];
  for (const check of raw) {
    if (typeof check !== 'object' || check === null) continue;
    const record = check as Record<string, unknown>;
    if (typeof record['ServiceID'] === 'string' && record['ServiceID'] !== '') continue;
    const id =
      typeof record['CheckID'] === 'string' && record['CheckID'] !== '' ? record['CheckID'] : record['Name'];
    if (typeof id === 'string' && id !== '') ids.add(id);
  }
  return [...ids];
}

export function deregisterCatalog(state: ConsulState, body: Decoded, now: number): void {
  const node = typeof body['Node'] === 'string' ? body['Node'] : '';
  if (node === '') throw rpcError('Must provide node');
  const serviceId = typeof body['ServiceID'] === 'string' ? body['ServiceID'] : '';
  if (serviceId !== '') {
    state.write(['services'], () => {
      state.services.get(node)?.delete(serviceId);
    });
    return;
  }
  if (typeof body['CheckID'] === 'string' && body['CheckID'] !== '') {
    state.write(['nodes'], () => undefined);
    return;
  }
  for (const session of [...state.sessions.values()]) {
    if (session.node === node) invalidateSession(state, session.id, now);
  }
  state.write(['nodes', 'services'], () => {
    state.nodes.delete(node);
    state.services.delete(node);
  });
}

export function allServices(state: ConsulState, scope: Scope): CatalogService[] {
  const all: CatalogService[] = [];
  for (const services of state.services.values()) {
    for (const service of services.values()) {
      if (service.scope.partition === scope.partition && service.scope.namespace === scope.namespace)
        all.push(service);
    }
  }
  return all.sort((a, b) => a.node.localeCompare(b.node) || a.id.localeCompare(b.id));
}

export function renderNode(node: CatalogNode): Record<string, unknown> {
  return {
    ID: node.id,
    Node: node.node,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: node.taggedAddresses,
    Meta: node.meta,
    CreateIndex: node.createIndex,
    ModifyIndex: node.modifyIndex,
  };
}

export function renderAgentService(service: CatalogService, enterprise: boolean): Record<string, unknown> {
  return {
    ID: service.id,
    Service: service.service,
    Tags: service.tags,
    Address: service.address,
    Meta: service.meta,
    Port: service.port,
    ...(service.kind ? { Kind: service.kind } : {}),
    ...(enterprise ? { Namespace: service.scope.namespace, Partition: service.scope.partition } : {}),
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}

export function renderServiceNode(
  state: ConsulState,
  service: CatalogService,
  enterprise: boolean,
): Record<string, unknown> {
  const node = state.nodes.get(service.node);
  return {
    ID: node?.id ?? '',
    Node: service.node,
    Address: node?.address ?? '',
    Datacenter: node?.datacenter ?? '',
    TaggedAddresses: node?.taggedAddresses ?? {},
    NodeMeta: node?.meta ?? {},
    ServiceKind: service.kind,
    ServiceID: service.id,
    ServiceName: service.service,
    ServiceTags: service.tags,
    ServiceAddress: service.address,
    ServiceMeta: service.meta,
    ServicePort: service.port,
    ...(enterprise ? { Namespace: service.scope.namespace, Partition: service.scope.partition } : {}),
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}
