import { expect } from 'chai';

import { parseAclControllerFlags } from '../../controllers/cli/acl-controller-flags.js';
import { UsageError } from '../../src/cli/command.js';
import { parseDuration, parseGoFlags } from '../../src/cli/go-flags.js';

const REQUIRED = [
  '-consul-client-secret-arn',
  'arn:aws:secretsmanager:us-east-1:1:secret:c-AbCdEf',
  '-secret-name-prefix',
  'p',
];

const TWO_CLUSTERS = [
  '-cluster',
  'a',
  '-secret-name-prefix',
  'pa',
  '-consul-client-secret-arn',
  'arn:ca',
  '-cluster',
  'b',
  '-secret-name-prefix',
  'pb',
  '-consul-client-secret-arn',
  'arn:cb',
];

describe('Go-style flags', () => {
  it('accepts -name value, -name=value, --name and bare booleans', () => {
    const flags = parseGoFlags(
      ['-a', '1', '--b=2', '-c'],
      [
        { name: 'a', kind: 'string', help: '' },
        { name: 'b', kind: 'int', help: '' },
        { name: 'c', kind: 'bool', help: '' },
      ],
    );
    expect([...flags.entries()]).to.deep.equal([
      ['a', ['1']],
      ['b', ['2']],
      ['c', ['true']],
    ]);
  });

  it('parses Go durations', () => {
    expect(parseDuration('30s', 'x')).to.equal(30_000);
    expect(parseDuration('1h30m', 'x')).to.equal(5_400_000);
    expect(parseDuration('250ms', 'x')).to.equal(250);
    expect(parseDuration('0', 'x')).to.equal(0);
    expect(() => parseDuration('10', 'gc-grace-period')).to.throw(
      'invalid duration "10" for flag -gc-grace-period',
    );
  });

  it('maps the consul-ecs command line of the Terraform module, with our defaults', () => {
    const run = parseAclControllerFlags([...REQUIRED, '-cluster', 'prod']);
    expect(run.clusters).to.deep.equal([
      { cluster: 'prod', secretNamePrefix: 'p', clientSecretArn: REQUIRED[1], eventsQueueUrl: undefined },
    ]);
    expect(run.config).to.include({
      partitionsEnabled: false,
      gcGracePeriodMs: 120_000,
      resyncIntervalMs: 30_000,
      dryRun: false,
      secretsWriteRate: 40,
      ecsReadRate: 10,
      ecsReadBurst: 50,
      // Without events the service list is what finds a new service whose first tasks fail.
      serviceResyncIntervalMs: 30_000,
    });
    expect(run.listenPort).to.equal(8080);
    expect(run.once).to.equal(false);
    expect(run.iamAuthClusters).to.deep.equal([]);
    expect(parseAclControllerFlags([...REQUIRED, '-iam-auth-cluster', 'blue']).iamAuthClusters).to.deep.equal(
      ['blue'],
    );
  });

  it('pairs repeated per-cluster flags by position: one process serves several clusters', () => {
    const run = parseAclControllerFlags([
      ...TWO_CLUSTERS,
      '-events-queue-url',
      'https://q/a',
      '-events-queue-url',
      'https://q/b',
      '-leader-election',
      '-leader-election-key',
      'locks/<cluster>',
    ]);
    expect(run.clusters).to.deep.equal([
      { cluster: 'a', secretNamePrefix: 'pa', clientSecretArn: 'arn:ca', eventsQueueUrl: 'https://q/a' },
      { cluster: 'b', secretNamePrefix: 'pb', clientSecretArn: 'arn:cb', eventsQueueUrl: 'https://q/b' },
    ]);
    expect(run.config.leaderElection?.key).to.equal('locks/<cluster>');
    // Events on, so the full resync defaults to the 10-minute safety net.
    expect(run.config.resyncIntervalMs).to.equal(600_000);
    // ... and the ECS service relist to an hour (services with running tasks are not described).
    expect(run.config.serviceResyncIntervalMs).to.equal(3_600_000);
    const explicit = parseAclControllerFlags([...TWO_CLUSTERS, '-service-resync-interval', '5m']);
    expect(explicit.config.serviceResyncIntervalMs).to.equal(300_000);
  });

  it('names the flag in every usage error', () => {
    const cases: Array<[string[], string]> = [
      [['-secret-name-prefix', 'p'], 'flag -consul-client-secret-arn is required'],
      [[...REQUIRED, '-nope'], 'flag provided but not defined: -nope'],
      [[...REQUIRED, '-partition', 'x'], 'flag -partition needs -partitions-enabled'],
      [[...REQUIRED, '-gc-grace-period', 'soon'], 'invalid duration "soon" for flag -gc-grace-period'],
      [[...REQUIRED, '-concurrency', '0'], 'flag -concurrency must be between 1 and 64'],
      [[...REQUIRED, '-secrets-write-rate', '0'], 'flag -secrets-write-rate must be between 1 and 1000'],
      [[...REQUIRED, '-ecs-read-burst', '0'], 'flag -ecs-read-burst must be between 1 and 1000'],
      [
        [...REQUIRED, '-iam-auth-cluster', 'a', '-iam-auth-cluster', 'a'],
        'flag -iam-auth-cluster "a" is given twice',
      ],
      [[...REQUIRED, '-iam-auth-cluster', ''], 'flag -iam-auth-cluster must not be empty'],
      [
        [...REQUIRED, '-service-resync-interval', '10ms'],
        'flag -service-resync-interval must be at least 1s',
      ],
      [[...REQUIRED, '-log-level', 'loud'], 'flag -log-level: unknown log level "loud"'],
      [[...REQUIRED, '-listen-addr', '8080'], 'flag -listen-addr: "8080" is not host:port'],
      [[...REQUIRED, '-cluster'], 'flag needs an argument: -cluster'],
      [
        [...REQUIRED, '-cluster', 'a', '-cluster', 'b'],
        'flag -secret-name-prefix is given 1 times for 2 cluster(s): give one per -cluster, in the same order',
      ],
      [
        [...REQUIRED, '-secret-name-prefix', 'q'],
        'flag -secret-name-prefix is given 2 times for 1 cluster(s)',
      ],
      [[...TWO_CLUSTERS, '-cluster', 'a'], 'flag -secret-name-prefix is given 2 times for 3 cluster(s)'],
      [
        [
          '-cluster',
          'a',
          '-cluster',
          'a',
          '-secret-name-prefix',
          'p',
          '-secret-name-prefix',
          'q',
          '-consul-client-secret-arn',
          'x',
          '-consul-client-secret-arn',
          'y',
        ],
        'flag -cluster "a" is given twice: each cluster needs its own',
      ],
      [
        [
          '-cluster',
          'a',
          '-cluster',
          'b',
          '-secret-name-prefix',
          'p',
          '-secret-name-prefix',
          'p',
          '-consul-client-secret-arn',
          'x',
          '-consul-client-secret-arn',
          'y',
        ],
        'flag -secret-name-prefix "p" is given twice',
      ],
      [
        [...TWO_CLUSTERS, '-leader-election', '-leader-election-key', 'locks/acl'],
        'flag -leader-election-key must contain <cluster> when several clusters are served',
      ],
      [
        [...TWO_CLUSTERS, '-events-queue-url', 'https://q/1'],
        'flag -events-queue-url is given 1 times for 2',
      ],
    ];
    for (const [args, message] of cases) {
      expect(() => parseAclControllerFlags(args), message).to.throw(message);
    }
  });
});

