/**
 * startConsulServer: an in-process emulation of Consul's HTTP API (ACLs, sessions, KV, catalog,
 * status) for tests, like controller-runtime's envtest.
 *
 * Invariants:
 * - ACLs are enabled with default_policy "deny"; the initial management token and the builtin
 *   global-management policy exist before the first request (as after a leader election).
 * - All time comes from the injected Clock (TTLs, lock-delay, blocking waits, latency faults).
 * - The state lives in `ConsulState`, outside the HTTP server: pass `state` to a new server to
 *   "restart" Consul with its data kept. TTL sessions then get a fresh TTL.
 * - `close()` ends blocked queries and open connections and stops this server's timers.
 */
import { setMaxListeners } from 'node:events';

import { asyncScheduler } from 'rxjs';

import { type Clock, type Random } from '../../src/time/clock.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { CallLog } from '../call-log.js';
import { FaultInjector } from '../faults.js';
import { listen } from '../http-listener.js';
import { type AclContext, type ConsulVersion } from './acl/context.js';
import { type IamIdentity } from './acl/iam-identity.js';
import { ensureBuiltinPolicy } from './acl/policies.js';
import { ensureSystemTokens } from './acl/tokens.js';
import { registerCatalog } from './catalog.js';
import { DEFAULT_SCOPE } from './scope.js';
import { aclRoutes } from './http/acl-routes.js';
import { agentRoutes } from './http/agent-routes.js';
import { catalogRoutes } from './http/catalog-routes.js';
import { kvRoutes } from './http/kv-routes.js';
import { namespaceRoutes } from './http/namespace-routes.js';
import { partitionRoutes } from './http/partition-routes.js';
import { authMethodRoutes } from './http/auth-method-routes.js';
import { loginRoutes } from './http/login-routes.js';
import { type ServerRuntime } from './http/runtime.js';
import { sessionRoutes } from './http/session-routes.js';
import { idGenerator } from './ids.js';
import { ensureDefaultNamespace } from './namespaces.js';
import { createRouter } from './router.js';
import { SessionTimers } from './session-timers.js';
import { ConsulState } from './state.js';

export interface ConsulServerOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Time source; defaults to real time (SchedulerClock over asyncScheduler). */
  readonly clock?: Clock;
  /** '1.14' answers missing ACL objects with 403 "ACL not found", '1.15' (default) with 404. */
  readonly version?: ConsulVersion;
  /** Enterprise mode: partitions and namespaces accepted and scoped. Default false (CE). */
  readonly enterprise?: boolean;
  /**
   * Enterprise mode: refuse writes into a partition or namespace that does not exist, as Consul
   * Enterprise does (default true). false restores the older, laxer emulation.
   */
  readonly requireNamespaces?: boolean;
  /** SecretID of the initial management token; default a random UUID (kept from `state` if it has one). */
  readonly managementToken?: string;
  /** Install the initial management token (default true). When false, `PUT /v1/acl/bootstrap` works once. */
  readonly initialManagement?: boolean;
  /** Existing state, to restart a server with its data kept. */
  readonly state?: ConsulState;
  /** Random source for generated IDs and fraction-based faults. */
  readonly random?: Random;
  /** Node name of the emulated agent (registered in the catalog). Default "test-node". */
  readonly nodeName?: string;
  /** Datacenter name. Default "dc1". */
  readonly datacenter?: string;
  /** Minimum session TTL (Consul's session_ttl_min). Default 10s. */
  readonly sessionTtlMinMs?: number;
  /** A session expires after TTL × this multiplier. Default 1 (real Consul: up to 2). */
  readonly sessionTtlMultiplier?: number;
  /**
   * The faked identity check of `aws-iam` logins: bearer token → what AWS would say of its caller
   * (acl/iam-identity.ts). Added to `state.iamIdentities`; any other bearer is refused.
   */
  readonly iamIdentities?: Readonly<Record<string, IamIdentity>>;
}

export interface ConsulServer {
  readonly url: string;
  readonly port: number;
  /** SecretID of the initial management token ('' when `initialManagement` is false). */
  readonly managementToken: string;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  readonly state: ConsulState;
  /** Makes `bearer` log in as `identity` through any aws-iam auth method that trusts its ARN. */
  addIamIdentity(bearer: string, identity: IamIdentity): void;
  close(): Promise<void>;
}

export async function startConsulServer(options: ConsulServerOptions = {}): Promise<ConsulServer> {
  const clock = options.clock ?? new SchedulerClock(asyncScheduler);
  const state = options.state ?? new ConsulState();
  const newId = idGenerator(options.random);
  const version = options.version ?? '1.15';
  const enterprise = options.enterprise ?? false;
  const nodeName = options.nodeName ?? 'test-node';
  const datacenter = options.datacenter ?? 'dc1';
  const installManagement = options.initialManagement ?? true;
  const managementToken = installManagement
    ? (options.managementToken ?? state.initialManagementSecret ?? newId())
    : '';

  const acl: AclContext = { state, now: clock.now(), newId, enterprise, version };
  for (const [bearer, identity] of Object.entries(options.iamIdentities ?? {}))
    state.iamIdentities.set(bearer, identity);
  ensureBuiltinPolicy(state);
  if (enterprise) ensureDefaultNamespace(state, 'default');
  ensureSystemTokens(acl, installManagement ? managementToken : undefined);
  if (!state.nodes.has(nodeName)) {
    registerCatalog(
      state,
      {
        ID: newId(),
        Node: nodeName,
        Address: '127.0.0.1',
        Service: { ID: 'consul', Service: 'consul', Port: 8300 },
        Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing' },
      },
      datacenter,
      DEFAULT_SCOPE,
    );
  }

  const shutdown = new AbortController();
  // Every in-flight request listens on it (many blocking queries at once is normal), so Node's
  // default of 10 listeners would warn of a leak that is not one.
  setMaxListeners(0, shutdown.signal);
  const sessionTimers = new SessionTimers(state, clock, options.sessionTtlMultiplier ?? 1);
  sessionTimers.armAll();
  const runtime: ServerRuntime = {
    state,
    clock,
    version,
    enterprise,
    requireNamespaces: options.requireNamespaces ?? true,
    newId,
    nodeName,
    datacenter,
    sessionTtlMinMs: options.sessionTtlMinMs ?? 10_000,
    sessionTimers,
    shutdown: shutdown.signal,
  };
  const calls = new CallLog();
  const faults = new FaultInjector(options.random);
  const routes = [
    ...aclRoutes(),
    ...sessionRoutes(),
    ...kvRoutes(),
    ...catalogRoutes(),
    ...namespaceRoutes(),
    ...partitionRoutes(),
    ...authMethodRoutes(),
    ...loginRoutes,
    ...agentRoutes(),
  ];
  const listener = await listen(createRouter({ routes, runtime, calls, faults }), options.port ?? 0);

  let closed: Promise<void> | undefined;
  return {
    url: listener.url,
    port: listener.port,
    managementToken,
    calls,
    faults,
    state,
    addIamIdentity(bearer, identity) {
      state.iamIdentities.set(bearer, identity);
    },
    close() {
      closed ??= (async () => {
        shutdown.abort();
        sessionTimers.stopAll();
        await listener.close();
      })();
      return closed;
    },
  };
}
