/**
 * config/terraform/controller: a drop-in for terraform-aws-consul-ecs v0.10.0 `modules/controller`.
 * Checked against the inputs and resources read from upstream (the fixture
 * test/fixtures/terraform/terraform-aws-consul-ecs-v0.10.0-controller.json, see the module's
 * UPSTREAM.md) by parsing the module with python-hcl2 and reading references in its source: every
 * upstream input exists with the same type and default (the image aside) and the same key checks,
 * no new input is required, the inputs we do not use are documented as ignored, every upstream
 * resource is carried over with its replacement-forcing names, every reference resolves, and
 * `terraform fmt -check` passes.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { readJson } from './deploy-configs.js';
import { PROVIDER_FREE_FILES } from './terraform-console.js';
import {
  type HclFile,
  parseTerraformModule,
  pick as pickFrom,
  resources,
  terraformModule,
} from './terraform-hcl.js';
import { REPO, terraformTool } from './tools.js';

const run = promisify(execFile);

interface UpstreamVariable {
  type: string;
  default?: unknown;
  allowed_keys?: string[];
}
interface UpstreamFixture {
  variables: Record<string, UpstreamVariable>;
  resources: string[];
}

const UPSTREAM = readJson<UpstreamFixture>(
  'test/fixtures/terraform/terraform-aws-consul-ecs-v0.10.0-controller.json',
);
const MODULE = terraformModule('config/terraform/controller');
/** Upstream inputs this module accepts and does not use (see UPSTREAM.md). */
const IGNORED = ['region', 'skip_server_watch', 'consul_grpc_ca_cert_arn', 'grpc_config'];

/** Arguments of upstream resources that force a replacement when changed: ours are equal. */
const UPSTREAM_IDENTITY: Record<string, Record<string, string>> = {
  'aws_iam_role.this_task': { name: '${var.name_prefix}-consul-ecs-controller-task' },
  'aws_iam_role.this_execution': {
    name: '${var.name_prefix}-consul-ecs-controller-execution',
    path: '/ecs/',
  },
  'aws_iam_policy.this_execution': {
    name: '${var.name_prefix}-consul-ecs-controller-execution',
    path: '/ecs/',
    description: 'Consul controller execution',
  },
  'aws_ecs_service.this': { name: 'consul-ecs-controller', cluster: '${var.ecs_cluster_arn}' },
  'aws_ecs_task_definition.this': { family: '${var.name_prefix}-consul-ecs-controller' },
};

const unwrap = (type: string | undefined) => type?.replace(/^\$\{(.*)\}$/, '$1');

