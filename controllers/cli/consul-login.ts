/**
 * The `controller` command's own Consul login when `CONSUL_HTTP_TOKEN` is empty and
 * `consulLogin.enabled` is true, as consul-ecs v0.10 logs in: the `aws-iam` method (default
 * `iam-ecs-service-token`) with the task role's credentials, and meta naming this task and its
 * cluster (`consul.hashicorp.com/task-id`, `consul.hashicorp.com/cluster`) over the configured
 * meta. The token's SecretID is returned to the caller only; logout happens on a clean stop.
 *
 * Invariants: nothing here logs or throws the bearer token or the SecretID; a failed login is a
 * LoginFailedError naming the method and Consul's answer.
 */
import { type ECSClient } from '@aws-sdk/client-ecs';
import { asyncScheduler } from 'rxjs';

import { type ConsulSettings } from '../../src/consul/consul-settings.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { loginWithIamAuth } from '../../src/consul/iam-login.js';
import { LoginApi } from '../../src/consul/login-api.js';
import { NO_API_OBSERVER } from '../../src/metrics/api-metrics.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { type ConsulLoginSettings } from './controller-config.js';

export interface ControllerLogin {
  readonly token: string;
  /** Logs the token out (best effort: a failure is returned, not thrown). */
  logout(): Promise<Error | undefined>;
}

export class LoginFailedError extends Error {
  override readonly name = 'LoginFailedError';
}

export async function loginAsController(options: {
  readonly login: ConsulLoginSettings;
  readonly consul: ConsulSettings;
  readonly cluster: string;
  readonly taskArn: string | undefined;
  readonly region: string;
  readonly ecs: ECSClient;
}): Promise<ControllerLogin> {
  const { login } = options;
  const clock = new SchedulerClock(asyncScheduler);
  const transport = new ConsulTransport(
    { ...options.consul, token: undefined },
    clock,
    NO_API_OBSERVER,
    Math.random,
  );
  const taskId = options.taskArn?.slice(options.taskArn.lastIndexOf('/') + 1);
  try {
    const token = await loginWithIamAuth({
      consul: transport,
      method: login.method,
      meta: {
        ...login.meta,
        'consul.hashicorp.com/cluster': options.cluster,
        ...(taskId ? { 'consul.hashicorp.com/task-id': taskId } : {}),
      },
      region: login.region ?? options.region,
      credentials: () => options.ecs.config.credentials(),
      clock,
      includeEntity: login.includeEntity,
      stsEndpoint: login.stsEndpoint,
      serverIdHeaderValue: login.serverIdHeaderValue,
    });
    return {
      token: token.SecretID,
      logout: () =>
        new LoginApi(transport).logout(token.SecretID).then(
          () => undefined,
          (error: unknown) => error as Error,
        ),
    };
  } catch (error) {
    throw new LoginFailedError(
      `consulLogin: logging in with auth method "${login.method}" failed: ${(error as Error).message}`,
    );
  }
}
