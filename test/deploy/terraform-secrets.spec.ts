/**
 * How config/terraform/acl-controller hands secrets around:
 * - the Consul token (and CA) reach the container only through the task definition's `secrets`
 *   (`valueFrom` = the ARN exactly as given, JSON key included), never as environment;
 * - the execution role's GetSecretValue names the secrets' own ARNs: a `:json-key:stage:id`
 *   suffix is stripped (terraform-aws-consul-ecs issue #135). secret-arns.tf is evaluated by
 *   `terraform console` (offline: the file reads variables only), and its pattern is also applied
 *   by JavaScript's RegExp, which reads this pattern the same way RE2 does, so the cases are
 *   checked even where terraform is missing.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { type HclFile, MODULE, MODULE_CODE, parseModule, pick, resources } from './terraform-hcl.js';
import { terraformTool } from './tools.js';

const run = promisify(execFile);

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-bootstrap-AbCdEf';
const CA = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-ca-Gh1jK2';

/** [bootstrap token ARN, CA ARN] → the execution role's secret resources. */
const CASES: Array<[string, string, string[]]> = [
  [SECRET, '', [SECRET]],
  [`${SECRET}:token::`, '', [SECRET]],
  [`${SECRET}:token:AWSCURRENT:`, '', [SECRET]],
  [`${SECRET}:token::0123abcd-aaaa-bbbb-cccc-0123456789ab`, `${CA}:pem::`, [SECRET, CA]],
  [`${SECRET}::AWSPREVIOUS:`, CA, [SECRET, CA]],
  [`${SECRET}:token::`, `${SECRET}:ca::`, [SECRET]],
  [
    'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:boot-AbCdEf:token::',
    '',
    ['arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:boot-AbCdEf'],
  ],
  // Not a Secrets Manager ARN: kept as given.
  [
    'arn:aws:ssm:eu-west-1:123456789012:parameter/consul/token',
    '',
    ['arn:aws:ssm:eu-west-1:123456789012:parameter/consul/token'],
  ],
];

/** The ARN after its account field, for test titles. */
const label = (arn: string) => (arn === '' ? '""' : arn.split(':').slice(5).join(':'));

const REQUIRED_VARS = [
  'ecs_cluster_arn=arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
  'region=eu-west-1',
  'subnets=[]',
  'consul_server_http_addr=https://consul:8501',
  'name_prefix=prod',
];

describe('Terraform module acl-controller: secrets', function () {
  this.timeout(30_000);
  let parsed: HclFile[];

  before(async function () {
    parsed = await parseModule(this);
  });

  it('passes the Consul token (and CA) only as task-definition secrets, with the ARN as given', () => {
    const locals = pick<unknown>(parsed, 'locals');
    const container = locals.container as Record<string, unknown>;
    expect(container.secrets).to.equal('${local.secrets}');
    expect(String(locals.secrets)).to.contain(
      '{name = "CONSUL_HTTP_TOKEN", valueFrom = var.consul_bootstrap_token_secret_arn}',
    );
    expect(String(locals.secrets)).to.contain(
      '{name = "CONSUL_CACERT_PEM", valueFrom = var.consul_server_ca_cert_arn}',
    );
    const environment = container.environment as Array<{ name: string; value: string }>;
    expect(environment.map((entry) => entry.name)).to.deep.equal(['CONSUL_HTTP_ADDR']);
    // Nowhere else: the token variable appears only in the secrets and the IAM ARN list.
    const uses = [...MODULE_CODE.matchAll(/var\.consul_bootstrap_token_secret_arn/g)].length;
    expect(uses).to.equal(2);
    expect(MODULE_CODE).to.not.match(/name\s*=\s*"CONSUL_HTTP_TOKEN",\s*value\s*=/);
  });

  it('grants the execution role GetSecretValue on the stripped ARNs (local.execution_secret_arns), nothing else', () => {
    const policy = String(resources(parsed)['aws_iam_policy.execution']?.policy);
    expect(policy).to.contain(
      'Action = ["secretsmanager:GetSecretValue"], Resource = local.execution_secret_arns',
    );
    expect(policy).to.not.contain('var.consul_');
  });

  describe('stripping the JSON-key suffix', () => {
    const pattern = () => String(pick<unknown>(parsed, 'locals').secret_arn_suffix);

    for (const [token, ca, expected] of CASES) {
      it(`pattern (JavaScript RegExp): ${label(token)} , ${label(ca)}`, () => {
        const source = pattern();
        expect(source).to.match(/^\/\^.*\$\/$/);
        const regex = new RegExp(source.slice(1, -1));
        const stripped = [
          ...new Set([token, ca].filter((arn) => arn !== '').map((arn) => arn.replace(regex, '$1'))),
        ];
        expect(stripped).to.deep.equal(expected);
      });
    }

    it('secret-arns.tf, evaluated by `terraform console`, gives the same lists', async function () {
      const terraform = terraformTool(this);
      const dir = mkdtempSync(join(tmpdir(), 'tf-secret-arns-'));
      try {
        for (const file of ['variables.tf', 'secret-arns.tf'])
          copyFileSync(join(MODULE, file), join(dir, file));
        for (const [token, ca, expected] of CASES) {
          const vars = [
            ...REQUIRED_VARS,
            `consul_bootstrap_token_secret_arn=${token}`,
            `consul_server_ca_cert_arn=${ca}`,
          ];
          const child = run(terraform, ['console', ...vars.flatMap((value) => ['-var', value])], {
            cwd: dir,
            env: {
              ...process.env,
              CHECKPOINT_DISABLE: '1',
              TF_CLI_CONFIG_FILE: '/dev/null',
              TF_IN_AUTOMATION: '1',
            },
          });
          child.child.stdin?.end('jsonencode(local.execution_secret_arns)\n');
          const { stdout } = await child;
          expect(JSON.parse(JSON.parse(stdout.trim()) as string), `${token} , ${ca}`).to.deep.equal(expected);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
