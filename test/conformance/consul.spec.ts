// Registers the Consul contract against a real Consul (built, or given by CONSUL_HTTP_ADDR)
// and against our envtest Consul in both version modes.
import { consulDevBackend } from './backends/consul-dev.js';
import { consulEnvBackend } from './backends/consul-env.js';
import { envtestConsulBackend } from './backends/envtest.js';
import { consulContract } from './consul.contract.js';
import { runContract } from './harness/contract.js';

for (const backend of [
  consulDevBackend,
  consulEnvBackend,
  envtestConsulBackend('1.14'),
  envtestConsulBackend('1.15'),
]) {
  runContract(consulContract, backend);
}
