/**
 * Agent and status endpoints: /v1/agent/self, /v1/status/leader, /v1/status/peers.
 *
 * Invariants:
 * - The emulated agent is always a server and always the leader, at 127.0.0.1:8300.
 * - /v1/agent/self needs agent:read on the agent's node and reports Config.Version so clients can
 *   detect the emulated Consul version.
 */
import { json } from './reply.js';
import { type Route } from './route.js';
import { FULL_VERSIONS } from './runtime.js';

const LEADER_ADDRESS = '127.0.0.1:8300';

export function agentRoutes(): Route[] {
  return [
    {
      pattern: /^\/v1\/status\/leader$/,
      methods: { GET: { operation: 'status.leader', handle: () => json(LEADER_ADDRESS) } },
    },
    {
      pattern: /^\/v1\/status\/peers$/,
      methods: { GET: { operation: 'status.peers', handle: () => json([LEADER_ADDRESS]) } },
    },
    {
      pattern: /^\/v1\/agent\/self$/,
      methods: {
        GET: {
          operation: 'agent.self',
          handle(ctx) {
            const { runtime } = ctx;
            ctx.authorizer().requireResource('agent', runtime.nodeName, 'read');
            const node = runtime.state.nodes.get(runtime.nodeName);
            return json({
              Config: {
                Datacenter: runtime.datacenter,
                PrimaryDatacenter: runtime.datacenter,
                NodeName: runtime.nodeName,
                NodeID: node?.id ?? '',
                Revision: 'envtest',
                Server: true,
                Version: FULL_VERSIONS[runtime.version],
                VersionPrerelease: '',
                VersionMetadata: runtime.enterprise ? 'ent' : '',
              },
              Member: {
                Name: runtime.nodeName,
                Addr: '127.0.0.1',
                Port: 8301,
                Tags: { role: 'consul', dc: runtime.datacenter, build: FULL_VERSIONS[runtime.version] },
                Status: 1,
              },
              Meta: {},
            });
          },
        },
      },
    },
  ];
}
