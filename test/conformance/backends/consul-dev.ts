// A real Consul v1.14.8 dev agent built by scripts/setup-backends.sh.
// Invariants:
// - ACLs enabled, default policy deny, a fixed initial management token (also the agent token,
//   so the agent can register its own node, which sessions need);
// - HTTP, serf LAN and server RPC on free loopback ports; DNS, gRPC-TLS and serf WAN disabled,
//   gRPC (plaintext) too unless asked for (consul-ecs v0.10 needs it); the update check is
//   disabled (no traffic off this machine);
// - ready only when a leader exists AND the management token resolves (it is installed just
//   after leadership); stop() kills the process group and removes the config dir.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backend, type BackendInstance, BackendUnavailable } from '../harness/backend.js';
import { freePort } from '../harness/free-port.js';
import { launch } from '../harness/launch.js';
import { CONSUL_BUILD_VERSION, consulBin } from '../harness/paths.js';
import { tryFetch } from '../harness/poll.js';

export const CONSUL_DEV_MANAGEMENT_TOKEN = 'c0a5e1c7-0000-4000-8000-00000000a11c';

interface Ports {
  http: number;
  serfLan: number;
  server: number;
  /** -1: off. */
  grpc: number;
}

function config(ports: Ports): string {
  return `disable_update_check = true
node_name            = "conformance"
bind_addr            = "127.0.0.1"
client_addr          = "127.0.0.1"
session_ttl_min      = "1s"
ports {
  http     = ${ports.http}
  serf_lan = ${ports.serfLan}
  server   = ${ports.server}
  dns      = -1
  grpc     = ${ports.grpc}
  grpc_tls = -1
  serf_wan = -1
}
acl {
  enabled        = true
  default_policy = "deny"
  tokens {
    initial_management = "${CONSUL_DEV_MANAGEMENT_TOKEN}"
    agent              = "${CONSUL_DEV_MANAGEMENT_TOKEN}"
  }
}
`;
}

export interface ConsulDevAgent extends BackendInstance {
  readonly consulToken: string;
  /** The plaintext gRPC port, when asked for. */
  readonly grpcPort?: number;
}

export const consulDevBackend: Backend = {
  name: `consul-${CONSUL_BUILD_VERSION}`,
  start: () => startConsulDevAgent(),
};

/** Starts a dev agent (see the header); `grpc` opens its plaintext gRPC port. */
export async function startConsulDevAgent(options: { grpc?: boolean } = {}): Promise<ConsulDevAgent> {
  const bin = consulBin();
  if (!existsSync(bin)) {
    throw new BackendUnavailable(
      `${bin} not built; run scripts/setup-backends.sh (see consul-build-error.txt)`,
    );
  }
  const ports: Ports = {
    http: await freePort(),
    serfLan: await freePort(),
    server: await freePort(),
    grpc: options.grpc === true ? await freePort() : -1,
  };
  const endpoint = `http://127.0.0.1:${ports.http}`;
  const dir = mkdtempSync(join(tmpdir(), 'consul-dev-'));
  const configFile = join(dir, 'acl.hcl');
  writeFileSync(configFile, config(ports));
  const headers = { 'X-Consul-Token': CONSUL_DEV_MANAGEMENT_TOKEN };
  try {
    const proc = await launch({
      name: 'consul agent -dev',
      command: bin,
      args: ['agent', '-dev', `-config-file=${configFile}`],
      cwd: dir,
      ready: async () => {
        const leader = await tryFetch(`${endpoint}/v1/status/leader`);
        if (leader?.ok !== true || (await leader.json()) === '') return false;
        return (await tryFetch(`${endpoint}/v1/acl/token/self`, { headers }))?.ok === true;
      },
    });
    return {
      endpoint,
      consulToken: CONSUL_DEV_MANAGEMENT_TOKEN,
      consulVersion: CONSUL_BUILD_VERSION.split('.').slice(0, 2).join('.'),
      ...(ports.grpc > 0 ? { grpcPort: ports.grpc } : {}),
      stop: async () => {
        await proc.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
