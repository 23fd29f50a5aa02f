/**
 * The configuration of `ecs-acl-controller controller`, read as consul-ecs v0.10's `controller`
 * reads it: the JSON in CONSUL_ECS_CONFIG_JSON (its `config/schema.json`), the token in
 * CONSUL_HTTP_TOKEN and the HTTPS CA in CONSUL_HTTPS_CACERT_PEM. No flags.
 *
 * Invariants:
 * - Every problem is a UsageError that names the variable and the field (`consulServers.http.port`),
 *   so a bad configuration exits 2 before anything is contacted.
 * - The fields the controller uses are checked as the schema types them (null means "unset"); an
 *   unknown field at the top level, or inside `controller`, `consulServers` or `consulLogin`, is an
 *   error, as the schema's `additionalProperties: false` makes it one upstream. The mesh-task
 *   sections (`service`, `proxy`, `gateway`, …) are accepted and ignored.
 * - Defaults are v0.10's: HTTPS on port 8501, the TLS server name from `tlsServerName` or else
 *   `hosts`, the role path `/consul-ecs/` (also when the `controller` block is absent, where v0.10
 *   leaves it empty and so trusts every role of the account), partition `default` when partitions
 *   are on, login method `iam-ecs-service-token` with `includeEntity` true.
 * - Consul is reached over HTTP(S) only, at `hosts` itself: no gRPC, so the `grpc` block is checked
 *   and ignored, and `exec=` hosts (a command that prints addresses) are refused with a message.
 * - The token is never part of an error message.
 */
import { UsageError } from '../../src/cli/command.js';
import { type LogLevel } from '../../src/log/logger.js';

export const CONFIG_VARIABLE = 'CONSUL_ECS_CONFIG_JSON';
export const DEFAULT_IAM_ROLE_PATH = '/consul-ecs/';
export const DEFAULT_LOGIN_METHOD = 'iam-ecs-service-token';

export interface ConsulHttpSettings {
  readonly host: string;
  readonly port: number;
  readonly https: boolean;
  /** PEM text of the CA (CONSUL_HTTPS_CACERT_PEM), which wins over `caCertFile`. */
  readonly caCertPem?: string;
  readonly caCertFile?: string;
  /** The name the server's certificate is checked against. */
  readonly tlsServerName?: string;
}

export interface ConsulLoginSettings {
  readonly method: string;
  readonly datacenter?: string;
  readonly includeEntity: boolean;
  readonly meta: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly stsEndpoint?: string;
  readonly serverIdHeaderValue?: string;
}

export interface ControllerSettings {
  readonly logLevel: LogLevel;
  readonly iamRolePath: string;
  readonly partitionsEnabled: boolean;
  /** The partition served: `default` when partitions are on and none is named; '' when off. */
  readonly partition: string;
  readonly consul: ConsulHttpSettings;
  /** CONSUL_HTTP_TOKEN; absent when the controller logs in instead (`consulLogin`). */
  readonly token?: string;
  readonly login?: ConsulLoginSettings;
}

const TOP_LEVEL = [
  'logLevel',
  'bootstrapDir',
  'consulLogin',
  'controller',
  'consulServers',
  'healthSyncContainers',
  'service',
  'proxy',
  'gateway',
  'transparentProxy',
];
const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

type Json = Readonly<Record<string, unknown>>;

