/**
 * AccessDenied: the error an emulated AWS service answers a call its caller's policies do not
 * allow with, worded as AWS words it.
 *
 * Invariants:
 * - JSON services (ECS, Secrets Manager): HTTP 400, `__type` AccessDeniedException, so the SDK's
 *   `error.name` is `AccessDeniedException`.
 * - The message is AWS's: "User: <principal> is not authorized to perform: <action> on resource:
 *   <resource> because no identity-based policy allows the <action> action", or "… with an
 *   explicit deny in an identity-based policy" when a Deny statement decided it. A call
 *   authorized against no resource (`omitResource`) leaves out "on resource: …", as Secrets
 *   Manager does for ListSecrets.
 * - The message never contains request values beyond the action, the resource and the principal.
 */
import { AwsError } from '../errors.js';

export interface DeniedCall {
  /** The principal ARN the caller's access key belongs to. */
  readonly principal: string;
  /** The action as the service writes it in messages (SQS writes it in lower case). */
  readonly action: string;
  readonly resource: string;
  readonly explicit: boolean;
  readonly omitResource?: boolean;
}

export function accessDeniedMessage(call: DeniedCall): string {
  const onResource = call.omitResource === true ? '' : ` on resource: ${call.resource}`;
  const why = call.explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${call.action} action`;
  return `User: ${call.principal} is not authorized to perform: ${call.action}${onResource} ${why}`;
}

/** How ECS and Secrets Manager answer (HTTP 400 AccessDeniedException). */
export function accessDeniedException(call: DeniedCall): AwsError {
  return new AwsError('AccessDeniedException', accessDeniedMessage(call));
}
