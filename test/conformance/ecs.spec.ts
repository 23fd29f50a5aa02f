// Registers the ECS contract against every ECS backend.
import { envtestEcsBackend } from './backends/envtest.js';
import { ministackBackend } from './backends/ministack.js';
import { motoBackend } from './backends/moto.js';
import { ecsContract } from './ecs.contract.js';
import { runContract } from './harness/contract.js';

for (const backend of [motoBackend, ministackBackend, envtestEcsBackend]) runContract(ecsContract, backend);
