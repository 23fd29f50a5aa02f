/**
 * config/ecs/controller-task-definition.json, the task definition of `ecs-acl-controller
 * controller` without Terraform, against config/terraform/controller: its container is the one the
 * module renders (terraform console) with placeholders for the inputs, TLS on and awslogs; family
 * and role ARNs follow the module's names; filled in, its CONSUL_ECS_CONFIG_JSON is accepted by the
 * controller's parser; and its image and user are those of the acl-controller task definition.
 */
import { expect } from 'chai';

import { parseControllerConfig } from '../../controllers/cli/controller-config.js';
import { readJson } from './deploy-configs.js';
import { fillPlaceholders, placeholders } from './iam-eval.js';
import { evaluateOne } from './terraform-console.js';
import { parseTerraformModule, resources, terraformModule } from './terraform-hcl.js';

interface Container {
  name: string;
  image: string;
  user: string;
  environment: Array<{ name: string; value: string }>;
  secrets: Array<{ name: string; valueFrom: string }>;
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

interface TaskDefinition {
  family: string;
  networkMode: string;
  cpu: string;
  memory: string;
  taskRoleArn: string;
  executionRoleArn: string;
  volumes: Array<{ name: string }>;
  containerDefinitions: Container[];
}

const FILE = 'config/ecs/controller-task-definition.json';
const PLACEHOLDERS = [
  'account',
  'consul_bootstrap_token_secret_arn',
  'consul_https_ca_cert_arn',
  'consul_server_hosts',
  'name_prefix',
  'region',
];

describe('ECS task definition of the controller command', function () {
  this.timeout(30_000);
  const task = readJson<TaskDefinition>(FILE);
  const container = task.containerDefinitions[0] as Container;

  it('uses exactly the documented placeholders', () => {
    expect(placeholders(JSON.stringify(task))).to.deep.equal(PLACEHOLDERS);
  });

  it('has the container config/terraform/controller renders for the same inputs', async function () {
    const rendered = await evaluateOne<Container>(
      this,
      {
        ecs_cluster_arn: 'arn:aws:ecs:${region}:${account}:cluster/${cluster}',
        region: '${region}',
        subnets: [],
        name_prefix: '${name_prefix}',
        consul_server_hosts: '${consul_server_hosts}',
        consul_bootstrap_token_secret_arn: '${consul_bootstrap_token_secret_arn}',
        consul_https_ca_cert_arn: '${consul_https_ca_cert_arn}',
        tls: true,
        log_configuration: container.logConfiguration,
      },
      'local.container',
    );
    expect(task.containerDefinitions).to.have.length(1);
    expect(container).to.deep.equal(rendered);
  });

  it("follows the module's family, role names, size, network mode and volume", async function () {
    const parsed = await parseTerraformModule(this, terraformModule('config/terraform/controller'));
    const byAddress = resources(parsed);
    const asTemplate = (value: unknown) => String(value).replace('${var.name_prefix}', '${name_prefix}');
    const definition = byAddress['aws_ecs_task_definition.this'] as Record<string, unknown>;
    expect(task.family).to.equal(asTemplate(definition.family));
    expect(task.taskRoleArn).to.equal(
      `arn:aws:iam::\${account}:role/${asTemplate(byAddress['aws_iam_role.task']?.name)}`,
    );
    const execution = byAddress['aws_iam_role.execution'] as Record<string, unknown>;
    expect(task.executionRoleArn).to.equal(
      `arn:aws:iam::\${account}:role${String(execution.path)}${asTemplate(execution.name)}`,
    );
    expect([Number(task.cpu), Number(task.memory), task.networkMode]).to.deep.equal([
      definition.cpu,
      definition.memory,
      definition.network_mode,
    ]);
    expect(task.volumes).to.deep.equal([{ name: 'tmp' }]);
  });

  it('filled in, gives the controller HTTPS on 8501 to the named servers, the token and CA as secrets', () => {
    const filled = JSON.parse(
      fillPlaceholders(JSON.stringify(task), {
        account: '123456789012',
        region: 'eu-west-1',
        name_prefix: 'prod',
        consul_server_hosts: 'consul.example.com',
        consul_bootstrap_token_secret_arn:
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:boot-AbCdEf:token::',
        consul_https_ca_cert_arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ca-Gh1jK2',
      }),
    ) as TaskDefinition;
    const filledContainer = filled.containerDefinitions[0] as Container;
    const config = filledContainer.environment.find(
      (entry) => entry.name === 'CONSUL_ECS_CONFIG_JSON',
    )?.value;
    const settings = parseControllerConfig({ CONSUL_ECS_CONFIG_JSON: config, CONSUL_HTTP_TOKEN: 't' });
    expect(settings.consul).to.include({ host: 'consul.example.com', port: 8501, https: true });
    expect(filledContainer.secrets.map((secret) => secret.name)).to.deep.equal([
      'CONSUL_HTTP_TOKEN',
      'CONSUL_HTTPS_CACERT_PEM',
    ]);
    expect(filledContainer.logConfiguration.options['awslogs-group']).to.equal(
      '/ecs/prod-consul-ecs-controller',
    );
  });

  it('runs the image and user of the acl-controller task definition', () => {
    const acl = readJson<TaskDefinition>('config/ecs/task-definition.json')
      .containerDefinitions[0] as Container;
    expect([container.image, container.user]).to.deep.equal([acl.image, acl.user]);
  });
});
