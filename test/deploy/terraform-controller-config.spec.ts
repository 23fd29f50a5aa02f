/**
 * What config/terraform/controller gives the container, evaluated with `terraform console` from
 * the module's provider-free files (terraform-console.ts):
 * - CONSUL_ECS_CONFIG_JSON equals what upstream's v0.10.0 module renders for the same inputs
 *   (re-stated here from UPSTREAM.md), and the controller's own parser (parseControllerConfig)
 *   accepts it with the intended host, port, scheme, TLS name, partition and role path;
 * - the whole container environment and command are accepted by the real CLI up to the point where
 *   it needs ECS task metadata;
 * - the token and the HTTPS CA are task-definition secrets (ARN as given), the gRPC CA is not used;
 * - the health check one-liner asks /readyz on the listen port and follows its status;
 * - the variable checks refuse bad keys, exec= hosts, unreachable listen addresses and bad rates.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

import { parseControllerConfig } from '../../controllers/cli/controller-config.js';
import { CLI } from '../helpers/controller-cli.js';
import { ConsoleError, evaluate, evaluateOne, REQUIRED_INPUTS } from './terraform-console.js';

interface Container {
  command: string[];
  environment: Array<{ name: string; value: string }>;
  secrets: Array<{ name: string; valueFrom: string }>;
  portMappings: Array<{ containerPort: number; protocol: string }>;
  healthCheck: { command: string[] };
}

type Inputs = Record<string, unknown>;

/** Upstream v0.10.0 config.tf, re-stated: the document it renders for these inputs. */
function upstreamDocument(inputs: Inputs): unknown {
  const input = <T>(name: string, fallback: T): T => (name in inputs ? (inputs[name] as T) : fallback);
  const tls = input('tls', false);
  const partitions = input('consul_partitions_enabled', false);
  return {
    controller: {
      iamRolePath: input('iam_role_path', '/consul-ecs/'),
      partitionsEnabled: partitions,
      partition: partitions ? input('consul_partition', 'default') : '',
    },
    bootstrapDir: '/consul',
    consulServers: {
      hosts: input('consul_server_hosts', ''),
      skipServerWatch: input('skip_server_watch', false),
      defaults: { tls, tlsServerName: input('tls_server_name', '') },
      http: { port: tls ? 8501 : 8500, https: tls, ...input('http_config', {}) },
      grpc: { port: tls ? 8503 : 8502, ...input('grpc_config', {}) },
    },
  };
}

const CASES: Array<{
  title: string;
  inputs: Inputs;
  consul: [string, number, boolean, string];
  partition: string;
}> = [
  { title: 'defaults: plain HTTP on 8500', inputs: {}, consul: ['http', 8500, false, ''], partition: '' },
  {
    title: 'tls with a server name, partitions on, another role path, no server watch',
    inputs: {
      tls: true,
      tls_server_name: 'server.dc1.consul',
      consul_partitions_enabled: true,
      consul_partition: 'team-a',
      iam_role_path: '/mesh/',
      skip_server_watch: true,
    },
    consul: ['https', 8501, true, 'server.dc1.consul'],
    partition: 'team-a',
  },
  {
    title: 'tls, http_config port 443 and a gRPC override (rendered, unused)',
    inputs: {
      tls: true,
      http_config: { port: 443 },
      grpc_config: { port: 8502, tlsServerName: 'grpc.consul' },
    },
    consul: ['https', 443, true, 'consul.example.com'],
    partition: '',
  },
  {
    title: 'tls, but http_config turns HTTPS off on 8500',
    inputs: { tls: true, http_config: { https: false, port: 8500 } },
    consul: ['http', 8500, false, ''],
    partition: '',
  },
  {
    title: 'partitions on, the default partition',
    inputs: { consul_partitions_enabled: true },
    consul: ['http', 8500, false, ''],
    partition: 'default',
  },
];

const configOf = (container: Container) =>
  container.environment.find((entry) => entry.name === 'CONSUL_ECS_CONFIG_JSON')?.value as string;

