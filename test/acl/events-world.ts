/**
 * EventsWorld: envtest servers wired as in AWS for event-driven specs: ECS publishes its task
 * events to an SQS queue (`task-events`) and reads task secrets from Secrets Manager; an AclWorld
 * is attached to cluster `prod`.
 *
 * Task events go through `publish`, so a spec can lose them (`lose`) and see every body ECS
 * published (`published`). With `serviceEvents`, ECS writes to the queue itself instead, service
 * deployment events included (envtest hands those only to a queue); `lose` then has no effect.
 */
import { type ConsulServerOptions, startConsulServer } from '../../envtest/consul/server.js';
import { type EcsServer, startEcsServer } from '../../envtest/ecs/server.js';
import { startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { type SqsServer, startSqsServer } from '../../envtest/sqs/server.js';
import { AclWorld, envtestBackends } from './world.js';

export interface EventsWorld {
  readonly world: AclWorld;
  readonly ecs: EcsServer;
  readonly sqs: SqsServer;
  readonly queueUrl: string;
  /** While true, ECS's task events are lost on the way to the queue. */
  lose: boolean;
  /** Every task event body ECS published, lost or not (empty with `serviceEvents`). */
  readonly published: string[];
  close(): Promise<void>;
}

export interface EventsWorldOptions {
  readonly serviceEvents?: boolean;
  readonly consul?: ConsulServerOptions;
}

export async function startEventsWorld(options: EventsWorldOptions = {}): Promise<EventsWorld> {
  const [secretsManager, sqs, consul] = await Promise.all([
    startSecretsManagerServer(),
    startSqsServer(),
    startConsulServer(options.consul),
  ]);
  const queue = sqs.state.createQueue('task-events', {});
  const published: string[] = [];
  const control = { lose: false };
  const ecs = await startEcsServer({
    events:
      options.serviceEvents === true
        ? { sqs: sqs.state, queueUrl: queue.url, serviceEvents: true }
        : {
            publish: (body) => {
              published.push(body);
              if (!control.lose) sqs.state.sendMessage(queue, body);
            },
          },
    secrets: secretsManager.state,
  });
  const world = await AclWorld.attach(envtestBackends({ ecs, secretsManager, consul }), {
    cluster: 'prod',
    prefix: 'test',
  });
  return {
    world,
    ecs,
    sqs,
    queueUrl: queue.url,
    published,
    get lose() {
      return control.lose;
    },
    set lose(value: boolean) {
      control.lose = value;
    },
    close: async () => {
      await world.close();
      await Promise.all([ecs.close(), secretsManager.close(), sqs.close(), consul.close()]);
    },
  };
}
