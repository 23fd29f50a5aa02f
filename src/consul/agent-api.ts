/**
 * AgentApi: what a controller reads of the Consul agent it talks to: its datacenter and the
 * primary datacenter (ACLs are replicated from the primary, where global objects are written).
 *
 * Invariant: an answer without a string `Config.Datacenter` rejects with a ConsulError; a missing
 * primary datacenter reads as the agent's own (a single-datacenter cluster).
 */
import { ConsulError } from './consul-error.js';
import { type ConsulTransport } from './consul-transport.js';

export interface Datacenters {
  readonly datacenter: string;
  readonly primary: string;
}

export class AgentApi {
  constructor(private readonly transport: ConsulTransport) {}

  async datacenters(signal?: AbortSignal): Promise<Datacenters> {
    const operation = 'agent.self';
    const { value } = await this.transport.json<unknown>({
      operation,
      method: 'GET',
      path: '/v1/agent/self',
      signal,
    });
    const config = (value as { Config?: Record<string, unknown> } | null)?.Config;
    const datacenter = config?.Datacenter;
    if (typeof datacenter !== 'string' || datacenter === '')
      throw new ConsulError(operation, 200, 'unexpected response: no Config.Datacenter');
    const primary = config?.PrimaryDatacenter;
    return { datacenter, primary: typeof primary === 'string' && primary !== '' ? primary : datacenter };
  }
}
