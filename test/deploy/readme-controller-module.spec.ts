/**
 * The README's "Deploy with upstream's modules/controller" part (in the IAM-auth era section): its
 * one HCL example uses config/terraform/controller with inputs that upstream v0.10.0's module also
 * has (so the same block works with either source), gives every required one, and, evaluated with
 * `terraform console`, configures the controller for HTTPS on 8501 with the CA as a secret; the
 * inputs it calls unused are the ones the module documents as ignored.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { parseControllerConfig } from '../../controllers/cli/controller-config.js';
import { readJson } from './deploy-configs.js';
import { evaluateOne } from './terraform-console.js';
import { parseTerraformModule, pick, terraformModule } from './terraform-hcl.js';
import { lintTool, REPO } from './tools.js';

const run = promisify(execFile);
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('\n## The IAM-auth era'), README.indexOf('\n## Deploy\n'));
const PART = SECTION.slice(SECTION.indexOf("**Deploy with upstream's `modules/controller`.**"));
const UPSTREAM = readJson<{ variables: Record<string, { default?: unknown }> }>(
  'test/fixtures/terraform/terraform-aws-consul-ecs-v0.10.0-controller.json',
).variables;

describe("README: deploy with upstream's modules/controller", function () {
  this.timeout(20_000);
  let example: Record<string, unknown>;

  before(async function () {
    expect(SECTION.length).to.be.greaterThan(1_000);
    const blocks = [...PART.matchAll(/```hcl\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    expect(blocks).to.have.length(1);
    const hcl2tojson = lintTool(this, 'hcl2tojson');
    const dir = mkdtempSync(join(tmpdir(), 'readme-controller-'));
    try {
      writeFileSync(join(dir, 'example.tf'), blocks[0] as string);
      const { stdout } = await run(hcl2tojson, ['--strip-string-quotes', 'example.tf'], { cwd: dir });
      example = (JSON.parse(stdout) as { module: Array<Record<string, Record<string, unknown>>> }).module[0]
        ?.controller as Record<string, unknown>;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const inputs = () =>
    Object.fromEntries(Object.entries(example).filter(([key]) => !['source', '__is_block__'].includes(key)));

  it('uses our module with inputs upstream also has, every required one given', async function () {
    expect(String(example.source)).to.match(/config\/terraform\/controller$/);
    const ours = pick<{ default?: unknown }>(
      await parseTerraformModule(this, terraformModule('config/terraform/controller')),
      'variable',
    );
    const given = Object.keys(inputs());
    expect(given.filter((name) => !(name in UPSTREAM))).to.deep.equal([]);
    expect(given.filter((name) => !(name in ours))).to.deep.equal([]);
    const required = Object.keys(ours).filter((name) => !('default' in (ours[name] ?? {})));
    expect(required.filter((name) => !given.includes(name))).to.deep.equal([]);
  });

  it('configures HTTPS on 8501 to the named servers, with the CA as a secret', async function () {
    const container = await evaluateOne<{
      environment: Array<{ value: string }>;
      secrets: Array<{ name: string }>;
    }>(this, inputs(), 'local.container');
    const settings = parseControllerConfig({
      CONSUL_ECS_CONFIG_JSON: container.environment[0]?.value,
      CONSUL_HTTP_TOKEN: 't',
    });
    expect(settings.consul).to.include({ host: example.consul_server_hosts, port: 8501, https: true });
    expect(container.secrets.map((secret) => secret.name)).to.deep.equal([
      'CONSUL_HTTP_TOKEN',
      'CONSUL_HTTPS_CACERT_PEM',
    ]);
  });

  it('names as unused exactly the inputs the module documents as IGNORED', async function () {
    const variables = pick<{ description?: string }>(
      await parseTerraformModule(this, terraformModule('config/terraform/controller')),
      'variable',
    );
    const ignored = Object.keys(variables).filter((name) =>
      /\bIGNORED\b/.test(variables[name]?.description ?? ''),
    );
    const sentence = /((?:`\w+`(?:, | and )?)+) are\s+accepted and unused/.exec(PART)?.[1] ?? '';
    const named = [...sentence.matchAll(/`(\w+)`/g)].map((match) => match[1]);
    expect(named.sort()).to.deep.equal(ignored.sort());
  });
});
