// Test fixture: an ECS emulator and a real @aws-sdk/client-ecs pointed at it.
import {
  ECSClient,
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type Tag,
} from '@aws-sdk/client-ecs';

import { type EcsServer, type EcsServerOptions, startEcsServer } from '../../../envtest/ecs/server.js';

export interface EcsFixture {
  readonly server: EcsServer;
  readonly ecs: ECSClient;
  close(): Promise<void>;
}

export function ecsClient(server: EcsServer, maxAttempts = 1): ECSClient {
  return new ECSClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts,
  });
}

export async function startEcsFixture(options: EcsServerOptions = {}, maxAttempts = 1): Promise<EcsFixture> {
  const server = await startEcsServer(options);
  const ecs = ecsClient(server, maxAttempts);
  return {
    server,
    ecs,
    close: async () => {
      ecs.destroy();
      await server.close();
    },
  };
}

/** Creates cluster `name` and task definition family `family` (one container). */
export async function seedClusterAndTaskDefinition(
  ecs: ECSClient,
  cluster = 'mesh',
  family = 'app',
  tags: Tag[] = [],
): Promise<{ clusterArn: string; taskDefinitionArn: string }> {
  const created = await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [
        { name: 'app', image: 'public.ecr.aws/nginx/nginx:latest', memory: 128 },
        { name: 'consul-dataplane', image: 'hashicorp/consul-dataplane:1.1', memory: 64 },
      ],
      ...(tags.length > 0 ? { tags } : {}),
    }),
  );
  return {
    clusterArn: created.cluster?.clusterArn ?? '',
    taskDefinitionArn: registered.taskDefinition?.taskDefinitionArn ?? '',
  };
}

/** Creates service `name` in cluster `mesh`, running task definition family `name`. */
export async function createMeshService(ecs: ECSClient, name: string, desiredCount: number): Promise<void> {
  await ecs.send(
    new CreateServiceCommand({ cluster: 'mesh', serviceName: name, taskDefinition: name, desiredCount }),
  );
}
