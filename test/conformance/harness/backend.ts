// The backend descriptor every contract suite is a function of.
// Invariants:
// - start() either resolves with a ready instance or rejects; BackendUnavailable means "not
//   installed / not configured" and makes the suite skip with its reason (never a pass);
// - stop() releases everything start() acquired and may be called once after any outcome.
export interface BackendInstance {
  /** Base URL, e.g. http://127.0.0.1:PORT (loopback only for servers we start). */
  endpoint: string;
  /** Consul only: a token with global-management rights. */
  consulToken?: string;
  /** Consul only: major.minor of the server, e.g. "1.14"; decides 403-vs-404 not-found. */
  consulVersion?: string;
  /**
   * ECS only: how FARGATE tasks are networked. Default (AWS-valid): awsvpc with placeholder
   * subnet and security-group ids. `bridge` (task definitions without FARGATE compatibility,
   * run with launchType FARGATE) exists only for a backend whose awsvpc path is broken; `why`
   * says so. AWS itself rejects that combination.
   */
  ecsNetwork?: EcsNetwork;
  /** IAM suites only: where ECS and Secrets Manager answer, and the keys of each principal. */
  iam?: IamAccess;
  stop(): Promise<void>;
}

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface IamAccess {
  ecsEndpoint: string;
  secretsManagerEndpoint: string;
  /** Allowed everything (no policy, or Allow * on *). */
  admin: AwsKey;
  /** One key per principal of the suite's policies, by principal name. */
  principals: Record<string, AwsKey>;
}

export type EcsNetwork =
  { mode: 'awsvpc'; subnets: string[]; securityGroups: string[] } | { mode: 'bridge'; why: string };

export interface Backend {
  /** Unique name; departures.ts refers to it. */
  name: string;
  start(): Promise<BackendInstance>;
}

export class BackendUnavailable extends Error {
  override readonly name = 'BackendUnavailable';
}
