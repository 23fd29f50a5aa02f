// Our own emulators (envtest/*/server.ts) as conformance backends.
// Invariants:
// - never listed in departures.ts: they must pass every case;
// - the servers are loaded by dynamic import, so this file compiles before they exist; while a
//   module is missing, its backend is unavailable (suite skipped with the reason), never passed;
// - the expected module shapes are declared here; when the servers land, these declarations
//   must match their exports (or be replaced by static imports).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BackendUnavailable, type Backend, type BackendInstance } from '../harness/backend.js';

interface EnvtestServer {
  url: string;
  close(): Promise<void>;
}

interface EnvtestConsulServer extends EnvtestServer {
  managementToken: string;
}

interface EcsModule {
  startEcsServer(options?: object): Promise<EnvtestServer>;
}

interface SecretsManagerModule {
  startSecretsManagerServer(options?: object): Promise<EnvtestServer>;
}

interface SqsModule {
  startSqsServer(options?: object): Promise<EnvtestServer>;
}

interface ConsulModule {
  startConsulServer(options?: {
    version?: '1.14' | '1.15';
    enterprise?: boolean;
    managementToken?: string;
  }): Promise<EnvtestConsulServer>;
}

async function load<M>(relative: string, exportName: string): Promise<M> {
  const url = new URL(relative, import.meta.url);
  // Only a missing server file means "unavailable"; a server that fails to load is an error.
  if (!existsSync(fileURLToPath(url))) throw new BackendUnavailable(`${relative} is not in this tree yet`);
  const module = (await import(url.href)) as Record<string, unknown>;
  if (typeof module[exportName] !== 'function')
    throw new Error(`${relative} does not export ${exportName}()`);
  return module as M;
}

function instance(server: EnvtestServer, extra: Partial<BackendInstance> = {}): BackendInstance {
  return { endpoint: server.url.replace(/\/+$/, ''), ...extra, stop: () => server.close() };
}

export const envtestEcsBackend: Backend = {
  name: 'envtest-ecs',
  async start() {
    const module = await load<EcsModule>('../../../envtest/ecs/server.js', 'startEcsServer');
    return instance(await module.startEcsServer());
  },
};

export const envtestSecretsManagerBackend: Backend = {
  name: 'envtest-secretsmanager',
  async start() {
    const module = await load<SecretsManagerModule>(
      '../../../envtest/secretsmanager/server.js',
      'startSecretsManagerServer',
    );
    return instance(await module.startSecretsManagerServer());
  },
};

export const envtestSqsBackend: Backend = {
  name: 'envtest-sqs',
  async start() {
    const module = await load<SqsModule>('../../../envtest/sqs/server.js', 'startSqsServer');
    return instance(await module.startSqsServer());
  },
};

export function envtestConsulBackend(version: '1.14' | '1.15'): Backend {
  return {
    name: `envtest-consul-${version}`,
    async start() {
      const module = await load<ConsulModule>('../../../envtest/consul/server.js', 'startConsulServer');
      const server = await module.startConsulServer({ version });
      return instance(server, { consulToken: server.managementToken, consulVersion: version });
    },
  };
}