describe('leader election timings', () => {
  const timings = (...flags: string[]) =>
    parseAclControllerFlags([...REQUIRED, '-leader-election', ...flags]);

  it("rejects a TTL outside Consul's session TTL range, or a renew period not below it, naming the flag", () => {
    const cases: Array<[string[], string]> = [
      [
        ['-leader-election-ttl', '3s'],
        "flag -leader-election-ttl must be between 10s and 24h, Consul's session TTL range (its session_ttl_min, set by -consul-session-ttl-min, to 24h); got 3s",
      ],
      [
        ['-leader-election-ttl', '9.5s', '-leader-election-renew', '1s'],
        'flag -leader-election-ttl must be between 10s and 24h',
      ],
      [['-leader-election-ttl', '25h'], 'flag -leader-election-ttl must be between 10s and 24h'],
      [
        ['-leader-election-ttl', '20s', '-leader-election-renew', '20s'],
        'flag -leader-election-renew must be shorter than -leader-election-ttl',
      ],
      [
        ['-leader-election-renew', '30s'],
        'flag -leader-election-renew must be shorter than -leader-election-ttl',
      ],
      [['-leader-election-renew', '0'], 'flag -leader-election-renew must be above 0'],
      [['-consul-session-ttl-min', '0'], 'flag -consul-session-ttl-min must be above 0 and at most 24h'],
      [
        ['-consul-session-ttl-min', '1s', '-leader-election-ttl', '500ms', '-leader-election-renew', '100ms'],
        'flag -leader-election-ttl must be between 1s and 24h',
      ],
    ];
    for (const [flags, message] of cases) {
      expect(() => timings(...flags), flags.join(' ')).to.throw(UsageError, message);
    }
  });

  it("accepts Consul's bounds, and shorter TTLs when -consul-session-ttl-min says the servers allow them", () => {
    expect(timings().config.leaderElection).to.include({ ttlMs: 15_000, renewMs: 5_000 });
    expect(timings('-leader-election-ttl', '10s').config.leaderElection?.ttlMs).to.equal(10_000);
    expect(timings('-leader-election-ttl', '24h').config.leaderElection?.ttlMs).to.equal(86_400_000);
    const short = timings(
      '-consul-session-ttl-min',
      '1s',
      '-leader-election-ttl',
      '2s',
      '-leader-election-renew',
      '500ms',
    );
    expect(short.config.leaderElection).to.include({ ttlMs: 2_000, renewMs: 500 });
  });
});

describe('log format', () => {
  it('is JSON lines when standard output is not a terminal, text on one, unless asked otherwise', () => {
    expect(parseAclControllerFlags(REQUIRED).logFormat).to.equal(process.stdout.isTTY ? 'text' : 'json');
    expect(parseAclControllerFlags([...REQUIRED, '-log-format', 'text']).logFormat).to.equal('text');
    expect(() => parseAclControllerFlags([...REQUIRED, '-log-format', 'xml'])).to.throw(
      'flag -log-format must be json, text or auto',
    );
  });
});
