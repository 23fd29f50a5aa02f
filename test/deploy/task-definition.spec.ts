/**
 * config/ecs/task-definition.json against the Dockerfile and the CLI: Fargate/awsvpc sizing, the
 * same non-root user, port and health check as the image, a command the real flag parser
 * accepts, the Consul token from Secrets Manager, awslogs, and a read-only root with /tmp as
 * the only writable path. The health-check one-liner itself is run against a live /healthz.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { parseAclControllerFlags } from '../../controllers/cli/acl-controller-flags.js';
import { AclWorld } from '../acl/world.js';
import { readJson } from './deploy-configs.js';
import { execForm, readDockerfile, type Stage } from './dockerfile-model.js';
import { fillPlaceholders } from './iam-eval.js';
import { REPO } from './tools.js';

const run = promisify(execFile);

interface ContainerDefinition {
  name: string;
  image: string;
  user: string;
  readonlyRootFilesystem: boolean;
  command: string[];
  portMappings: Array<{ containerPort: number; protocol: string }>;
  environment: Array<{ name: string; value: string }>;
  secrets: Array<{ name: string; valueFrom: string }>;
  healthCheck: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number };
  mountPoints: Array<{ sourceVolume: string; containerPath: string; readOnly: boolean }>;
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

interface TaskDefinition {
  family: string;
  requiresCompatibilities: string[];
  networkMode: string;
  cpu: string;
  memory: string;
  volumes: Array<{ name: string }>;
  containerDefinitions: ContainerDefinition[];
}

const FARGATE_SIZES: Record<string, string[]> = {
  '256': ['512', '1024', '2048'],
  '512': ['1024', '2048', '3072', '4096'],
  '1024': ['2048', '3072', '4096', '5120', '6144', '7168', '8192'],
};

describe('ECS task definition', () => {
  const task = readJson<TaskDefinition>('config/ecs/task-definition.json');
  const container = task.containerDefinitions[0] as ContainerDefinition;
  const stages = readDockerfile(join(REPO, 'Dockerfile'));
  const final = stages[stages.length - 1] as Stage;
  const dockerArgs = (keyword: string) => final.instructions.find((i) => i.keyword === keyword)?.args ?? '';

  it('is one essential container on Fargate with awsvpc and a valid Fargate size', () => {
    expect(task.containerDefinitions).to.have.length(1);
    expect(task.requiresCompatibilities).to.include('FARGATE');
    expect(task.networkMode).to.equal('awsvpc');
    expect(FARGATE_SIZES[task.cpu] ?? []).to.include(task.memory);
    expect(task.family).to.equal('${name_prefix}-consul-acl-controller');
  });

  it('runs as the Dockerfile USER, non-root, on a read-only root with only /tmp writable', () => {
    expect(container.user).to.equal(dockerArgs('USER'));
    expect(Number(container.user.split(':')[0])).to.be.greaterThan(0);
    expect(container.readonlyRootFilesystem).to.equal(true);
    expect(
      container.mountPoints.filter((mount) => !mount.readOnly).map((mount) => mount.containerPath),
    ).to.deep.equal(['/tmp']);
    const volumes = task.volumes.map((volume) => volume.name);
    for (const mount of container.mountPoints) expect(volumes).to.include(mount.sourceVolume);
  });

  it('publishes the EXPOSEd ops port and health-checks exactly like the image', () => {
    expect(container.portMappings.map((port) => port.containerPort)).to.deep.equal([
      Number(dockerArgs('EXPOSE')),
    ]);
    const healthcheck = dockerArgs('HEALTHCHECK');
    const dockerCommand = execForm((/\bCMD\s+(.*)$/.exec(healthcheck) as RegExpExecArray)[1] as string);
    expect(container.healthCheck.command).to.deep.equal(['CMD', ...(dockerCommand ?? [])]);
    const option = (name: string) =>
      Number(/\d+/.exec(new RegExp(`--${name}=(\\d+)s`).exec(healthcheck)?.[1] ?? 'NaN'));
    expect(container.healthCheck.interval).to.equal(option('interval'));
    expect(container.healthCheck.timeout).to.equal(option('timeout'));
    expect(container.healthCheck.retries).to.equal(Number(/--retries=(\d+)/.exec(healthcheck)?.[1]));
    expect(container.healthCheck.startPeriod).to.equal(option('start-period'));
  });

  it('has a command the real flag parser accepts, listening on the published port', () => {
    expect(container.command[0]).to.equal('acl-controller');
    const args = container.command.slice(1).map((arg) =>
      fillPlaceholders(arg, {
        client_secret_arn:
          'arn:aws:secretsmanager:eu-west-1:111122223333:secret:mesh-consul-client-token-AbCdEf',
        name_prefix: 'mesh',
        cluster: 'prod',
      }),
    );
    const parsed = parseAclControllerFlags(args);
    expect(parsed.clusters).to.have.length(1);
    expect(parsed.clusters[0]).to.include({ secretNamePrefix: 'mesh', cluster: 'prod' });
    expect(parsed.listenPort).to.equal(container.portMappings[0]?.containerPort);
  });

  it('takes CONSUL_HTTP_TOKEN from Secrets Manager and CONSUL_HTTP_ADDR from the environment', () => {
    expect(container.secrets.find((secret) => secret.name === 'CONSUL_HTTP_TOKEN')?.valueFrom).to.equal(
      '${consul_bootstrap_token_secret_arn}',
    );
    expect(container.environment.map((variable) => variable.name)).to.deep.equal(['CONSUL_HTTP_ADDR']);
    expect(container.environment.some((variable) => /TOKEN/.test(variable.name))).to.equal(false);
  });

  it('logs with awslogs to a group, region and stream prefix', () => {
    expect(container.logConfiguration.logDriver).to.equal('awslogs');
    expect(Object.keys(container.logConfiguration.options).sort()).to.deep.equal([
      'awslogs-group',
      'awslogs-region',
      'awslogs-stream-prefix',
    ]);
  });

  it('uses a pinned image whose tag is the package version', () => {
    const { version } = readJson<{ version: string }>('package.json');
    expect(container.image).to.match(/^[a-z0-9./-]+\/ecs-acl-controller:[0-9][\w.-]*$/);
    expect(container.image.endsWith(`:${version}`)).to.equal(true);
  });

  describe('the health-check command', function () {
    this.timeout(30_000);
    let world: AclWorld;
    after(async () => {
      await world?.close();
    });

    async function healthcheck(url: string): Promise<number> {
      const [, flag, script] = container.healthCheck.command.slice(1) as [string, string, string];
      const probe = script.replace('http://127.0.0.1:8080', url);
      expect(probe).not.to.equal(script);
      return run('node', [flag, probe], { timeout: 10_000 }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    }

    it('exits 0 against a live controller, and 1 when nothing listens', async () => {
      world = await AclWorld.start();
      const controller = await world.startController();
      const url = (controller.manager.opsUrl as string).replace(/\/$/, '');
      expect(await healthcheck(url)).to.equal(0);
      await controller.stop();
      expect(await healthcheck(url)).to.equal(1);
    });
  });
});
