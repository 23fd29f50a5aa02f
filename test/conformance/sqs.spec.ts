// Registers the SQS contract against every SQS backend.
import { envtestSqsBackend } from './backends/envtest.js';
import { ministackBackend } from './backends/ministack.js';
import { motoBackend } from './backends/moto.js';
import { runContract } from './harness/contract.js';
import { sqsContract } from './sqs.contract.js';

for (const backend of [motoBackend, ministackBackend, envtestSqsBackend]) {
  runContract(sqsContract, backend);
}