describe('Terraform module controller: the container it renders (terraform console)', function () {
  this.timeout(30_000);

  describe('CONSUL_ECS_CONFIG_JSON', () => {
    for (const { title, inputs, consul, partition } of CASES) {
      it(`${title}: as upstream renders it, and parsed as intended`, async function () {
        const container = await evaluateOne<Container>(
          this,
          { ...REQUIRED_INPUTS, ...inputs },
          'local.container',
        );
        expect(container.environment.map((entry) => entry.name)).to.deep.equal(['CONSUL_ECS_CONFIG_JSON']);
        const text = configOf(container);
        expect(JSON.parse(text)).to.deep.equal(upstreamDocument({ ...REQUIRED_INPUTS, ...inputs }));
        const settings = parseControllerConfig({ CONSUL_ECS_CONFIG_JSON: text, CONSUL_HTTP_TOKEN: 'secret' });
        const [scheme, port, https, serverName] = consul;
        expect({
          host: settings.consul.host,
          port: settings.consul.port,
          https: settings.consul.https,
        }).to.deep.equal({
          host: REQUIRED_INPUTS.consul_server_hosts,
          port,
          https,
        });
        expect(scheme).to.equal(https ? 'https' : 'http');
        // An empty tlsServerName (upstream's default) means "check against hosts" to the transport.
        expect(https ? settings.consul.tlsServerName || settings.consul.host : '').to.equal(serverName);
        expect(settings.partition).to.equal(partition);
        expect(settings.partitionsEnabled).to.equal(partition !== '');
        expect(settings.iamRolePath).to.equal((inputs.iam_role_path as string | undefined) ?? '/consul-ecs/');
        expect(settings.token).to.equal('secret');
      });
    }
  });

  describe('command and environment, through the real CLI', () => {
    let container: Container;
    before(async function () {
      container = await evaluateOne<Container>(this, REQUIRED_INPUTS, 'local.container');
    });

    const cli = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, [CLI, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_REGION: 'eu-west-1', ...env },
        timeout: 15_000,
      });

    it('is `controller` with our flags at their defaults', () => {
      expect(container.command).to.deep.equal([
        'controller',
        '-gc-grace-period',
        '2m',
        '-resync-interval',
        '30s',
        '-listen-addr',
        '0.0.0.0:8080',
        '-ecs-read-rate',
        '10',
      ]);
    });

    it('passes the flag parser: the first complaint is the missing configuration (an unknown flag would be named)', () => {
      const ok = cli(container.command, {});
      expect(ok.status, ok.stderr).to.equal(2);
      expect(ok.stderr).to.contain('CONSUL_ECS_CONFIG_JSON is not set');
      const bad = cli([...container.command, '-no-such-flag', 'x'], {});
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.contain('no-such-flag').and.not.contain('CONSUL_ECS_CONFIG_JSON is not set');
    });

    it('with its environment and a token, stops only for want of ECS task metadata', () => {
      const env = Object.fromEntries(container.environment.map((entry) => [entry.name, entry.value]));
      const result = cli(container.command, { ...env, CONSUL_HTTP_TOKEN: 'secret' });
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.contain('ECS_CONTAINER_METADATA_URI_V4 is not set');
      expect(result.stderr).to.not.contain('secret');
    });
  });

  describe('secrets', () => {
    const TOKEN = REQUIRED_INPUTS.consul_bootstrap_token_secret_arn;
    const CA = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-ca-Gh1jK2';
    const HTTPS_CA = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-https-ca-Lm3nO4';
    const GRPC_CA = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul-grpc-ca-Pq5rS6';
    const cases: Array<[string, Inputs, Array<[string, string]>, string[]]> = [
      ['the token only', {}, [['CONSUL_HTTP_TOKEN', TOKEN]], [TOKEN]],
      [
        'a JSON key on the token; consul_ca_cert_arn as the HTTPS CA',
        { consul_bootstrap_token_secret_arn: `${TOKEN}:token::`, consul_ca_cert_arn: CA },
        [
          ['CONSUL_HTTP_TOKEN', `${TOKEN}:token::`],
          ['CONSUL_HTTPS_CACERT_PEM', CA],
        ],
        [TOKEN, CA],
      ],
      [
        'consul_https_ca_cert_arn wins; the gRPC CA is neither passed nor granted',
        {
          consul_ca_cert_arn: CA,
          consul_https_ca_cert_arn: `${HTTPS_CA}:pem:AWSCURRENT:`,
          consul_grpc_ca_cert_arn: GRPC_CA,
        },
        [
          ['CONSUL_HTTP_TOKEN', TOKEN],
          ['CONSUL_HTTPS_CACERT_PEM', `${HTTPS_CA}:pem:AWSCURRENT:`],
        ],
        [TOKEN, HTTPS_CA],
      ],
      [
        'only a gRPC CA: nothing but the token',
        { consul_grpc_ca_cert_arn: GRPC_CA },
        [['CONSUL_HTTP_TOKEN', TOKEN]],
        [TOKEN],
      ],
    ];
    for (const [title, inputs, secrets, granted] of cases) {
      it(`${title}`, async function () {
        const [container, arns] = (await evaluate(this, { ...REQUIRED_INPUTS, ...inputs }, [
          'local.container',
          'local.execution_secret_arns',
        ])) as [Container, string[]];
        expect(container.secrets.map((s) => [s.name, s.valueFrom])).to.deep.equal(secrets);
        expect(arns).to.deep.equal(granted);
        expect(JSON.stringify(container.environment)).to.not.contain('secretsmanager');
      });
    }
  });

  describe('health check', () => {
    for (const [status, exitCode] of [
      [200, 0],
      [503, 1],
    ] as const) {
      it(`asks /readyz on the listen port: ${status} → exit ${exitCode}`, async function () {
        const paths: string[] = [];
        const server = createServer((req, res) => {
          paths.push(req.url ?? '');
          res.writeHead(req.url === '/readyz' ? status : 404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
          const port = (server.address() as AddressInfo).port;
          const container = await evaluateOne<Container>(
            this,
            { ...REQUIRED_INPUTS, listen_addr: `127.0.0.1:${port}` },
            'local.container',
          );
          expect(container.portMappings).to.deep.equal([
            { containerPort: port, protocol: 'tcp', name: 'ops' },
          ]);
          const [kind, binary, ...args] = container.healthCheck.command;
          expect([kind, binary]).to.deep.equal(['CMD', 'node']);
          const result = await new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, args, { stdio: 'ignore' });
            child.on('close', resolve);
          });
          expect(paths).to.deep.equal(['/readyz']);
          expect(result).to.equal(exitCode);
        } finally {
          server.close();
        }
      });
    }
  });

  describe('variable checks', () => {
    const refused: Array<[string, Inputs, string]> = [
      ['an unknown http_config key', { http_config: { address: 'x' } }, 'http_config may only have the keys'],
      ['an unknown grpc_config key', { grpc_config: { https: true } }, 'grpc_config may only have the keys'],
      ['exec= hosts', { consul_server_hosts: 'exec=discover-consul' }, 'does not run exec= host commands'],
      [
        'a listen address the health check cannot reach',
        { listen_addr: '10.0.0.5:8080' },
        'listen_addr must be',
      ],
      ['an ECS read rate of 0', { ecs_read_rate: 0 }, 'ecs_read_rate must be a whole number'],
    ];
    for (const [title, inputs, message] of refused) {
      it(`refuses ${title}`, async function () {
        const error = await evaluateOne(this, { ...REQUIRED_INPUTS, ...inputs }, '1').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ConsoleError);
        expect((error as ConsoleError).stderr.replace(/\s+/g, ' ')).to.contain(message);
      });
    }

    it('accepts the listen addresses it documents', async function () {
      const ports = await evaluate(
        this,
        {
          ...REQUIRED_INPUTS,
          listen_addr: '[::]:9090',
          http_config: { port: 8500, https: false, tls: false, tlsServerName: 'x' },
        },
        ['local.ops_port'],
      );
      expect(ports).to.deep.equal([9090]);
    });
  });
});
