/**
 * config/terraform/acl-controller: a drop-in for terraform-aws-consul-ecs v0.4.x
 * `modules/acl-controller`. Checked by parsing with python-hcl2 (installed by
 * scripts/setup-lint.sh) and by reading references in the source: the upstream inputs exist with
 * the same types and defaults and no new required one, every upstream resource is carried over
 * (same address, or a `moved` block to one of the same type), every var/local/resource reference
 * resolves, the container matches config/ecs/task-definition.json, the command uses only real
 * flags, and the IAM policy is read from config/iam/controller-policy.json with exactly its
 * placeholders. `terraform fmt -check` runs when terraform is there (CI: always).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { ACL_CONTROLLER_FLAGS } from '../../controllers/cli/acl-controller-flags.js';
import { readJson } from './deploy-configs.js';
import { placeholders } from './iam-eval.js';
import {
  type Block,
  type HclFile,
  MODULE,
  MODULE_CODE as code,
  MODULE_FILES as files,
  parseModule,
  pick as pickFrom,
  resources,
  UPSTREAM_INPUTS as UPSTREAM,
} from './terraform-hcl.js';
import { REPO, terraformTool } from './tools.js';

const run = promisify(execFile);

/**
 * Resources of terraform-aws-consul-ecs v0.4.3 modules/acl-controller/main.tf (the same in
 * v0.4.0–v0.4.2), by address. Upstream's task role also holds an inline policy named "exec".
 */
const UPSTREAM_RESOURCES = [
  'aws_secretsmanager_secret.client_token',
  'aws_secretsmanager_secret_version.client_token',
  'aws_ecs_service.this',
  'aws_ecs_task_definition.this',
  'aws_iam_role.this_task',
  'aws_iam_policy.this_execution',
  'aws_iam_role.this_execution',
  'aws_iam_role_policy_attachment.consul-controller-execution',
];

/** Arguments of upstream resources that force a replacement when changed: ours must be equal. */
const UPSTREAM_IDENTITY: Record<string, Record<string, string>> = {
  'aws_iam_role.this_task': { name: '${var.name_prefix}-consul-acl-controller-task' },
  'aws_iam_role.this_execution': {
    name: '${var.name_prefix}-consul-acl-controller-execution',
    path: '/ecs/',
  },
  'aws_iam_policy.this_execution': {
    name: '${var.name_prefix}-consul-acl-controller-execution',
    path: '/ecs/',
    description: 'Consul controller execution',
  },
  'aws_secretsmanager_secret.client_token': { name: '${var.name_prefix}-consul-client-token' },
  'aws_ecs_service.this': { name: 'consul-acl-controller', cluster: '${var.ecs_cluster_arn}' },
  'aws_ecs_task_definition.this': { family: '${var.name_prefix}-consul-acl-controller' },
};

function declared(kind: 'variable' | 'locals' | 'output'): Set<string> {
  const pattern =
    kind === 'locals' ? /^\s*locals\s*\{([\s\S]*?)^\}/gm : new RegExp(`^${kind}\\s+"([\\w-]+)"`, 'gm');
  const names = new Set<string>();
  for (const match of code.matchAll(pattern)) {
    if (kind !== 'locals') names.add(match[1] as string);
    else for (const local of (match[1] as string).matchAll(/^ {2}(\w+)\s*=/gm)) names.add(local[1] as string);
  }
  return names;
}