describe('Terraform module controller (drop-in for upstream modules/controller v0.10.0)', function () {
  this.timeout(20_000);
  let parsed: HclFile[];
  const pick = <T>(key: keyof HclFile) => pickFrom<T>(parsed, key);

  before(async function () {
    parsed = await parseTerraformModule(this, MODULE);
  });

  it('the upstream fixture lists 24 inputs and 7 resources', () => {
    expect(Object.keys(UPSTREAM.variables)).to.have.length(24);
    expect(UPSTREAM.resources).to.have.length(7);
  });

  it('has every upstream input with the same type and default (the image aside)', () => {
    const variables = pick<{ type?: string; default?: unknown }>('variable');
    for (const [name, upstream] of Object.entries(UPSTREAM.variables)) {
      const variable = variables[name];
      expect(variable, name).to.not.equal(undefined);
      expect(unwrap(variable?.type), `${name} type`).to.equal(upstream.type);
      expect('default' in (variable ?? {}), `${name} has a default`).to.equal('default' in upstream);
      if (name !== 'consul_ecs_image')
        expect(variable?.default, `${name} default`).to.deep.equal(upstream.default);
    }
  });

  it('requires exactly the inputs upstream requires; our own inputs all have defaults', () => {
    const variables = pick<{ default?: unknown }>('variable');
    const required = Object.keys(variables).filter((name) => !('default' in (variables[name] ?? {})));
    const upstreamRequired = Object.entries(UPSTREAM.variables)
      .filter(([, variable]) => !('default' in variable))
      .map(([name]) => name);
    expect(required.sort()).to.deep.equal(upstreamRequired.sort());
    const ours = Object.keys(variables).filter((name) => !(name in UPSTREAM.variables));
    expect(ours).to.include.members(['gc_grace_period', 'resync_interval', 'listen_addr', 'ecs_read_rate']);
  });

  it('checks the keys of http_config and grpc_config as upstream does', () => {
    const variables = pick<{ validation?: Array<{ condition: string }> }>('variable');
    for (const name of ['http_config', 'grpc_config']) {
      const condition = variables[name]?.validation?.[0]?.condition ?? '';
      const keys = JSON.parse(/\[[^\]]*\]/.exec(condition)?.[0] ?? '[]') as string[];
      expect(keys.sort(), name).to.deep.equal([...(UPSTREAM.variables[name]?.allowed_keys ?? [])].sort());
      expect(condition, name).to.contain(`keys(var.${name})`);
    }
  });

  it('documents the inputs it ignores, in their descriptions and in UPSTREAM.md', () => {
    const variables = pick<{ description?: string }>('variable');
    const ignored = Object.keys(variables).filter((name) =>
      /\bIGNORED\b/.test(variables[name]?.description ?? ''),
    );
    expect(ignored.sort()).to.deep.equal([...IGNORED].sort());
    const notes = readFileSync(join(MODULE.dir, 'UPSTREAM.md'), 'utf8');
    for (const name of Object.keys(UPSTREAM.variables)) expect(notes, name).to.contain(`\`${name}\``);
    for (const name of IGNORED)
      expect(notes).to.match(
        new RegExp(`\\| \`${name}\` \\|[^\\n]*\\| (rendered; no effect|ignored)[^|\\n]*\\|\\n`),
      );
  });

  it('declares every var.X and local.X it uses, and uses every variable but the two ignored unrendered ones', () => {
    const variables = new Set(Object.keys(pick('variable')));
    const used = new Set([...MODULE.code.matchAll(/\bvar\.(\w+)/g)].map((m) => m[1] as string));
    expect([...used].filter((name) => !variables.has(name))).to.deep.equal([]);
    expect([...variables].filter((name) => !used.has(name)).sort()).to.deep.equal([
      'consul_grpc_ca_cert_arn',
      'region',
    ]);
    const locals = new Set(Object.keys(pick('locals')));
    const usedLocals = new Set([...MODULE.code.matchAll(/\blocal\.(\w+)/g)].map((m) => m[1] as string));
    expect(locals.size).to.be.at.least(8);
    expect([...usedLocals].filter((name) => !locals.has(name))).to.deep.equal([]);
  });

  it('references only resources and data sources it declares; the provider-free files declare none', () => {
    const ours = resources(parsed);
    const data = new Set(
      [...MODULE.code.matchAll(/^data\s+"(\w+)"\s+"(\w+)"/gm)].map((m) => `data.${m[1]}.${m[2]}`),
    );
    const used = new Set(
      [...MODULE.code.matchAll(/(?<![\w.])(aws_\w+)\.(\w+)\.\w+/g)].map((m) => `${m[1]}.${m[2]}`),
    );
    expect(used.size).to.be.at.least(4);
    expect([...used].filter((name) => !(name in ours))).to.deep.equal([]);
    const usedData = [...MODULE.code.matchAll(/\bdata\.(\w+)\.(\w+)/g)].map((m) => `data.${m[1]}.${m[2]}`);
    expect(usedData.filter((name) => !data.has(name))).to.deep.equal([]);
    for (const file of parsed.filter((f) => PROVIDER_FREE_FILES.includes(f.__file__)))
      expect([file.resource, file.data], file.__file__).to.deep.equal([undefined, undefined]);
  });

  it('carries every upstream resource over: same address, or one moved block to a resource of the same type', () => {
    const ours = resources(parsed);
    const strip = (ref: string) => ref.replace(/^\$\{(.*)\}$/, '$1');
    const moved = new Map(
      parsed.flatMap((file) => file.moved ?? []).map((b) => [strip(b.from), strip(b.to)]),
    );
    for (const address of UPSTREAM.resources) {
      const target = address in ours ? address : moved.get(address);
      expect(target, `${address} is neither kept nor moved`).to.not.equal(undefined);
      expect(ours, `${address} → ${target}`).to.have.property(target as string);
      expect((target as string).split('.')[0]).to.equal(address.split('.')[0]);
      if (address in ours) expect(moved.has(address), `${address} kept and moved`).to.equal(false);
    }
    for (const from of moved.keys()) expect(UPSTREAM.resources).to.include(from);
    for (const [address, identity] of Object.entries(UPSTREAM_IDENTITY))
      expect(ours[moved.get(address) ?? address], address).to.include(identity);
    // Upstream's inline policy "exec" is overwritten by ours, not left beside it.
    expect(ours['aws_iam_role_policy.task']).to.include({ name: 'exec', role: '${aws_iam_role.task.id}' });
    expect(ours['aws_iam_role_policy_attachment.additional_execution_policies']).to.include({
      count: '${length(var.additional_execution_role_policies)}',
      role: '${aws_iam_role.execution.id}',
    });
  });

  it('runs one task of the consul-ecs-controller service with the upstream network inputs', () => {
    const service = resources(parsed)['aws_ecs_service.this'] as Record<string, unknown>;
    expect(service.desired_count).to.equal(1);
    expect(service.launch_type).to.equal('${var.launch_type}');
    expect((service.network_configuration as Array<Record<string, string>>)[0]).to.include({
      subnets: '${var.subnets}',
      security_groups: '${var.security_groups}',
      assign_public_ip: '${var.assign_public_ip}',
    });
    const task = resources(parsed)['aws_ecs_task_definition.this'] as Record<string, unknown>;
    expect(task).to.include({
      network_mode: 'awsvpc',
      cpu: 256,
      memory: 512,
      requires_compatibilities: '${var.requires_compatibilities}',
      container_definitions: '${jsonencode([local.container])}',
      task_role_arn: '${aws_iam_role.task.arn}',
      execution_role_arn: '${aws_iam_role.execution.arn}',
    });
  });

  it('reads the task policy from config/iam/iam-auth-controller-policy.json', () => {
    const call = /templatefile\("\$\{path\.module\}\/([^"]+)"/.exec(MODULE.code);
    expect(join(MODULE.dir, call?.[1] ?? '')).to.equal(
      join(REPO, 'config/iam/iam-auth-controller-policy.json'),
    );
    expect(String(resources(parsed)['aws_iam_role_policy.task']?.policy)).to.equal(
      '${jsonencode(local.task_policy)}',
    );
    expect(String(resources(parsed)['aws_iam_policy.execution']?.policy)).to.equal(
      '${jsonencode(local.execution_policy)}',
    );
  });

  it('defaults the image to ours, as the acl-controller module does', async function () {
    const acl = await parseTerraformModule(this, terraformModule('config/terraform/acl-controller'));
    const image = pickFrom<{ default?: string }>(acl, 'variable').consul_ecs_image?.default;
    expect(image).to.match(/^ghcr\.io\/ecs-acl-controller\//);
    expect(pick<{ default?: string }>('variable').consul_ecs_image?.default).to.equal(image);
  });

  it('finds every .tf file formatted as `terraform fmt` writes it', async function () {
    const terraform = terraformTool(this);
    const result = await run(terraform, ['fmt', '-check', '-list=true', '-recursive', MODULE.dir], {
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    }).then(
      (output) => ({ code: 0, stdout: output.stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: error.stdout ?? '' }),
    );
    expect(result.stdout.trim(), 'files terraform fmt would change').to.equal('');
    expect(result.code).to.equal(0);
  });
});
