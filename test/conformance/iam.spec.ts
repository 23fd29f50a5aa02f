// Registers the IAM contract against every backend that enforces IAM policies.
import { envtestIamBackend, motoIamBackend } from './backends/iam.js';
import { runContract } from './harness/contract.js';
import { iamContract } from './iam.contract.js';

for (const backend of [motoIamBackend, envtestIamBackend]) runContract(iamContract, backend);
