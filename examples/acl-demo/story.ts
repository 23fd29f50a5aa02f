/**
 * The demo's scripted story, as steps against the envtest servers through the real AWS SDK and
 * Consul's HTTP API: two services start, one scales up, a token is deleted out of band and
 * repaired, a service goes away and is collected after the (shortened) grace period.
 */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface StoryWorld {
  readonly ecs: ECSClient;
  readonly sm: SecretsManagerClient;
  readonly cluster: string;
  readonly prefix: string;
  readonly consulUrl: string;
  readonly consulToken: string;
}

export interface StoryStep {
  readonly say: string;
  readonly act: (world: StoryWorld) => Promise<void>;
  /** Waits until the controller has done its part, and returns what to print. */
  readonly until: (world: StoryWorld) => Promise<string | undefined>;
}

async function consul<T>(world: StoryWorld, method: string, path: string): Promise<T> {
  const response = await fetch(`${world.consulUrl}${path}`, {
    method,
    headers: { 'x-consul-token': world.consulToken },
  });
  return (await response.json()) as T;
}

interface TokenStub {
  AccessorID: string;
  Description: string;
}

async function serviceTokens(world: StoryWorld): Promise<Map<string, string>> {
  const tokens = await consul<TokenStub[]>(world, 'GET', '/v1/acl/tokens');
  const byService = new Map<string, string>();
  for (const token of tokens) {
    const match = /^Token for (\S+) service/.exec(token.Description);
    if (match) byService.set(match[1], token.AccessorID);
  }
  return byService;
}

async function startService(world: StoryWorld, name: string, count: number): Promise<void> {
  await world.sm.send(new CreateSecretCommand({ Name: `${world.prefix}-${name}`, SecretString: '{}' }));
  await world.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [{ name: 'app', image: `${name}:1`, memory: 128 }],
      tags: [{ key: 'consul.hashicorp.com/mesh', value: 'true' }],
    }),
  );
  await world.ecs.send(
    new CreateServiceCommand({
      cluster: world.cluster,
      serviceName: name,
      taskDefinition: name,
      desiredCount: count,
      propagateTags: 'TASK_DEFINITION',
    }),
  );
}

let deletedAccessor = '';

export const STORY: readonly StoryStep[] = [
  {
    say: 'services "web" (2 tasks) and "api" (1 task) start, each with an empty secret from Terraform',
    act: async (world) => {
      await startService(world, 'web', 2);
      await startService(world, 'api', 1);
    },
    until: async (world) => {
      const tokens = await serviceTokens(world);
      return tokens.size === 2
        ? `Consul now holds tokens for: ${[...tokens.keys()].sort().join(', ')}`
        : undefined;
    },
  },
  {
    say: '"web" scales up to 4 tasks',
    act: async (world) => {
      await world.ecs.send(
        new UpdateServiceCommand({ cluster: world.cluster, service: 'web', desiredCount: 4 }),
      );
    },
    until: async (world) => {
      const tokens = await serviceTokens(world);
      return tokens.size === 2 ? 'still one token per service (tasks of a service share it)' : undefined;
    },
  },
  {
    say: 'someone deletes the "api" token in Consul, out of band',
    act: async (world) => {
      deletedAccessor = (await serviceTokens(world)).get('api') ?? '';
      await consul(world, 'DELETE', `/v1/acl/token/${deletedAccessor}`);
    },
    until: async (world) => {
      const again = (await serviceTokens(world)).get('api');
      return again === deletedAccessor
        ? `the "api" token is back, with the same AccessorID ${again}`
        : undefined;
    },
  },
  {
    say: '"api" is deleted from ECS; its token goes once the grace period has passed',
    act: async (world) => {
      await world.ecs.send(new DeleteServiceCommand({ cluster: world.cluster, service: 'api', force: true }));
    },
    until: async (world) => {
      const tokens = await serviceTokens(world);
      return tokens.has('api')
        ? undefined
        : `tokens left: ${[...tokens.keys()].join(', ')} (the api secret keeps its IDs)`;
    },
  },
];
