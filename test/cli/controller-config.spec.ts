import { expect } from 'chai';

import { UsageError } from '../../src/cli/command.js';
import { parseControllerConfig } from '../../controllers/cli/controller-config.js';

/** CONSUL_ECS_CONFIG_JSON as terraform-aws-consul-ecs `modules/controller` (v0.7-v0.10) renders it, TLS on. */
const MODULE_CONFIG = {
  controller: { iamRolePath: '/consul-ecs/', partitionsEnabled: false, partition: '' },
  bootstrapDir: '/consul',
  consulServers: {
    hosts: 'consul.example.internal',
    skipServerWatch: false,
    defaults: { tls: true, tlsServerName: 'server.dc1.consul' },
    http: { port: 8501, https: true },
    grpc: { port: 8503 },
  },
};

const parse = (config: unknown, env: Record<string, string> = {}) =>
  parseControllerConfig({
    CONSUL_ECS_CONFIG_JSON: JSON.stringify(config),
    CONSUL_HTTP_TOKEN: 'secret-token',
    ...env,
  });

const problem = (config: unknown, env: Record<string, string> = {}) => {
  try {
    parse(config, env);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as Error).message;
  }
  return expect.fail('no UsageError');
};

describe('controller configuration (CONSUL_ECS_CONFIG_JSON, as consul-ecs v0.10)', () => {
  it("reads the Terraform module's configuration: HTTPS to hosts with the defaults' TLS server name", () => {
    const settings = parse(MODULE_CONFIG, { CONSUL_HTTPS_CACERT_PEM: '-----BEGIN CERTIFICATE-----' });
    expect(settings).to.deep.equal({
      logLevel: 'info',
      iamRolePath: '/consul-ecs/',
      partitionsEnabled: false,
      partition: '',
      consul: {
        host: 'consul.example.internal',
        port: 8501,
        https: true,
        caCertPem: '-----BEGIN CERTIFICATE-----',
        tlsServerName: 'server.dc1.consul',
      },
      token: 'secret-token',
    });
  });

  it("applies v0.10's defaults: port 8501, HTTPS, hosts as the TLS name, /consul-ecs/ even without a controller block", () => {
    const settings = parse({ bootstrapDir: '/consul', consulServers: { hosts: '10.0.0.5' } });
    expect(settings.consul).to.deep.equal({
      host: '10.0.0.5',
      port: 8501,
      https: true,
      tlsServerName: '10.0.0.5',
    });
    expect(settings.iamRolePath).to.equal('/consul-ecs/');
    const plain = parse({
      bootstrapDir: '/c',
      consulServers: { hosts: 'h', http: { https: false, port: 8500 } },
    });
    expect(plain.consul).to.deep.equal({ host: 'h', port: 8500, https: false });
  });

  it('serves the default partition when partitions are on and none is named', () => {
    const on = parse({ ...MODULE_CONFIG, controller: { partitionsEnabled: true } });
    expect([on.partitionsEnabled, on.partition]).to.deep.equal([true, 'default']);
    const named = parse({ ...MODULE_CONFIG, controller: { partitionsEnabled: true, partition: 'team-a' } });
    expect(named.partition).to.equal('team-a');
  });

  it('logs in with the IAM auth method when CONSUL_HTTP_TOKEN is empty and consulLogin is enabled', () => {
    const settings = parseControllerConfig({
      CONSUL_ECS_CONFIG_JSON: JSON.stringify({
        ...MODULE_CONFIG,
        consulLogin: { enabled: true, meta: { team: 'a' } },
      }),
      CONSUL_HTTP_TOKEN: '',
    });
    expect(settings.token).to.equal(undefined);
    expect(settings.login).to.deep.equal({
      method: 'iam-ecs-service-token',
      includeEntity: true,
      meta: { team: 'a' },
    });
  });

  it('names the variable and the field in every error, and never the token', () => {
    const cases: Array<[unknown, string]> = [
      [{ consulServers: { hosts: 'h' } }, 'CONSUL_ECS_CONFIG_JSON: bootstrapDir is required'],
      [{ bootstrapDir: '/c' }, 'CONSUL_ECS_CONFIG_JSON: consulServers.hosts is required'],
      [{ ...MODULE_CONFIG, extra: 1 }, 'CONSUL_ECS_CONFIG_JSON: extra is not a field'],
      [{ ...MODULE_CONFIG, controller: { iamRolepath: '/x/' } }, 'controller.iamRolepath is not a field'],
      [
        { ...MODULE_CONFIG, controller: { partition: 'a' } },
        'controller.partition is set, but controller.partitionsEnabled is not true',
      ],
      [
        { ...MODULE_CONFIG, consulServers: { hosts: 'h', http: { port: 70000 } } },
        'consulServers.http.port must be an integer from 1 to 65535',
      ],
      [
        { ...MODULE_CONFIG, consulServers: { hosts: 'h', http: { https: 'yes' } } },
        'consulServers.http.https must be true or false',
      ],
      [{ ...MODULE_CONFIG, consulServers: { hosts: 'exec=discover' } }, 'exec= commands are not supported'],
      [{ ...MODULE_CONFIG, logLevel: 'LOUD' }, 'logLevel must be one of TRACE, DEBUG, INFO, WARN, ERROR'],
      [
        { ...MODULE_CONFIG, consulLogin: { enabled: true, meta: { a: 1 } } },
        'consulLogin.meta.a must be a string',
      ],
      [[MODULE_CONFIG], 'CONSUL_ECS_CONFIG_JSON: must be a JSON object'],
    ];
    for (const [config, message] of cases) {
      const text = problem(config);
      expect(text, JSON.stringify(config)).to.include(message);
      expect(text).not.to.include('secret-token');
    }
    expect(() => parseControllerConfig({})).to.throw(UsageError, 'CONSUL_ECS_CONFIG_JSON is not set');
    expect(() => parseControllerConfig({ CONSUL_ECS_CONFIG_JSON: '{' })).to.throw(
      UsageError,
      'not valid JSON',
    );
    expect(() =>
      parseControllerConfig({ CONSUL_ECS_CONFIG_JSON: JSON.stringify(MODULE_CONFIG), CONSUL_HTTP_TOKEN: '' }),
    ).to.throw(UsageError, 'CONSUL_HTTP_TOKEN is empty and consulLogin.enabled is not true');
  });

  it('accepts the mesh-task sections of a shared configuration and ignores them', () => {
    const settings = parse({
      ...MODULE_CONFIG,
      service: { name: 'web' },
      proxy: {},
      transparentProxy: { enabled: true },
    });
    expect(settings.consul.host).to.equal('consul.example.internal');
  });
});
