/**
 * Evaluates expressions of config/terraform/controller with `terraform console`, offline: only the
 * module's provider-free files (variables, config, secret ARNs, policy documents, container) are
 * copied, with the IAM policy template they read, into a temporary tree of the same layout, and
 * the variables are given as terraform.tfvars.json. A failing evaluation (a variable validation)
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
/** The files of the module that read variables and files only. */
export const PROVIDER_FREE_FILES = [
  'variables.tf',
  'config.tf',
  'secret-arns.tf',
  'policies.tf',
  'container.tf',
];
const TEMPLATES = ['config/iam/iam-auth-controller-policy.json'];

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

/** Each expression's value (through jsonencode and base64encode) under these variables. */
export async function evaluate(
  context: Mocha.Context,
  variables: Record<string, unknown>,
  expressions: readonly string[],
): Promise<unknown[]> {
  const terraform = terraformTool(context);
  const root = mkdtempSync(join(tmpdir(), 'tf-controller-'));
  try {
    const moduleDir = join(root, CONTROLLER_MODULE);
    mkdirSync(moduleDir, { recursive: true });
    for (const file of PROVIDER_FREE_FILES)
      copyFileSync(join(REPO, CONTROLLER_MODULE, file), join(moduleDir, file));
    for (const file of TEMPLATES) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      copyFileSync(join(REPO, file), join(root, file));
    }
    writeFileSync(join(moduleDir, 'terraform.tfvars.json'), JSON.stringify(variables));
    const child = run(terraform, ['console'], {
      cwd: moduleDir,
      env: {
        ...process.env,
        CHECKPOINT_DISABLE: '1',
        TF_CLI_CONFIG_FILE: '/dev/null',
        TF_IN_AUTOMATION: '1',
      },
    });
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