/** Reads one JSON object's fields, each checked against its schema type; `null` reads as unset. */
class Fields {
  constructor(
    private readonly object: Json,
    private readonly path: string,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key))
        throw this.problem(key, 'is not a field of the consul-ecs v0.10 configuration');
    }
  }

  static of(value: unknown, path: string, allowed: readonly string[]): Fields | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw configError(`${path} must be an object`);
    return new Fields(value as Json, path, allowed);
  }

  problem(key: string, what: string): UsageError {
    return configError(`${this.path ? `${this.path}.` : ''}${key} ${what}`);
  }

  string(key: string): string | undefined {
    const value = this.object[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.problem(key, 'must be a string');
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.object[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.problem(key, 'must be true or false');
    return value;
  }

  port(key: string): number | undefined {
    const value = this.object[key];
    if (value === undefined || value === null) return undefined;
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535)
      throw this.problem(key, 'must be an integer from 1 to 65535');
    return value as number;
  }

  stringMap(key: string): Record<string, string> | undefined {
    const value = this.object[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.problem(key, 'must be an object');
    for (const [name, item] of Object.entries(value))
      if (typeof item !== 'string') throw this.problem(`${key}.${name}`, 'must be a string');
    return value as Record<string, string>;
  }

  child(key: string, allowed: readonly string[]): Fields | undefined {
    return Fields.of(this.object[key], `${this.path ? `${this.path}.` : ''}${key}`, allowed);
  }
}

function configError(problem: string): UsageError {
  return new UsageError(`${CONFIG_VARIABLE}: ${problem}`);
}

/** Parses the controller's configuration from the environment, or throws a UsageError. */
export function parseControllerConfig(env: Readonly<Record<string, string | undefined>>): ControllerSettings {
  const text = env[CONFIG_VARIABLE];
  if (!text)
    throw new UsageError(`${CONFIG_VARIABLE} is not set: the controller reads its configuration from it`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw configError(`not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw configError('must be a JSON object');
  const root = new Fields(parsed as Json, '', TOP_LEVEL);

  const bootstrapDir = root.string('bootstrapDir');
  if (!bootstrapDir) throw configError('bootstrapDir is required (a non-empty string)');
  const levelName = root.string('logLevel') ?? 'INFO';
  const logLevel = LOG_LEVELS[levelName];
  if (!logLevel) throw configError(`logLevel must be one of ${Object.keys(LOG_LEVELS).join(', ')}`);

  const controller = root.child('controller', ['iamRolePath', 'partitionsEnabled', 'partition']);
  const partitionsEnabled = controller?.boolean('partitionsEnabled') ?? false;
  const namedPartition = controller?.string('partition') ?? '';
  if (namedPartition && !partitionsEnabled)
    throw configError('controller.partition is set, but controller.partitionsEnabled is not true');

  const consul = consulHttp(root, env);
  const token = env.CONSUL_HTTP_TOKEN || undefined;
  // Checked even when unused: a broken block should not wait for the day the token goes.
  const configuredLogin = consulLogin(root);
  const login = token === undefined ? configuredLogin : undefined;
  if (token === undefined && login === undefined)
    throw new UsageError(
      'CONSUL_HTTP_TOKEN is empty and consulLogin.enabled is not true: the controller needs a Consul token',
    );

  return {
    logLevel,
    iamRolePath: controller?.string('iamRolePath') || DEFAULT_IAM_ROLE_PATH,
    partitionsEnabled,
    partition: partitionsEnabled ? namedPartition || 'default' : '',
    consul,
    ...(token !== undefined ? { token } : {}),
    ...(login !== undefined ? { login } : {}),
  };
}

const TLS_FIELDS = ['caCertFile', 'tls', 'tlsServerName'];

function consulHttp(root: Fields, env: Readonly<Record<string, string | undefined>>): ConsulHttpSettings {
  const servers = root.child('consulServers', ['hosts', 'defaults', 'http', 'grpc', 'skipServerWatch']);
  const host = servers?.string('hosts');
  if (!servers || !host) throw configError('consulServers.hosts is required');
  if (host.startsWith('exec='))
    throw configError(
      "consulServers.hosts: exec= commands are not supported; give the servers' DNS name or an IP",
    );
  servers.boolean('skipServerWatch');
  const defaults = servers.child('defaults', TLS_FIELDS);
  const http = servers.child('http', [...TLS_FIELDS, 'https', 'port']);
  const grpc = servers.child('grpc', [...TLS_FIELDS, 'port']);
  for (const block of [defaults, http, grpc]) {
    block?.boolean('tls');
    block?.string('caCertFile');
    block?.string('tlsServerName');
  }
  grpc?.port('port');
  const https = http?.boolean('https') ?? true;
  const caCertFile = http?.string('caCertFile') ?? defaults?.string('caCertFile');
  const caCertPem = env.CONSUL_HTTPS_CACERT_PEM || undefined;
  return {
    host,
    port: http?.port('port') ?? 8501,
    https,
    ...(https && caCertPem ? { caCertPem } : {}),
    ...(https && caCertFile ? { caCertFile } : {}),
    ...(https
      ? { tlsServerName: http?.string('tlsServerName') ?? defaults?.string('tlsServerName') ?? host }
      : {}),
  };
}

function consulLogin(root: Fields): ConsulLoginSettings | undefined {
  const login = root.child('consulLogin', [
    'enabled',
    'method',
    'datacenter',
    'includeEntity',
    'meta',
    'region',
    'stsEndpoint',
    'serverIdHeaderValue',
  ]);
  if (!login?.boolean('enabled')) return undefined;
  const optional = (key: string) => {
    const value = login.string(key);
    return value ? { [key]: value } : {};
  };
  return {
    method: login.string('method') || DEFAULT_LOGIN_METHOD,
    includeEntity: login.boolean('includeEntity') ?? true,
    meta: login.stringMap('meta') ?? {},
    ...optional('datacenter'),
    ...optional('region'),
    ...optional('stsEndpoint'),
    ...optional('serverIdHeaderValue'),
  };
}
