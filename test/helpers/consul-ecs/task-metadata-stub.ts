/**
 * TaskMetadataStub: a stand-in for the ECS task metadata endpoint v4, enough for consul-ecs.
 *
 * consul-ecs v0.4.3 reads `GET ${ECS_CONTAINER_METADATA_URI_V4}/task` once at startup and uses its
 * `Cluster` (for ListTasks and token descriptions) and `TaskARN` (region fallback).
 *
 * Invariants:
 * - Listens on 127.0.0.1 on a free port; `url` is the value for ECS_CONTAINER_METADATA_URI_V4.
 * - Answers `GET /task` with `{Cluster, TaskARN, Family}`; anything else is a 404.
 * - `Cluster` is `cluster` as given: a short name (as on EC2) or a cluster ARN (as on Fargate);
 *   the TaskARN always names the cluster by its short name, as ECS does.
 * - `requests` counts the `/task` reads.
 */
import { randomBytes } from 'node:crypto';

import { clusterNameOfArn } from '../../../src/aws/arn.js';
import { listen } from '../../../src/net/http-listener.js';

export interface TaskMetadataStubOptions {
  readonly cluster: string;
  readonly region?: string;
  readonly accountId?: string;
  /** The family of the controller's own task. */
  readonly family?: string;
}

export interface TaskMetadataStub {
  readonly url: string;
  readonly taskArn: string;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startTaskMetadataStub(options: TaskMetadataStubOptions): Promise<TaskMetadataStub> {
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '123456789012';
  const shortName = clusterNameOfArn(options.cluster) ?? options.cluster;
  const taskArn = `arn:aws:ecs:${region}:${account}:task/${shortName}/${randomBytes(16).toString('hex')}`;
  const body = JSON.stringify({
    Cluster: options.cluster,
    TaskARN: taskArn,
    Family: options.family ?? 'consul-ecs-acl-controller',
  });
  let requests = 0;
  const listener = await listen((req, res) => {
    if (req.method === 'GET' && req.url === '/task') {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  return {
    url: listener.url,
    taskArn,
    get requests() {
      return requests;
    },
    close: () => listener.close(),
  };
}
