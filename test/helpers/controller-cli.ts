/**
 * How harnesses start the real controller CLI against loopback servers: the per-cluster flags and
 * the environment (AWS endpoints and credentials, Consul address and token). One definition for
 * the end-to-end tests, the benchmarks and the chaos run.
 *
 * Invariants: the environment holds only what is given here plus PATH (no ambient AWS or Consul
 * settings leak in from the parent), and the ops server always listens on a free loopback port.
 */
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry point. */
export const CLI = fileURLToPath(new URL('../../controllers/cli/main.js', import.meta.url));

export interface ClusterArgs {
  readonly cluster: string;
  readonly clientSecretArn: string;
  readonly prefix: string;
}

/** `acl-controller` with each cluster's flags (in order) and `-listen-addr 127.0.0.1:0`. */
export function controllerArgs(clusters: readonly ClusterArgs[]): string[] {
  return [
    CLI,
    'acl-controller',
    ...clusters.flatMap((c) => [
      '-cluster',
      c.cluster,
      '-consul-client-secret-arn',
      c.clientSecretArn,
      '-secret-name-prefix',
      c.prefix,
    ]),
    '-listen-addr',
    '127.0.0.1:0',
  ];
}

export interface ControllerEndpoints {
  readonly ecsUrl: string;
  readonly secretsManagerUrl: string;
  readonly sqsUrl?: string;
  readonly consulUrl: string;
  readonly consulToken: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export function controllerEnv(endpoints: ControllerEndpoints): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: endpoints.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoints.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_ECS: endpoints.ecsUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManagerUrl,
    ...(endpoints.sqsUrl !== undefined ? { AWS_ENDPOINT_URL_SQS: endpoints.sqsUrl } : {}),
    CONSUL_HTTP_ADDR: endpoints.consulUrl,
    CONSUL_HTTP_TOKEN: endpoints.consulToken,
  };
}

/**
 * Leader-election flags for a test against an envtest Consul whose session TTL minimum is 1 s:
 * a short TTL, a fast renew and a short lock-delay, so a failover takes seconds.
 */
export function fastElectionFlags(ttl = '2s', renew = '500ms', lockDelay = '1s'): string[] {
  return [
    '-leader-election',
    '-leader-election-ttl',
    ttl,
    '-consul-session-ttl-min',
    '1s',
    '-leader-election-renew',
    renew,
    '-leader-election-lock-delay',
    lockDelay,
  ];
}

/**
 * The real CLI's `acl-controller` pointed at endpoints that refuse at once (AWS and Consul on
 * 127.0.0.1:1), for tests of what it prints at start: `[execPath args]` and its environment.
 */
export function unreachableController(
  extraArgs: readonly string[] = [],
  extraEnv: Readonly<Record<string, string>> = {},
): { readonly args: string[]; readonly env: NodeJS.ProcessEnv } {
  return {
    args: [
      CLI,
      'acl-controller',
      ...['-cluster', 'c', '-secret-name-prefix', 'p', '-consul-client-secret-arn', 's'],
      ...['-listen-addr', '127.0.0.1:0', ...extraArgs],
    ],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      CONSUL_HTTP_ADDR: '127.0.0.1:1',
      ...extraEnv,
    },
  };
}
