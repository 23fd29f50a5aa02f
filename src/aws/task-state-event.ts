/**
 * parseTaskStateEvent: reads one EventBridge "ECS Task State Change" event, as delivered in an SQS
 * message body, into the few fields the controller uses.
 *
 * Invariants: never throws; anything that is not such an event, or lacks the task ARN, cluster
 * ARN, task-definition ARN, desired status or a numeric `detail.version`, is reported as
 * malformed with a reason that quotes no part of the input.
 */
export interface TaskStateEvent {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly desiredStatus: string;
  readonly lastStatus: string;
  readonly version: number;
  /** `detail.group` (`service:<name>` for a service's task), when a non-empty string. */
  readonly group?: string;
  /**
   * When the change happened, in ms since the epoch: `detail.updatedAt` (millisecond precision)
   * when present and valid, else the envelope's `time` (whole seconds).
   */
  readonly at?: number;
}

export type ParsedTaskStateEvent =
  | { readonly kind: 'event'; readonly event: TaskStateEvent }
  | {
      readonly kind: 'other';
      readonly detailType: string;
      /** The parsed message body, for a parser of that detail type. */
      readonly envelope: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'malformed'; readonly reason: string };

export function parseTaskStateEvent(body: string | undefined): ParsedTaskStateEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { kind: 'malformed', reason: 'message body is not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object')
    return { kind: 'malformed', reason: 'message body is not an object' };
  const envelope = parsed as Record<string, unknown>;
  const detailType = envelope['detail-type'];
  if (typeof detailType !== 'string') return { kind: 'malformed', reason: 'no detail-type' };
  if (detailType !== 'ECS Task State Change')
    return { kind: 'other', detailType: detailType.slice(0, 64), envelope };
  const detail = envelope.detail as Record<string, unknown> | null | undefined;
  if (detail === null || typeof detail !== 'object') return { kind: 'malformed', reason: 'no detail object' };
  const text = (field: string) =>
    typeof detail[field] === 'string' && detail[field] !== '' ? (detail[field] as string) : undefined;
  const taskArn = text('taskArn');
  const clusterArn = text('clusterArn');
  const taskDefinitionArn = text('taskDefinitionArn');
  const desiredStatus = text('desiredStatus');
  const version = detail.version;
  if (!taskArn || !clusterArn || !taskDefinitionArn || !desiredStatus) {
    return {
      kind: 'malformed',
      reason: 'detail lacks taskArn, clusterArn, taskDefinitionArn or desiredStatus',
    };
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { kind: 'malformed', reason: 'detail.version is not a non-negative integer' };
  }
  const updatedAt = typeof detail.updatedAt === 'string' ? Date.parse(detail.updatedAt) : NaN;
  const time = Number.isFinite(updatedAt)
    ? updatedAt
    : typeof envelope.time === 'string'
      ? Date.parse(envelope.time)
      : NaN;
  return {
    kind: 'event',
    event: {
      taskArn,
      clusterArn,
      taskDefinitionArn,
      desiredStatus,
      lastStatus: text('lastStatus') ?? '',
      version,
      ...(text('group') !== undefined ? { group: text('group') } : {}),
      at: Number.isFinite(time) ? time : undefined,
    },
  };
}
