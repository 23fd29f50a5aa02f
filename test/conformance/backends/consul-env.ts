// Any real Consul named by CONSUL_HTTP_ADDR with a management token in CONSUL_HTTP_TOKEN.
// Invariants:
// - unavailable (suite skipped with the reason) unless both variables are set;
// - only loopback addresses are accepted (127.0.0.0/8, localhost, [::1]);
// - nothing is started or stopped; cases clean up what they create;
// - the server's version (from /v1/agent/self) decides the not-found convention.
import { BackendUnavailable, type Backend } from '../harness/backend.js';

function loopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const consulEnvBackend: Backend = {
  name: 'consul-env',
  async start() {
    const addr = process.env.CONSUL_HTTP_ADDR;
    const token = process.env.CONSUL_HTTP_TOKEN;
    if (addr === undefined || addr === '' || token === undefined || token === '') {
      throw new BackendUnavailable('set CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN (management) to use it');
    }
    const endpoint = (/^https?:\/\//.test(addr) ? addr : `http://${addr}`).replace(/\/+$/, '');
    const host = new URL(endpoint).hostname;
    if (!loopback(host)) throw new BackendUnavailable(`${host} is not a loopback address`);
    const self = await fetch(`${endpoint}/v1/agent/self`, { headers: { 'X-Consul-Token': token } });
    if (!self.ok) throw new Error(`GET /v1/agent/self: ${self.status} ${await self.text()}`);
    const body = (await self.json()) as { Config?: { Version?: string } };
    const version = body.Config?.Version ?? '';
    return {
      endpoint,
      consulToken: token,
      consulVersion: version.split('.').slice(0, 2).join('.'),
      stop: async () => {},
    };
  },
};
