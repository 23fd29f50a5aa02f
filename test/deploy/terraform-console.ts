/**
 * Evaluates expressions of config/terraform/controller (or of its child
 * config/terraform/modules/ecs-task-events) with `terraform console`, offline: only the modules'
 * provider-free files (variables, config, secret ARNs, policy documents, container, the events
 * module call; the child's variables and documents) are copied, with the IAM policy templates they
 * read, into a temporary tree of the same layout, `terraform get` links the local child module, and
 * the variables are given as terraform.tfvars.json. The child's one provider-made value, the
 * queue URL, is stood in by QUEUE_URL_STAND_IN. A failing evaluation (a variable validation)
 * rejects with terraform's stderr, so tests can assert on the message.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO, terraformTool } from './tools.js';

const run = promisify(execFile);

export const CONTROLLER_MODULE = 'config/terraform/controller';
export const TASK_EVENTS_MODULE = 'config/terraform/modules/ecs-task-events';
/** The files of the module that read variables, files and the events module call only. */
export const PROVIDER_FREE_FILES = [
  'variables.tf',
  'config.tf',
  'secret-arns.tf',
  'policies.tf',
  'container.tf',
  'events.tf',
];
/** The files of the ecs-task-events module that read variables only. */
export const TASK_EVENTS_PROVIDER_FREE_FILES = ['variables.tf', 'documents.tf'];
const TEMPLATES = [
  'config/iam/iam-auth-controller-policy.json',
  'config/iam/iam-auth-controller-events-policy.json',
];
/**
 * Stands in for the ecs-task-events output `queue_url` (aws_sqs_queue.this.url, known only to AWS)
 * with the form SQS gives a queue's URL.
 */
export const QUEUE_URL_STAND_IN =
  'output "queue_url" {\n  value = "https://sqs.${local.region}.amazonaws.com/${local.account}/${var.name}"\n}\n';

/** The module's required inputs, with values for a cluster `prod` in eu-west-1. */
export const REQUIRED_INPUTS = {
  ecs_cluster_arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
  region: 'eu-west-1',
  subnets: ['subnet-1'],
  consul_server_hosts: 'consul.example.com',
  name_prefix: 'prod',
  consul_bootstrap_token_secret_arn:
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-bootstrap-AbCdEf',
};

/** Without ANSI colours and box drawing. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').replace(/[│╷╵]/g, '');
}

export class ConsoleError extends Error {
  constructor(readonly stderr: string) {
    super(`terraform console failed: ${stderr.slice(0, 600)}`);
  }
}

/**
 * Each expression's value (through jsonencode and base64encode) under these variables, in the
 * controller module or (module = TASK_EVENTS_MODULE) in the ecs-task-events module.
 */
export async function evaluate(
  context: Mocha.Context,
  variables: Record<string, unknown>,
  expressions: readonly string[],
  module: typeof CONTROLLER_MODULE | typeof TASK_EVENTS_MODULE = CONTROLLER_MODULE,
): Promise<unknown[]> {
  const terraform = terraformTool(context);
  const root = mkdtempSync(join(tmpdir(), 'tf-controller-'));
  try {
    const copy = (file: string) => {
      mkdirSync(join(root, file, '..'), { recursive: true });
      copyFileSync(join(REPO, file), join(root, file));
    };
    for (const file of PROVIDER_FREE_FILES) copy(join(CONTROLLER_MODULE, file));
    for (const file of TASK_EVENTS_PROVIDER_FREE_FILES) copy(join(TASK_EVENTS_MODULE, file));
    for (const file of TEMPLATES) copy(file);
    writeFileSync(join(root, TASK_EVENTS_MODULE, 'queue-url.tf'), QUEUE_URL_STAND_IN);
    const moduleDir = join(root, module);
    writeFileSync(join(moduleDir, 'terraform.tfvars.json'), JSON.stringify(variables));
    const env = {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      TF_CLI_CONFIG_FILE: '/dev/null',
      TF_IN_AUTOMATION: '1',
    };
    // Links the local child module (.terraform/modules); no provider, no network.
    await run(terraform, ['get'], { cwd: moduleDir, env }).catch((error: { stderr?: string }) => {
      throw new ConsoleError(plain(error.stderr ?? String(error)));
    });
    const child = run(terraform, ['console'], { cwd: moduleDir, env });
    // One expression (a tuple): in piped mode the console prints only the last value. base64: it
    // prints strings as HCL literals (`${` as `$${`), base64 needs no unescaping.
    child.child.stdin?.end(`base64encode(jsonencode([${expressions.join(', ')}]))\n`);
    const { stdout, stderr } = await child.catch((error: { stderr?: string }) => {
      throw new ConsoleError(plain(error.stderr ?? String(error)));
    });
    // A failed variable validation still exits 0, with the error on stderr.
    if (/Error:/.test(plain(stderr))) throw new ConsoleError(plain(stderr));
    const last = stdout.trim().split('\n').pop() ?? '';
    const values = JSON.parse(
      Buffer.from(JSON.parse(last) as string, 'base64').toString('utf8'),
    ) as unknown[];
    if (values.length !== expressions.length) throw new Error(`terraform console printed ${stdout}`);
    return values;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** One expression's value. */
export async function evaluateOne<T>(
  context: Mocha.Context,
  variables: Record<string, unknown>,
  expression: string,
): Promise<T> {
  return (await evaluate(context, variables, [expression]))[0] as T;
}
