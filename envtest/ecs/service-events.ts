/**
 * ServiceEvents: the EventBridge "ECS Deployment State Change" event ECS sends when a service
 * deployment starts (SERVICE_DEPLOYMENT_IN_PROGRESS), in AWS's shape.
 *
 * Invariants:
 * - The envelope is AWS's: version "0", a fresh UUID id, source "aws.ecs", account, region, `time`
 *   in whole seconds (ISO, `Z`), resources [serviceArn].
 * - `detail` holds only eventType, eventName, deploymentId, updatedAt (ISO, ms) and reason, as the
 *   ECS documentation shows: no cluster ARN (a consumer derives the cluster from the service ARN's
 *   long format), no tags, no version.
 * - ECS sends nothing when a service is deleted, nor when only its desired count changes by hand:
 *   neither does envtest.
 */
import { type Service } from './model.js';
import { type EcsEvent, type EventContext, isoSeconds } from './task-events.js';

export const DEPLOYMENT_STATE_CHANGE = 'ECS Deployment State Change';

export type DeploymentStateChangeEvent = EcsEvent<typeof DEPLOYMENT_STATE_CHANGE>;

export function deploymentInProgressEvent(
  service: Service,
  context: EventContext,
): DeploymentStateChangeEvent {
  return {
    version: '0',
    id: context.id,
    'detail-type': DEPLOYMENT_STATE_CHANGE,
    source: 'aws.ecs',
    account: context.account,
    time: isoSeconds(context.now),
    region: context.region,
    resources: [service.arn],
    detail: {
      eventType: 'INFO',
      eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
      deploymentId: service.deploymentId,
      updatedAt: new Date(context.now).toISOString(),
      reason: `ECS deployment ${service.deploymentId} in progress.`,
    },
  };
}