describe('Terraform module acl-controller', () => {
  describe('references (read from the source)', () => {
    it('declares every var.X it uses, and uses every variable it declares', () => {
      const variables = declared('variable');
      const used = new Set([...code.matchAll(/\bvar\.(\w+)/g)].map((m) => m[1] as string));
      expect([...used].filter((name) => !variables.has(name))).to.deep.equal([]);
      expect([...variables].filter((name) => !used.has(name))).to.deep.equal([]);
    });

    it('declares every local.X it uses', () => {
      const locals = declared('locals');
      const used = new Set([...code.matchAll(/\blocal\.(\w+)/g)].map((m) => m[1] as string));
      expect(locals.size).to.be.at.least(5);
      expect([...used].filter((name) => !locals.has(name))).to.deep.equal([]);
    });

    it('references only resources and data sources it declares', () => {
      const resources = new Set(
        [...code.matchAll(/^resource\s+"(\w+)"\s+"(\w+)"/gm)].map((m) => `${m[1]}.${m[2]}`),
      );
      const data = new Set(
        [...code.matchAll(/^data\s+"(\w+)"\s+"(\w+)"/gm)].map((m) => `data.${m[1]}.${m[2]}`),
      );
      const usedResources = new Set(
        [...code.matchAll(/(?<![\w.])(aws_\w+)\.(\w+)\.\w+/g)].map((m) => `${m[1]}.${m[2]}`),
      );
      const usedData = new Set(
        [...code.matchAll(/\bdata\.(\w+)\.(\w+)/g)].map((m) => `data.${m[1]}.${m[2]}`),
      );
      expect(usedResources.size).to.be.at.least(4);
      expect([...usedResources].filter((name) => !resources.has(name))).to.deep.equal([]);
      expect([...usedData].filter((name) => !data.has(name))).to.deep.equal([]);
    });

    it('reads the IAM policy from config/iam/controller-policy.json and fills exactly its placeholders', () => {
      const call = /templatefile\("\$\{path\.module\}\/([^"]+)",\s*\{([\s\S]*?)\}\)\)/.exec(code);
      expect(call, 'templatefile call').to.not.equal(null);
      const path = resolve(MODULE, (call as RegExpExecArray)[1] as string);
      expect(path).to.equal(join(REPO, 'config/iam/controller-policy.json'));
      const keys = [...((call as RegExpExecArray)[2] as string).matchAll(/^\s*(\w+)\s*=/gm)].map((m) => m[1]);
      expect(keys.sort()).to.deep.equal(placeholders(readFileSync(path, 'utf8')));
      const optional = /create_secrets_sid\s*=\s*"(\w+)"/.exec(code)?.[1];
      const sids = readJson<{ Statement: Array<{ Sid: string }> }>(
        'config/iam/controller-policy.json',
      ).Statement.map((statement) => statement.Sid);
      expect(sids).to.include(optional);
    });

    it('passes only real acl-controller flags in the container command', () => {
      const command = /command = concat\(([\s\S]*?)\n {2}\)/.exec(code)?.[1] ?? '';
      const flags = [...command.matchAll(/"-([a-z-]+)"/g)].map((m) => m[1] as string);
      const known = new Set(ACL_CONTROLLER_FLAGS.map((flag) => flag.name));
      expect(flags.length).to.be.at.least(7);
      expect(flags.filter((flag) => !known.has(flag))).to.deep.equal([]);
      // As upstream: the cluster comes from task metadata, in the form consul-ecs wrote it.
      expect(flags).to.not.include('cluster');
      expect(flags).to.include.members([
        'consul-client-secret-arn',
        'secret-name-prefix',
        'partitions-enabled',
        'partition',
      ]);
    });
  });

  describe('parsed with python-hcl2', function () {
    this.timeout(20_000);
    let parsed: HclFile[];
    const pick = <T>(key: keyof HclFile) => pickFrom<T>(parsed, key);

    before(async function () {
      parsed = await parseModule(this);
    });

    it('parses every .tf file', () => {
      expect(parsed.map((file) => file.__file__).sort()).to.deep.equal([...files].sort());
    });

    it('has every upstream v0.4.x input with the same type and default (except the image default)', () => {
      const variables = pick<{ type?: string; default?: unknown }>('variable');
      for (const [name, [type, fallback]] of Object.entries(UPSTREAM)) {
        const variable = variables[name];
        expect(variable, name).to.not.equal(undefined);
        expect(variable?.type, `${name} type`).to.equal(type);
        if (name !== 'consul_ecs_image') expect(variable?.default, `${name} default`).to.deep.equal(fallback);
      }
      const extra = Object.entries(variables).filter(([name]) => !(name in UPSTREAM));
      expect(extra.length).to.be.at.least(5);
      for (const [name, variable] of extra)
        expect(variable.default, `${name} needs a default`).to.not.equal(undefined);
      for (const name of ['gc_grace_period', 'resync_interval', 'create_secrets'])
        expect(variables).to.have.property(name);
    });

    it('requires exactly the inputs upstream requires, so an upstream module block needs no new argument', () => {
      const variables = pick<{ default?: unknown }>('variable');
      const required = (names: string[], isRequired: (name: string) => boolean) =>
        names.filter(isRequired).sort();
      expect(
        required(Object.keys(variables), (name) => !('default' in (variables[name] ?? {}))),
      ).to.deep.equal(required(Object.keys(UPSTREAM), (name) => UPSTREAM[name]?.[1] === undefined));
    });

    it('carries every upstream resource over: same address, or one moved block to a resource of the same type', () => {
      const ours = resources(parsed);
      const moved = parsed.flatMap((file) => file.moved ?? []);
      const strip = (ref: string) => ref.replace(/^\$\{(.*)\}$/, '$1');
      const movedFrom = new Map(moved.map((block) => [strip(block.from), strip(block.to)]));
      expect(moved.length, 'moved blocks').to.be.at.least(1);
      expect(movedFrom.size, 'one block per upstream address').to.equal(moved.length);
      for (const address of UPSTREAM_RESOURCES) {
        const target = address in ours ? address : movedFrom.get(address);
        expect(target, `${address} is neither kept nor moved`).to.not.equal(undefined);
        expect(ours, `${address} → ${target}`).to.have.property(target as string);
        expect((target as string).split('.')[0], `${address}: a move cannot change the type`).to.equal(
          address.split('.')[0],
        );
        if (address in ours) expect(movedFrom.has(address), `${address} is kept and moved`).to.equal(false);
      }
      // The other blocks move our own earlier enable_events addresses (terraform-task-events.spec.ts).
      for (const from of movedFrom.keys())
        if (
          !/^aws_(sqs_queue|sqs_queue_policy|cloudwatch_event_rule|cloudwatch_event_target)\.(task|service)_events\[0\]$/.test(
            from,
          )
        )
          expect(UPSTREAM_RESOURCES, `moved from ${from}`).to.include(from);
    });

    it("keeps upstream's replacement-forcing names, so the switch updates in place", () => {
      const ours = resources(parsed);
      const strip = (ref: string) => ref.replace(/^\$\{(.*)\}$/, '$1');
      const movedFrom = new Map(
        parsed.flatMap((file) => file.moved ?? []).map((block) => [strip(block.from), strip(block.to)]),
      );
      for (const [address, identity] of Object.entries(UPSTREAM_IDENTITY)) {
        const body = ours[movedFrom.get(address) ?? address];
        expect(body, address).to.not.equal(undefined);
        expect(body, address).to.include(identity);
      }
      // Upstream's task role inline policy "exec" is overwritten by ours, not left beside it.
      expect(ours['aws_iam_role_policy.task']).to.include({ name: 'exec', role: '${aws_iam_role.task.id}' });
      expect(ours['aws_iam_role_policy_attachment.execution']).to.include({
        role: '${aws_iam_role.execution.id}',
        policy_arn: '${aws_iam_policy.execution.arn}',
      });
      expect(
        ours['aws_ecs_service.this'],
        'propagate_tags replaces the service on some providers',
      ).to.not.have.property('propagate_tags');
    });

    it('defaults the image to ours, the one in the ECS task definition', () => {
      const variables = pick<{ default?: unknown }>('variable');
      const task = readJson<{ containerDefinitions: Array<{ image: string }> }>(
        'config/ecs/task-definition.json',
      );
      expect(variables.consul_ecs_image?.default).to.equal(task.containerDefinitions[0]?.image);
    });

    it('runs one task of the consul-acl-controller service, with the upstream network inputs', () => {
      const resources = pick<Block>('resource');
      const service = resources.aws_ecs_service?.this as Record<string, unknown>;
      expect(service.name).to.equal('consul-acl-controller');
      expect(service.desired_count).to.equal(1);
      expect(service.launch_type).to.equal('${var.launch_type}');
      const network = (service.network_configuration as Array<Record<string, string>>)[0];
      expect(network).to.include({
        subnets: '${var.subnets}',
        security_groups: '${var.security_groups}',
        assign_public_ip: '${var.assign_public_ip}',
      });
      const secret = resources.aws_secretsmanager_secret?.client_token as Record<string, unknown>;
      expect(secret.name).to.equal('${var.name_prefix}-consul-client-token');
      const outputs = pick<{ value: string }>('output');
      expect(outputs.client_token_secret_arn?.value).to.equal(
        '${aws_secretsmanager_secret.client_token.arn}',
      );
    });

    it('builds the same container as config/ecs/task-definition.json', () => {
      const locals = pick<unknown>('locals');
      const container = locals.container as Record<string, unknown>;
      const json = readJson<{ containerDefinitions: Array<Record<string, unknown>> }>(
        'config/ecs/task-definition.json',
      ).containerDefinitions[0] as Record<string, unknown>;
      for (const key of [
        'user',
        'readonlyRootFilesystem',
        'essential',
        'linuxParameters',
        'healthCheck',
        'mountPoints',
      ]) {
        expect(container[key], key).to.deep.equal(json[key]);
      }
      expect(locals.ops_port).to.equal(
        (json.portMappings as Array<{ containerPort: number }>)[0]?.containerPort,
      );
      const taskDefinition = pick<Block>('resource').aws_ecs_task_definition?.this as Record<string, unknown>;
      expect(taskDefinition.network_mode).to.equal('awsvpc');
      expect(taskDefinition.container_definitions).to.equal('${jsonencode([local.container])}');
      expect(taskDefinition.volume).to.deep.equal([{ name: 'tmp', __is_block__: true }]);
    });
  });

  describe('terraform fmt', function () {
    this.timeout(20_000);

    it('finds every .tf file formatted as `terraform fmt` writes it', async function () {
      const terraform = terraformTool(this);
      const result = await run(terraform, ['fmt', '-check', '-list=true', '-recursive', MODULE], {
        env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
      }).then(
        (output) => ({ code: 0, stdout: output.stdout }),
        (error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: error.stdout ?? '' }),
      );
      expect(result.stdout.trim(), 'files terraform fmt would change').to.equal('');
      expect(result.code).to.equal(0);
    });
  });
});
