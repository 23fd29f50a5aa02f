/**
 * The README's Deploy section against what it describes: its two Terraform examples parse and
 * pass only real inputs (ours, and upstream v0.4.x's), with every required one; the Node.js
 * versions it names are the Dockerfile's, package.json's `engines` and what .ci/run runs; the
 * alert names and severities it lists are alerts.yml's; and the image, as it says, cannot run
 * consul-ecs's `mesh-init` or `health-sync`.
 */
import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { CLI } from '../helpers/controller-cli.js';
import { alertRules } from './deploy-configs.js';
import { type HclFile, parseModule, pick, UPSTREAM_INPUTS } from './terraform-hcl.js';
import { lintTool, REPO } from './tools.js';

const run = promisify(execFile);
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const DEPLOY = README.slice(README.indexOf('\n## Deploy\n'), README.indexOf('\n## Operations\n'));
/** The section with every run of whitespace as one space (Prettier wraps prose anywhere). */
const FLAT = DEPLOY.replace(/\s+/g, ' ');

type ModuleBlock = Record<string, unknown>;

describe('README: Deploy', function () {
  this.timeout(20_000);

  it('is there, between Migrating and Operations', () => {
    expect(DEPLOY.length).to.be.greaterThan(2_000);
    expect(README.indexOf('\n## Migrating')).to.be.lessThan(README.indexOf('\n## Deploy\n'));
  });

  describe('Terraform examples', () => {
    let ours: ModuleBlock;
    let upstream: ModuleBlock;
    let parsedModule: HclFile[];

    before(async function () {
      const hcl2tojson = lintTool(this, 'hcl2tojson');
      const blocks = [...DEPLOY.matchAll(/```hcl\n([\s\S]*?)```/g)].map((match) => match[1] as string);
      expect(blocks).to.have.length(2);
      const dir = mkdtempSync(join(tmpdir(), 'readme-hcl-'));
      try {
        blocks.forEach((block, i) => writeFileSync(join(dir, `example${i}.tf`), block));
        const { stdout } = await run(
          hcl2tojson,
          ['--ndjson', '--compact', '--strip-string-quotes', 'example0.tf', 'example1.tf'],
          {
            cwd: dir,
          },
        );
        const modules = stdout
          .trim()
          .split('\n')
          .map(
            (line) =>
              (JSON.parse(line) as { module: Array<Record<string, ModuleBlock>> }).module[0]?.acl_controller,
          );
        [ours, upstream] = modules as [ModuleBlock, ModuleBlock];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      parsedModule = await parseModule(this);
    });

    it('ours: our module, only its inputs, every required one', () => {
      expect(String(ours.source)).to.match(/config\/terraform\/acl-controller$/);
      const variables = pick<{ default?: unknown }>(parsedModule, 'variable');
      const given = Object.keys(ours).filter((key) => key !== 'source' && key !== '__is_block__');
      expect(given.filter((name) => !(name in variables))).to.deep.equal([]);
      const required = Object.keys(variables).filter((name) => !('default' in (variables[name] ?? {})));
      expect(required.filter((name) => !given.includes(name))).to.deep.equal([]);
      expect(String(ours.consul_bootstrap_token_secret_arn), 'shows the JSON-key case').to.match(/:token::$/);
    });

    it("upstream's: v0.4.3's acl-controller, only its inputs, every required one, a plain secret ARN (its issue #135)", () => {
      expect(upstream).to.include({
        source: 'hashicorp/consul-ecs/aws//modules/acl-controller',
        version: '0.4.3',
      });
      const given = Object.keys(upstream).filter(
        (key) => !['source', 'version', '__is_block__'].includes(key),
      );
      expect(given.filter((name) => !(name in UPSTREAM_INPUTS))).to.deep.equal([]);
      const required = Object.entries(UPSTREAM_INPUTS)
        .filter(([, [, fallback]]) => fallback === undefined)
        .map(([name]) => name);
      expect(required.filter((name) => !given.includes(name))).to.deep.equal([]);
      expect(given).to.include('consul_ecs_image');
      expect(String(upstream.consul_bootstrap_token_secret_arn)).to.match(/:secret:[^:]+$/);
    });
  });

  it('names the Node versions the Dockerfile, package.json and .ci/run use', () => {
    const bases = new Set(
      [...readFileSync(join(REPO, 'Dockerfile'), 'utf8').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]),
    );
    expect([...bases]).to.have.length(1);
    expect(FLAT).to.contain(`\`${[...bases][0]}\` (Node 22 LTS)`);
    const engines = (
      JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    expect(engines).to.equal('^22.0.0 || ^20.19.0');
    expect(FLAT).to.contain(`\`engines\` is \`${engines}\``);
    const ci = readFileSync(join(REPO, '.ci/run'), 'utf8');
    expect(ci).to.match(/node22_bin=\$\(bash scripts\/setup-node\.sh 22\)/);
    expect(ci).to.match(/export PATH="\$node22_bin:\$PATH"/);
    expect(ci).to.match(/PATH="\$node20_bin:\$PATH" node [^\n]*mocha[\s\S]*'dist\/test\/cli\/\*\.spec\.js'/);
    const setup = readFileSync(join(REPO, 'scripts/setup-node.sh'), 'utf8');
    const floor = /^ {2}20\) version="([\d.]+)" ;;$/m.exec(setup)?.[1];
    expect(floor, 'the Node 20 version of the smoke run').to.equal(engines.split('^').pop());
    expect(FLAT).to.contain(`once more on Node ${floor}`);
  });

  it('lists exactly the alerts of alerts.yml, with their severities', () => {
    const bullet = /`config\/prometheus\/alerts\.yml`: ([\s\S]*?)\n- /.exec(DEPLOY)?.[1] ?? '';
    const listed = new Map<string, string>();
    for (const group of bullet.matchAll(/((?:`[^`]+`(?:,|and|\s)*)+)\((critical|warning|info)[);]/g)) {
      for (const name of (group[1] as string).matchAll(/`(?:…|EcsAclController)?([A-Za-z]+)`/g))
        listed.set(`EcsAclController${name[1]}`, group[2] as string);
    }
    const rules = new Map(alertRules().map((rule) => [rule.alert, rule.labels.severity]));
    expect(Object.fromEntries(listed)).to.deep.equal(Object.fromEntries(rules));
  });

  for (const command of ['mesh-init', 'health-sync']) {
    it(`is right that the image cannot run consul-ecs ${command}: exit 2, unknown command`, () => {
      const result = spawnSync(process.execPath, [CLI, command], { encoding: 'utf8' });
      expect(result.status).to.equal(2);
      expect(result.stderr).to.contain(`unknown command "${command}"`);
    });
  }
});
