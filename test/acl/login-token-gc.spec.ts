// The login-token garbage collector against envtest Consul (real HTTP): what it deletes, when, and
// what it never touches.
import { expect } from 'chai';
import { EMPTY } from 'rxjs';

import {
  type LoginToken,
  toLoginToken,
  LOGIN_TOKENS_BY_TASK,
} from '../../controllers/adapters/login-token-informer.js';
import {
  type LoginTokenDeleteOutcome,
  LoginTokenWrites,
} from '../../controllers/adapters/login-token-writes.js';
import { LoginTokenGcReconciler } from '../../controllers/login-token-gc/login-token-gc-reconciler.js';
import { LoginTokenGcController } from '../../controllers/login-token-gc/login-token-gc-controller.js';
import { tasksByIdIndexer } from '../../controllers/task-cleanup/gone-task-controller.js';
import { type ListedTask } from '../../src/aws/ecs-task-facts.js';
import { type Informer } from '../../src/cache/informer.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type ConsulServer, startConsulServer } from '../../envtest/consul/server.js';
import { Store } from '../../src/cache/store.js';
import { type AclApi } from '../../src/consul/acl-api.js';
import { SILENT_LOGGER } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { envtestAclApi } from '../helpers/envtest-acl-api.js';
import { loginDescription } from './login-tokens.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';
const OURS = [ARN, 'prod'];
const GRACE_MS = 120_000;
describe('login-token garbage collector', () => {
  let consul: ConsulServer;
  let acl: AclApi;

  before(async () => {
    consul = await startConsulServer();
    acl = envtestAclApi(consul);
  });
  after(() => consul.close());

  /** Creates a token with `description` and caches it the way the informer would (ours only). */
  async function setup(
    descriptions: Record<string, string>,
    running: Set<string>,
    writes: Pick<LoginTokenWrites, 'delete'> = new LoginTokenWrites(acl, OURS),
  ) {
    const store = new Store<LoginToken>((t) => t.accessorId, { [LOGIN_TOKENS_BY_TASK]: (t) => [t.taskId] });
    const ids: Record<string, string> = {};
    for (const [name, description] of Object.entries(descriptions)) {
      const token = await acl.createToken({
        Description: description,
        ServiceIdentities: [{ ServiceName: 'web' }],
      });
      ids[name] = token.AccessorID;
      const login = toLoginToken(token, OURS);
      if (login) store.upsert(login);
    }
    const clock = new ManualClock(0);
    const outcomes: LoginTokenDeleteOutcome[] = [];
    // Each relist asked for completes at once (the informer's full list), unless `lists.hold`.
    const lists = {
      listCount: 0,
      triggered: 0,
      hold: false,
      trigger() {
        this.triggered += 1;
        if (!this.hold) this.listCount += 1;
      },
    };
    const reconciler = new LoginTokenGcReconciler({
      taskRunning: (taskId) => running.has(taskId),
      taskLists: lists,
      loginTokens: { store },
      writes,
      clock,
      gracePeriodMs: GRACE_MS,
      logger: SILENT_LOGGER,
      count: (outcome) => outcomes.push(outcome),
    });
    const exists = async (name: string) => (await acl.readToken(ids[name] as string)) !== undefined;
    return { reconciler, clock, outcomes, exists, ids, store, lists };
  }

  const signal = new AbortController().signal;

  it("deletes a gone task's login tokens after the grace period, and keeps a running task's", async () => {
    const { reconciler, clock, outcomes, exists } = await setup(
      {
        gone: loginDescription(ARN, 'task-gone'),
        goneByName: loginDescription('prod', 'task-gone'),
        running: loginDescription(ARN, 'task-running'),
      },
      new Set(['task-running']),
    );
    expect(await reconciler.reconcile('task-running', signal)).to.equal(undefined);
    const first = await reconciler.reconcile('task-gone', signal);
    expect(first).to.deep.equal({ requeueAfterMs: GRACE_MS });
    expect(await exists('gone')).to.equal(true);
    await clock.advance(GRACE_MS - 1);
    expect(await reconciler.reconcile('task-gone', signal)).to.deep.equal({ requeueAfterMs: 1 });
    await clock.advance(1);
    // No task list completed since the task was first seen gone: one is asked for first.
    expect(await reconciler.reconcile('task-gone', signal)).to.deep.equal({ requeueAfterMs: 500 });
    expect(await exists('gone')).to.equal(true);
    await reconciler.reconcile('task-gone', signal);
    expect([await exists('gone'), await exists('goneByName'), await exists('running')]).to.deep.equal([
      false,
      false,
      true,
    ]);
    expect(outcomes).to.deep.equal(['deleted', 'deleted']);
  });

  it('removes nothing on an absence no full task list confirmed (a forged stop event alone)', async () => {
    const { reconciler, clock, outcomes, exists, lists } = await setup(
      { t: loginDescription(ARN, 'task-forged') },
      new Set(),
    );
    lists.hold = true;
    await reconciler.reconcile('task-forged', signal);
    await clock.advance(GRACE_MS);
    for (let i = 0; i < 3; i++)
      expect(await reconciler.reconcile('task-forged', signal)).to.deep.equal({ requeueAfterMs: 500 });
    expect(lists.triggered).to.equal(3);
    expect(await exists('t')).to.equal(true);
    expect(outcomes).to.deep.equal([]);
    // A list that completed after the absence was first seen confirms it.
    lists.listCount += 1;
    await reconciler.reconcile('task-forged', signal);
    expect(await exists('t')).to.equal(false);
  });

  it('restarts the grace period when the task comes back', async () => {
    const running = new Set<string>();
    const { reconciler, clock, exists } = await setup({ t: loginDescription(ARN, 'task-flap') }, running);
    await reconciler.reconcile('task-flap', signal);
    await clock.advance(GRACE_MS - 10);
    running.add('task-flap');
    await reconciler.reconcile('task-flap', signal);
    running.delete('task-flap');
    expect(await reconciler.reconcile('task-flap', signal)).to.deep.equal({ requeueAfterMs: GRACE_MS });
    expect(await exists('t')).to.equal(true);
  });

  it("never caches, so never deletes, another cluster's login token or a token that only looks like one", async () => {
    const { store } = await setup(
      {
        otherCluster: loginDescription('arn:aws:ecs:us-east-1:123456789012:cluster/prod-2', 'task-x'),
        otherByName: loginDescription('Prod', 'task-x'),
        bare: JSON.stringify({
          'consul.hashicorp.com/cluster': ARN,
          'consul.hashicorp.com/task-id': 'task-x',
        }),
        service: 'Token for web service',
      },
      new Set(),
    );
    expect(store.size).to.equal(0);
  });

  it('refuses to delete a token whose description changed since it was cached', async () => {
    const { reconciler, clock, outcomes, exists, ids } = await setup(
      { edited: loginDescription(ARN, 'task-edit') },
      new Set(),
    );
    await reconciler.reconcile('task-edit', signal);
    // Someone re-describes the token (or it is now another task's) between the cache and the delete.
    await acl.updateToken({
      AccessorID: ids.edited as string,
      Description: loginDescription(ARN, 'task-other'),
      ServiceIdentities: [{ ServiceName: 'web' }],
    });
    await clock.advance(GRACE_MS);
    await reconciler.reconcile('task-edit', signal); // asks for a confirming task list
    await reconciler.reconcile('task-edit', signal);
    expect(outcomes).to.deep.equal(['refused']);
    expect(await exists('edited')).to.equal(true);
  });

  it('fails the reconcile (so it is retried) when Consul refuses the delete', async () => {
    const refusing = { delete: () => Promise.reject(new Error('Consul answered 500')) };
    const { reconciler, clock, exists } = await setup(
      { t: loginDescription(ARN, 'task-err') },
      new Set(),
      refusing,
    );
    await reconciler.reconcile('task-err', signal);
    await clock.advance(GRACE_MS);
    await reconciler.reconcile('task-err', signal); // asks for a confirming task list
    let failed: unknown;
    await reconciler.reconcile('task-err', signal).catch((error: unknown) => (failed = error));
    expect((failed as Error | undefined)?.message).to.equal('Consul answered 500');
    expect(await exists('t')).to.equal(true);
    // The grace period is not restarted by the failure: the retry deletes at once.
    await reconciler.reconcile('task-err', signal).catch(() => undefined);
    expect(await reconciler.reconcile('task-err', signal).catch(() => 'failed again')).to.equal(
      'failed again',
    );
  });
});

