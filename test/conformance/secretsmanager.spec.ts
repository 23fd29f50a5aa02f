// Registers the Secrets Manager contract against every Secrets Manager backend.
import { envtestSecretsManagerBackend } from './backends/envtest.js';
import { ministackBackend } from './backends/ministack.js';
import { motoBackend } from './backends/moto.js';
import { runContract } from './harness/contract.js';
import { secretsManagerContract } from './secretsmanager.contract.js';

for (const backend of [motoBackend, ministackBackend, envtestSecretsManagerBackend]) {
  runContract(secretsManagerContract, backend);
}
