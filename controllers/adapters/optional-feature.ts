/**
 * OptionalFeature: a feature of the controller that needs permissions the upstream Terraform
 * module's task role does not grant (pre-provisioning needs `ecs:ListServices`,
 * `ecs:DescribeServices` and `ecs:DescribeTaskDefinition`; upstream grants only `ecs:ListTasks`,
 * `ecs:DescribeTasks`, `secretsmanager:GetSecretValue` and `secretsmanager:UpdateSecret`). Under
 * such a role the feature turns itself off instead of holding anything back.
 *
 * Invariants:
 * - `run(call, fallback)` returns the call's result, or `fallback` when the call was denied
 *   (AccessDeniedException and its aliases); any other error passes through.
 * - `acl_controller_feature_enabled{feature,cluster}` is 1 until a call is denied, 0 from then
 *   until a call succeeds again (permissions can be granted later; the feature comes back).
 * - One warning when the feature turns off, naming the permission AWS said was missing; one info
 *   line when it comes back. Never a line per denied call.
 */
import { type Logger } from '../../src/log/logger.js';
import { type ClusterGauge } from './acl-metrics.js';

const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);

export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && DENIED.has(error.name);
}

/** The `service:Action` an AccessDenied message names ("…not authorized to perform: ecs:ListServices on…"). */
export function deniedPermission(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  return /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1];
}

export class OptionalFeature {
  private enabled = true;

  constructor(
    readonly name: string,
    private readonly gauge: ClusterGauge,
    private readonly logger: Logger,
    /** What the feature is for, and what happens without it, for the warning. */
    private readonly impact: string,
  ) {
    gauge.set(1);
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  async run<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await call();
      if (!this.enabled) {
        this.enabled = true;
        this.gauge.set(1);
        this.logger.info(`${this.name} is back on: its calls are allowed again`, { feature: this.name });
      }
      return result;
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      if (this.enabled) {
        this.enabled = false;
        this.gauge.set(0);
        this.logger.warn(`${this.name} is off: the task role lacks a permission it needs; ${this.impact}`, {
          feature: this.name,
          missingPermission: deniedPermission(error) ?? (error as Error).name,
        });
      }
      return fallback;
    }
  }
}
