/**
 * EcsTaskLister and TokenSecretStore against a loopback server answering garbage with HTTP 200. The
 * AWS SDK deserializes without checking types, so these are the controller's own checks: a
 * running task never silently drops out of a snapshot, a garbled secret answer is never "empty"
 * (which would get new IDs written), and every such answer is reported as code InvalidResponse.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import fc from 'fast-check';
import { asyncScheduler } from 'rxjs';

import { EcsTaskLister } from '../../src/aws/ecs-task-lister.js';
import { TokenSecretStore } from '../../controllers/adapters/token-secret-store.js';
import { MESH_TAG } from '../../controllers/domain/mesh-tags.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { garbageBody, hostileJsonValue } from './arbitraries.js';
import { RecordingObserver, type ScriptedServer, type Seen, startScriptedServer } from './scripted-server.js';

const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
const clock = new SchedulerClock(asyncScheduler);
const taskArn = (i: number) => `arn:aws:ecs:us-east-1:123456789012:task/prod/${String(i).padStart(32, '0')}`;
const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1';
const BINARY_MALFORMED = { state: 'malformed', reason: 'the secret holds SecretBinary, not SecretString' };

type Fate = 'described' | 'missing' | 'omitted' | 'no-definition' | 'no-arn' | 'other-failure' | 'bad-tags';
const GOOD: ReadonlySet<Fate> = new Set(['described', 'missing']);

function describedAs(arn: string, fate: Fate): { task?: unknown; failure?: unknown } {
  const task = {
    taskArn: arn,
    taskDefinitionArn: TASK_DEFINITION,
    tags: [{ key: MESH_TAG, value: 'true' }],
    version: 1,
  };
  switch (fate) {
    case 'described':
      return { task };
    case 'missing':
      return { failure: { arn, reason: 'MISSING' } };
    case 'omitted':
      return {};
    case 'no-definition':
      return { task: { ...task, taskDefinitionArn: undefined } };
    case 'no-arn':
      return { task: { ...task, taskArn: undefined } };
    case 'other-failure':
      return { failure: { arn, reason: 'ACCESS_DENIED' } };
    case 'bad-tags':
      return { task: { ...task, tags: [null] } };
  }
}

function answer(target: string | undefined, listed: string[], describe: () => string): string {
  if (target?.endsWith('.ListTasks')) return JSON.stringify({ taskArns: listed });
  return describe();
}

describe('hostile input: ECS and Secrets Manager answers', () => {
  let server: ScriptedServer;
  let observer: RecordingObserver;
  let ecs: ECSClient;
  let sm: SecretsManagerClient;

  beforeEach(async () => {
    server = await startScriptedServer();
    observer = new RecordingObserver();
    const client = { endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
    ecs = new ECSClient(client);
    sm = new SecretsManagerClient(client);
  });
  afterEach(async () => {
    ecs.destroy();
    sm.destroy();
    await server.close();
  });

  const lister = () => new EcsTaskLister({ ecs, cluster: 'prod', clock, observer });
  const signal = () => new AbortController().signal;

  describe('EcsTaskLister', () => {
    it('lists every running task, or rejects with InvalidResponse: a task never drops out silently', async () => {
      const fate = fc.constantFrom<Fate>(
        'described',
        'described',
        'missing',
        'omitted',
        'no-definition',
        'no-arn',
        'other-failure',
        'bad-tags',
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fate, { minLength: 1, maxLength: 6 }), async (fates) => {
          const arns = fates.map((_, i) => taskArn(i));
          const parts = fates.map((f, i) => describedAs(arns[i] as string, f));
          const body = JSON.stringify({
            tasks: parts.flatMap((p) => (p.task ? [p.task] : [])),
            failures: parts.flatMap((p) => (p.failure ? [p.failure] : [])),
          });
          server.script = (req: Seen) => ({ status: 200, body: answer(req.target, arns, () => body) });
          observer.calls.length = 0;
          const subject = lister();
          const outcome = await subject.list(signal()).then(
            (result) => result.items.map((task) => task.taskArn),
            (error: Error) => error,
          );
          if (fates.every((f) => GOOD.has(f))) {
            expect(outcome).to.deep.equal(arns.filter((_, i) => fates[i] === 'described'));
          } else {
            expect(outcome).to.be.instanceOf(Error);
            expect((outcome as Error).name).to.equal('InvalidResponse');
            expect((outcome as Error).message).to.match(
              /^DescribeTasks answered with an unusable response: /,
            );
            expect(observer.codes('DescribeTasks')).to.deep.equal(['InvalidResponse']);
            // Nothing of the bad answer was cached: a good answer next time describes everything.
            server.script = (req: Seen) => ({
              status: 200,
              body: answer(req.target, arns, () =>
                JSON.stringify({ tasks: arns.map((arn) => describedAs(arn, 'described').task) }),
              ),
            });
            expect((await subject.list(signal())).items.map((task) => task.taskArn)).to.deep.equal(arns);
          }
        }),
        { numRuns: 60 },
      );
    });

    it('any garbage DescribeTasks body: rejects (a listed task is never lost)', async () => {
      const body = fc.oneof(
        garbageBody,
        hostileJsonValue.map((tasks) => JSON.stringify({ tasks })),
        hostileJsonValue.map((failures) => JSON.stringify({ failures })),
      );
      await fc.assert(
        fc.asyncProperty(body, async (text) => {
          server.script = (req: Seen) => ({
            status: 200,
            body: answer(req.target, [taskArn(1)], () => text),
          });
          const outcome = await lister()
            .list(signal())
            .then(
              () => 'resolved',
              (error: Error) => error,
            );
          expect(outcome).to.be.instanceOf(Error);
        }),
        { numRuns: 80 },
      );
    });

    it('any garbage ListTasks body: rejects, or reads as an empty cluster (absent lists are empty)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            garbageBody,
            hostileJsonValue.map((taskArns) => JSON.stringify({ taskArns })),
          ),
          async (text) => {
            server.script = (req: Seen) =>
              req.target?.endsWith('.ListTasks')
                ? { status: 200, body: text }
                : { status: 200, body: JSON.stringify({ tasks: [], failures: [] }) };
            const outcome = await lister()
              .list(signal())
              .then(
                (result) => result.items,
                (error: Error) => error,
              );
            if (!(outcome instanceof Error)) expect(outcome).to.deep.equal([]);
          },
        ),
        { numRuns: 80 },
      );
    });

    it('stops on a nextToken that repeats instead of paging forever', async () => {
      server.script = (req: Seen) => ({
        status: 200,
        body: req.target?.endsWith('.ListTasks') ? '{"taskArns":[],"nextToken":"again"}' : '{}',
      });
      const error = (await lister()
        .list(signal())
        .catch((caught: unknown) => caught)) as Error;
      expect(error.message).to.equal(
        'ListTasks answered with an unusable response: nextToken repeats the previous one',
      );
      expect(server.seen.length).to.equal(2);
    });
  });

  describe('TokenSecretStore', () => {
    const store = () => new TokenSecretStore(sm, clock, observer);

    it('any garbage GetSecretValue answer: a classification of a string value, or a rejection; never "empty" without a value', async () => {
      const body = fc.oneof(
        garbageBody,
        hostileJsonValue.map((SecretString) => JSON.stringify({ SecretString })),
        hostileJsonValue.map((value) => JSON.stringify({ ARN: 'a', Name: 'n', value })),
      );
      await fc.assert(
        fc.asyncProperty(body, async (text) => {
          server.script = () => ({ status: 200, body: text });
          observer.calls.length = 0;
          const outcome = await store()
            .read('test-web')
            .then(
              (read) => read,
              (error: Error) => error,
            );
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          const secretString =
            typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
              ? (parsed as Record<string, unknown>)['SecretString']
              : undefined;
          const binaryOnly =
            secretString === undefined &&
            typeof parsed === 'object' &&
            parsed !== null &&
            'SecretBinary' in parsed;
          if (binaryOnly) {
            // A binary secret is never read as empty: malformed, or a rejection of a bad blob.
            if (!(outcome instanceof Error)) expect(outcome).to.deep.equal(BINARY_MALFORMED);
            return;
          }
          if (typeof secretString !== 'string') {
            expect(outcome).to.be.instanceOf(Error);
          } else {
            expect(outcome).to.not.be.instanceOf(Error);
          }
          if (outcome instanceof Error && outcome.name === 'InvalidResponse') {
            expect(observer.codes('GetSecretValue')).to.deep.equal(['InvalidResponse']);
          }
        }),
        { numRuns: 120 },
      );
    });

    it('a secret holding SecretBinary is malformed, never empty (its value would be overwritten silently)', async () => {
      const blob = Buffer.from('{"accessor_id":"a","token":"t"}').toString('base64');
      server.script = () => ({
        status: 200,
        body: JSON.stringify({ ARN: 'a', Name: 'n', SecretBinary: blob }),
      });
      expect(await store().read('test-web')).to.deep.equal(BINARY_MALFORMED);
      expect(observer.codes('GetSecretValue')).to.deep.equal(['200']);
    });

    it('an empty 200 answer is an InvalidResponse error, not an empty secret (regression)', async () => {
      for (const body of [
        '',
        '{}',
        '{"SecretString":null}',
        '{"SecretString":5}',
        '{"SecretString":{"token":"x"}}',
      ]) {
        server.script = () => ({ status: 200, body });
        const error = (await store()
          .read('test-web')
          .catch((caught: unknown) => caught)) as Error;
        expect(error, body).to.be.instanceOf(Error);
        expect(error.name, body).to.equal('InvalidResponse');
      }
    });
  });
});