describe('LoginTokenGcController watches', () => {
  it("keys tasks by their task id (not on a running task's resync) and login tokens by theirs", () => {
    const stream = { events$: EMPTY, store: new Store<never>(() => '') };
    const controller = new LoginTokenGcController({
      tasks: stream as unknown as Informer<ListedTask>,
      loginTokens: stream as unknown as Informer<LoginToken>,
      writes: { delete: () => Promise.resolve('deleted' as const) },
      clock: new ManualClock(0),
      gracePeriodMs: 0,
      logger: SILENT_LOGGER,
      count: () => undefined,
    });
    const [tasks, tokens] = controller.watches() as [AnyWatch, AnyWatch];
    const task = { taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc', version: 1 };
    const keys = (watch: AnyWatch, type: 'added' | 'deleted' | 'resync', obj: unknown) => [
      ...watch.toKeys({ type, key: 'k', obj }),
    ];
    expect(keys(tasks, 'added', task)).to.deep.equal(['abc']);
    expect(keys(tasks, 'deleted', task)).to.deep.equal(['abc']);
    expect(keys(tasks, 'resync', task)).to.deep.equal([]);
    const token = {
      accessorId: 'a',
      taskId: 'abc',
      cluster: ARN,
      partition: '',
      namespace: '',
      modifyIndex: 1,
    };
    expect(keys(tokens, 'resync', token)).to.deep.equal(['abc']);
    expect(tasksByIdIndexer({ taskArn: 'not-an-arn', version: 1 })).to.deep.equal([]);
  });
});
