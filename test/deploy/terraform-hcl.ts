/**
 * The Terraform module config/terraform/acl-controller as the deployment tests read it: its .tf
 * files, their source without comments, and their parse by python-hcl2's hcl2tojson (installed by
 * scripts/setup-lint.sh), with `pick` merging one kind of block across files.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { lintTool, REPO } from './tools.js';

const run = promisify(execFile);

export const MODULE = join(REPO, 'config/terraform/acl-controller');
export const MODULE_FILES = readdirSync(MODULE).filter((name) => name.endsWith('.tf'));
export const MODULE_SOURCE = MODULE_FILES.map((name) => readFileSync(join(MODULE, name), 'utf8')).join('\n');
/** The source without comment lines. */
export const MODULE_CODE = MODULE_SOURCE.replace(/^\s*#.*$/gm, '');

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

/** Every .tf file parsed (strings without their quotes; expressions as `${…}`). */
export async function parseModule(context: Mocha.Context): Promise<HclFile[]> {
  const hcl2tojson = lintTool(context, 'hcl2tojson');
  const { stdout } = await run(
    hcl2tojson,
    ['--strip-string-quotes', '--ndjson', '--compact', ...MODULE_FILES],
    {
      cwd: MODULE,
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
