/**
 * parseServiceEvent: reads one EventBridge service event, "ECS Deployment State Change" or "ECS
 * Service Action", as delivered in an SQS message body, into the service it is about and its
 * cluster. Such an event says only that a service changed: the consumer describes the service.
 *
 * Invariants: never throws; the service is `resources[0]` when it is a service ARN; the cluster is
 * `detail.clusterArn` when present (Service Action), else derived from the service ARN's long form
 * `…:service/<cluster>/<name>` (Deployment State Change carries no cluster). An event with neither
 * is malformed, with a reason that quotes no part of the input.
 */
export const SERVICE_EVENT_TYPES: readonly string[] = ['ECS Deployment State Change', 'ECS Service Action'];

export interface ServiceEvent {
  readonly serviceArn: string;
  readonly clusterArn: string;
  /** `detail.eventName` (SERVICE_DEPLOYMENT_IN_PROGRESS, SERVICE_STEADY_STATE…), or ''. */
  readonly eventName: string;
}

export type ParsedServiceEvent =
  | { readonly kind: 'event'; readonly event: ServiceEvent }
  | { readonly kind: 'malformed'; readonly reason: string };

const SERVICE_ARN = /^(arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:)service\/(?:([^/]+)\/)?[^/]+$/;

/** `envelope`: the parsed message body, whose detail-type is one of SERVICE_EVENT_TYPES. */
export function parseServiceEvent(envelope: Readonly<Record<string, unknown>>): ParsedServiceEvent {
  const resources = envelope.resources;
  const first = Array.isArray(resources) ? (resources[0] as unknown) : undefined;
  const match = typeof first === 'string' ? SERVICE_ARN.exec(first) : null;
  if (!match) return { kind: 'malformed', reason: 'resources[0] is not an ECS service ARN' };
  const detail = envelope.detail;
  const fields = detail !== null && typeof detail === 'object' ? (detail as Record<string, unknown>) : {};
  const given =
    typeof fields.clusterArn === 'string' && fields.clusterArn !== '' ? fields.clusterArn : undefined;
  const clusterArn = given ?? (match[2] !== undefined ? `${match[1]}cluster/${match[2]}` : undefined);
  if (clusterArn === undefined)
    return { kind: 'malformed', reason: 'no detail.clusterArn and a service ARN without its cluster' };
  return {
    kind: 'event',
    event: {
      serviceArn: first as string,
      clusterArn,
      eventName: typeof fields.eventName === 'string' ? fields.eventName.slice(0, 64) : '',
    },
  };
}
