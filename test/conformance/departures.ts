// Where a third-party server departs from AWS (or from the real Consul version it claims):
// those cases are skipped FOR THAT BACKEND ONLY, with the reason printed.
// Invariants:
// - each entry was found by running the case against the backend and checked against AWS's
//   documented behaviour (see the reason);
// - our envtest backends (names starting "envtest-") are never listed; departureFor refuses them;
// - departures.spec.ts checks every entry names an existing case.
export interface Departure {
  backend: string;
  service: 'ecs' | 'secretsmanager' | 'consul' | 'sqs' | 'iam';
  case: string;
  reason: string;
}

const MOTO_SRC = 'moto 5.2.5 moto/ecs/models.py';
const MINISTACK_SRC = 'ministack 1.5.33 ministack/services/ecs.py';
const MOTO_SQS = 'moto 5.2.5 moto/sqs/models.py';
const MINISTACK_SQS = 'ministack 1.5.33 ministack/services/sqs.py';
const SQS_DOC = 'docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference';
const MOTO_IAM_RESOURCE =
  'moto 5.2.5 moto/core/responses.py:434-442 (call_action) authorizes every ECS and Secrets Manager ' +
  'action against resource "*" (only sqs, iam and sts responses define _determine_resource)';

export const departures: Departure[] = [
  // --- moto, SQS ---
  {
    backend: 'moto',
    service: 'sqs',
    case: 'CreateQueue with VisibilityTimeout above 43200 gives InvalidAttributeValue',
    reason: `${MOTO_SQS}: create_queue accepts any VisibilityTimeout; AWS allows 0 to 43,200 seconds (${SQS_DOC}/API_CreateQueue.html)`,
  },
  {
    backend: 'moto',
    service: 'sqs',
    case: 'ChangeMessageVisibility of a message that is not in flight gives MessageNotInflight',
    reason: `${MOTO_SQS}: change_message_visibility succeeds on a visible message; AWS answers MessageNotInflight (${SQS_DOC}/API_ChangeMessageVisibility.html)`,
  },
  {
    backend: 'moto',
    service: 'sqs',
    case: 'DeleteMessage with an older receipt handle succeeds but does not delete the message',
    reason: `${MOTO_SQS}: any receipt handle ever issued deletes the message; AWS: "You must provide the most recently received receipt handle … otherwise, the request succeeds, but the message will not be deleted" (${SQS_DOC}/API_DeleteMessage.html)`,
  },
  // --- ministack, SQS ---
  {
    backend: 'ministack',
    service: 'sqs',
    case: 'ReceiveMessage with WaitTimeSeconds 21 gives InvalidParameterValue',
    reason: `${MINISTACK_SQS}: receive_message accepts WaitTimeSeconds above 20; AWS allows 0 to 20 (${SQS_DOC}/API_ReceiveMessage.html)`,
  },
  {
    backend: 'ministack',
    service: 'sqs',
    case: 'CreateQueue with a space in the name gives InvalidParameterValue',
    reason: `${MINISTACK_SQS}: create_queue accepts any name; AWS allows 1 to 80 alphanumerics, hyphens and underscores (${SQS_DOC}/API_CreateQueue.html)`,
  },
  {
    backend: 'ministack',
    service: 'sqs',
    case: 'ChangeMessageVisibility of a message that is not in flight gives MessageNotInflight',
    reason: `${MINISTACK_SQS}: change_message_visibility succeeds on a visible message; AWS answers MessageNotInflight (${SQS_DOC}/API_ChangeMessageVisibility.html)`,
  },
  {
    backend: 'ministack',
    service: 'sqs',
    case: 'DeleteMessage with an older receipt handle succeeds but does not delete the message',
    reason: `${MINISTACK_SQS}: any receipt handle ever issued deletes the message; AWS: "You must provide the most recently received receipt handle … otherwise, the request succeeds, but the message will not be deleted" (${SQS_DOC}/API_DeleteMessage.html)`,
  },
  // --- moto, ECS ---
  {
    backend: 'moto',
    service: 'ecs',
    case: 'ListTasks serviceName excludes tasks not started by that service',
    reason: `${MOTO_SRC}: list_tasks ignores serviceName (a TODO); AWS returns only the service's tasks`,
  },
  {
    backend: 'moto',
    service: 'ecs',
    case: 'ListTasks on a cluster excludes tasks of a cluster whose name contains it',
    reason: `${MOTO_SRC}: list_tasks filters by \`cluster.name in t.cluster_arn\` (a substring test), so cluster "prod" also lists the tasks of "prod-2"; AWS matches the cluster exactly`,
  },
  {
    backend: 'moto',
    service: 'ecs',
    case: 'ListTasks without desiredStatus returns only RUNNING tasks',
    reason: `${MOTO_SRC}: list_tasks without desiredStatus returns tasks in every state; AWS defaults to RUNNING`,
  },
  {
    backend: 'moto',
    service: 'ecs',
    case: 'ListTasks paginates with maxResults and nextToken',
    reason: `${MOTO_SRC}: list_tasks ignores maxResults and never sets nextToken`,
  },
  {
    backend: 'moto',
    service: 'ecs',
    case: 'DescribeTasks reports an unknown task ARN in failures with reason MISSING',
    reason: `${MOTO_SRC}: describe_tasks omits unknown ARNs and always returns failures: []; AWS reports {arn, reason: "MISSING"}`,
  },
  {
    backend: 'moto',
    service: 'ecs',
    case: 'DescribeTasks with more than 100 tasks gives InvalidParameterException',
    reason: `${MOTO_SRC}: describe_tasks accepts any number of tasks; AWS limits the list to 100`,
  },
  // --- ministack, ECS ---
  {
    backend: 'ministack',
    service: 'ecs',
    case: 'DescribeTasks returns tags only with include TAGS',
    reason: `${MINISTACK_SRC}: describe_tasks returns tags even without include=["TAGS"]; AWS omits them`,
  },
  {
    backend: 'ministack',
    service: 'ecs',
    case: 'ListTasks on a missing cluster gives ClusterNotFoundException',
    reason: `${MINISTACK_SRC}: list_tasks on an unknown cluster returns an empty list; AWS raises ClusterNotFoundException`,
  },
  {
    backend: 'ministack',
    service: 'ecs',
    case: 'RunTask on a missing cluster gives ClusterNotFoundException',
    reason: `${MINISTACK_SRC}: run_task creates a missing cluster; AWS raises ClusterNotFoundException`,
  },
  {
    backend: 'ministack',
    service: 'ecs',
    case: 'DescribeTasks with more than 100 tasks gives InvalidParameterException',
    reason: `${MINISTACK_SRC}: describe_tasks accepts any number of tasks (reports them MISSING); AWS limits the list to 100`,
  },
  {
    backend: 'ministack',
    service: 'ecs',
    case: 'DescribeTasks with an empty task list gives InvalidParameterException',
    reason: `${MINISTACK_SRC}: describe_tasks accepts an empty list; AWS rejects it with InvalidParameterException`,
  },
  // --- Secrets Manager ---
  {
    backend: 'moto',
    service: 'secretsmanager',
    case: 'PutSecretValue on a secret scheduled for deletion gives InvalidRequestException',
    reason:
      'moto 5.2.5 moto/secretsmanager/models.py: put_secret_value has no deleted-secret check and succeeds; ' +
      'AWS gives InvalidRequestException',
  },
  {
    backend: 'moto',
    service: 'secretsmanager',
    case: 'CreateSecret over a name scheduled for deletion gives InvalidRequestException',
    reason:
      'moto 5.2.5 moto/secretsmanager/models.py: create_secret gives ResourceExistsException; AWS documents ' +
      'InvalidRequestException "The secret is scheduled for deletion"',
  },
  {
    backend: 'ministack',
    service: 'secretsmanager',
    case: 'CreateSecret over a name scheduled for deletion gives InvalidRequestException',
    reason:
      'ministack 1.5.33 ministack/services/secretsmanager.py: create gives ResourceExistsException; AWS ' +
      'documents InvalidRequestException "The secret is scheduled for deletion"',
  },
  // --- moto, IAM (auth on via /moto-api/reset-auth) ---
  {
    backend: 'moto',
    service: 'iam',
    case: 'upstream role: secretsmanager:GetSecretValue is allowed on a secret matching <name_prefix>-*',
    reason:
      `${MOTO_IAM_RESOURCE}, so a Resource naming secret ARNs never matches and the call is denied; AWS ` +
      'authorizes GetSecretValue against the secret ARN (Service Authorization Reference, AWS Secrets Manager)',
  },
  {
    backend: 'moto',
    service: 'iam',
    case: 'a denied call answers AccessDeniedException (HTTP 400) naming the principal, the action and the resource ARN',
    reason:
      'moto 5.2.5 moto/core/exceptions.py:134-140: AccessDeniedError is HTTP 403, code AccessDenied, message ' +
      '"User: <arn> is not authorized to perform: <action>" (no resource, no reason), sent as an XML ' +
      'ErrorResponse (_RESTError, lines 55-75) even to JSON services, which @aws-sdk cannot parse ' +
      '(SyntaxError "Deserialization error"); AWS answers JSON AccessDeniedException with HTTP 400',
  },
  {
    backend: 'moto',
    service: 'iam',
    case: 'an ArnEquals ecs:cluster condition allows ListServices in that cluster only',
    reason:
      'moto 5.2.5 moto/iam/access_control.py:263-283 evaluates statements with no request context, and ' +
      'moto/iam/policy_conditions.py:14,35-46 knows only StringEquals and treats an unknown operator (or no ' +
      'context value) as satisfied, so the ArnEquals condition is ignored and every cluster is allowed ' +
      '(access_control.py:6: "TODO add support for the Resource and Condition parts of IAM policies")',
  },
];

export function departureFor(backend: string, service: string, caseName: string): Departure | undefined {
  if (backend.startsWith('envtest-')) return undefined;
  return departures.find((d) => d.backend === backend && d.service === service && d.case === caseName);
}
