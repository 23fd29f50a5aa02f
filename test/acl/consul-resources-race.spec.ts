// Two clusters' controllers merging into the one shared `iam-ecs-service-token` auth method at the
// same time (consul-ecs #99): another controller's write, computed from a read taken before ours,
// lands right after ours and drops our principal. The reconciler reads its write back and merges
// again, so both principals survive one reconcile; a writer that keeps dropping ours makes the
// reconcile fail (and back off) instead of looping. Real HTTP to an envtest Consul.
import { expect } from 'chai';

import { type ConsulServer, startConsulServer } from '../../envtest/index.js';
import { AgentApi } from '../../src/consul/agent-api.js';
import { AuthApi, type AuthMethod } from '../../src/consul/auth-api.js';
import { AclApi } from '../../src/consul/acl-api.js';
import { CatalogApi } from '../../src/consul/catalog-api.js';
import { type ConsulTransport } from '../../src/consul/consul-transport.js';
import { SILENT_LOGGER } from '../../src/log/logger.js';
import {
  ConsulResourcesReconciler,
  mergeAuthMethod,
} from '../../controllers/consul-resources/consul-resources-reconciler.js';
import {
  AUTH_METHOD_NAME,
  boundPrincipalArn,
  desiredAuthMethod,
} from '../../controllers/domain/iam-auth-resources.js';
import { envtestConsulTransport } from '../helpers/envtest-acl-api.js';

const OURS = boundPrincipalArn('111111111111', '/consul-ecs/');
const THEIRS = boundPrincipalArn('222222222222', '/consul-ecs/');

/** An AuthApi whose auth-method writes are each followed by a stale write of another controller. */
class RacingAuthApi extends AuthApi {
  races = 0;
  constructor(
    transport: ConsulTransport,
    private readonly raceTimes: number,
    private readonly other = new AuthApi(transport),
  ) {
    super(transport);
  }
  override async writeAuthMethod(...args: Parameters<AuthApi['writeAuthMethod']>): Promise<void> {
    // The other controller read before our write, and writes its merge of that read after it.
    const staleRead = await this.other.readAuthMethod(AUTH_METHOD_NAME);
    await super.writeAuthMethod(...args);
    if (this.races >= this.raceTimes) return;
    this.races++;
    const theirs = desiredAuthMethod(THEIRS, false);
    const stale = staleRead === undefined ? theirs : mergeAuthMethod(staleRead, theirs);
    await this.other.writeAuthMethod(stale, true);
  }
}

describe('the IAM auth method merge under a concurrent writer', () => {
  let consul: ConsulServer;
  let envtestTransport: ConsulTransport;
  const changes: string[] = [];

  beforeEach(async () => {
    consul = await startConsulServer();
    envtestTransport = envtestConsulTransport(consul);
    changes.length = 0;
    // The other cluster's controller made the method first.
    await new AuthApi(envtestTransport).writeAuthMethod(desiredAuthMethod(THEIRS, false), false);
  });
  afterEach(async () => consul.close());

  const reconciler = (auth: AuthApi) =>
    new ConsulResourcesReconciler({
      config: {
        dryRun: false,
        partitionsEnabled: false,
        partition: '',
        boundPrincipalArn: OURS,
        node: 'arn:aws:ecs:us-east-1:111111111111:cluster/blue',
        nodeAddress: '127.0.0.1',
        resyncIntervalMs: 60_000,
      },
      acl: new AclApi(envtestTransport),
      auth,
      agent: new AgentApi(envtestTransport),
      catalog: new CatalogApi(envtestTransport),
      logger: SILENT_LOGGER,
      changed: (change) => changes.push(change),
    });
  const principals = async () =>
    ((await new AuthApi(envtestTransport).readAuthMethod(AUTH_METHOD_NAME)) as AuthMethod).Config
      .BoundIAMPrincipalARNs;

  it('keeps both principals after one reconcile although the other write dropped ours once', async () => {
    const racing = new RacingAuthApi(envtestTransport, 1);
    await reconciler(racing).reconcile('blue', new AbortController().signal);
    expect(racing.races).to.equal(1);
    expect(await principals()).to.deep.equal([OURS, THEIRS].sort());
    expect(changes.filter((c) => c.startsWith('auth_method'))).to.deep.equal([
      'auth_method_repaired',
      'auth_method_merge_raced',
      'auth_method_repaired',
    ]);
  });

  it('fails the reconcile, naming the race, when every write of ours is dropped again', async () => {
    const racing = new RacingAuthApi(envtestTransport, Number.POSITIVE_INFINITY);
    const failure = await reconciler(racing)
      .reconcile('blue', new AbortController().signal)
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(failure?.message).to.match(/dropped again by concurrent writes 4 times in a row/);
    expect(racing.races).to.equal(4);
  });

  it('writes once and reads back once when nobody races', async () => {
    const racing = new RacingAuthApi(envtestTransport, 0);
    await reconciler(racing).reconcile('blue', new AbortController().signal);
    expect(await principals()).to.deep.equal([OURS, THEIRS].sort());
    expect(changes.filter((c) => c.startsWith('auth_method'))).to.deep.equal(['auth_method_repaired']);
  });
});
