/**
 * The Terraform modules under config/terraform as the deployment tests read them: their .tf
 * files, their source without comments, and their parse by python-hcl2's hcl2tojson (installed by
 * scripts/setup-lint.sh), with `pick` merging one kind of block across files. The MODULE* exports
 * are config/terraform/acl-controller; `terraformModule` reads any other.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { lintTool, REPO } from './tools.js';

const run = promisify(execFile);

export interface TerraformModule {
  readonly dir: string;
  /** Its .tf file names. */
  readonly files: readonly string[];
  /** Every .tf file, concatenated. */
  readonly source: string;
  /** The source without comment lines. */
  readonly code: string;
}

/** The .tf files of the module at a repository-relative directory. */
export function terraformModule(relativeDir: string): TerraformModule {
  const dir = join(REPO, relativeDir);
  const files = readdirSync(dir).filter((name) => name.endsWith('.tf'));
  const source = files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
  return { dir, files, source, code: source.replace(/^\s*#.*$/gm, '') };
}

const ACL_CONTROLLER = terraformModule('config/terraform/acl-controller');
export const MODULE = ACL_CONTROLLER.dir;
export const MODULE_FILES = [...ACL_CONTROLLER.files];
export const MODULE_SOURCE = ACL_CONTROLLER.source;
/** The source without comment lines. */
export const MODULE_CODE = ACL_CONTROLLER.code;

export type Block = Record<string, Record<string, unknown>>;

export interface HclFile {
  __file__: string;
  variable?: Array<Record<string, { type?: string; default?: unknown; description?: string }>>;
  locals?: Array<Record<string, unknown>>;
  resource?: Array<Record<string, Block>>;
  data?: Array<Record<string, Block>>;
  output?: Array<Record<string, { value: string }>>;
  moved?: Array<{ from: string; to: string }>;
}

/** Every .tf file of acl-controller parsed (strings without their quotes; expressions as `${…}`). */
export async function parseModule(context: Mocha.Context): Promise<HclFile[]> {
  return parseTerraformModule(context, ACL_CONTROLLER);
}

/** Every .tf file of a module parsed, as parseModule. */
export async function parseTerraformModule(
  context: Mocha.Context,
  module: TerraformModule,
): Promise<HclFile[]> {
  const hcl2tojson = lintTool(context, 'hcl2tojson');
  const { stdout } = await run(
    hcl2tojson,
    ['--strip-string-quotes', '--ndjson', '--compact', ...module.files],
    {
      cwd: module.dir,
    },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as HclFile);
}

/** One kind of named block (variable, locals, resource, …) merged across files. */
export function pick<T>(parsed: readonly HclFile[], key: keyof HclFile): Record<string, T> {
  return parsed
    .flatMap((file) => (file[key] as Array<Record<string, T>> | undefined) ?? [])
    .reduce<Record<string, T>>((all, entry) => ({ ...all, ...entry }), {});
}

/**
 * Every resource by its address `type.name` (not `pick`: one file may hold several blocks of one
 * type, and merging by type would keep only the last).
 */
export function resources(parsed: readonly HclFile[]): Record<string, Record<string, unknown>> {
  const byAddress: Record<string, Record<string, unknown>> = {};
  for (const entry of parsed.flatMap((file) => file.resource ?? []))
    for (const [type, byName] of Object.entries(entry))
      for (const [name, body] of Object.entries(byName))
        byAddress[`${type}.${name}`] = body as Record<string, unknown>;
  return byAddress;
}

/** Inputs of terraform-aws-consul-ecs v0.4.3 modules/acl-controller: name → [type, default]. */
export const UPSTREAM_INPUTS: Record<string, [string, unknown]> = {
  consul_ecs_image: ['string', 'public.ecr.aws/hashicorp/consul-ecs:0.4.3'],
  ecs_cluster_arn: ['string', undefined],
  region: ['string', undefined],
  requires_compatibilities: ['${list(string)}', ['EC2', 'FARGATE']],
  launch_type: ['string', 'FARGATE'],
  consul_bootstrap_token_secret_arn: ['string', undefined],
  log_configuration: ['any', null],
  subnets: ['${list(string)}', undefined],
  consul_server_http_addr: ['string', undefined],
  name_prefix: ['string', undefined],
  consul_server_ca_cert_arn: ['string', ''],
  assign_public_ip: ['bool', false],
  consul_partitions_enabled: ['bool', false],
  consul_partition: ['string', 'default'],
  security_groups: ['${list(string)}', []],
};
