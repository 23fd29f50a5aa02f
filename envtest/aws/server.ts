/**
 * AwsJsonServer: an emulated AWS JSON 1.1 service listening on loopback.
 *
 * Invariants:
 * - One server owns one CallLog and one FaultInjector; nothing is shared between servers.
 * - `close()` stops the listener and then the service's own timers (via `onClose`), so no timer of
 *   a closed server ever fires into its state.
 * - `iam` is always there: with no policies (the default) it allows every call, so a server
 *   started without `iam` behaves as it did before IAM was emulated.
 */
import { CallLog } from '../call-log.js';
import { FaultInjector } from '../faults.js';
import { listen } from '../http-listener.js';
import { type Clock, type Random } from '../../src/time/clock.js';
import { type AwsError } from './errors.js';
import { type JsonObject } from './input.js';
import { type CallAuthorization, IamAuthorizer, type IamOptions } from './iam/authorizer.js';
import { type DeniedCall } from './iam/access-denied.js';
import { createJsonProtocolHandler, type OperationHandler } from './json-protocol.js';

export interface AwsJsonServer<State> {
  readonly url: string;
  readonly port: number;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  readonly state: State;
  /** The IAM policies enforced per access key (`setPolicies` changes them while running). */
  readonly iam: IamAuthorizer;
  close(): Promise<void>;
}

/** Per operation: the IAM requests one call needs (action, resource ARN, context). */
export type AuthorizationTable = Readonly<
  Record<string, (input: JsonObject) => readonly CallAuthorization[]>
>;

export interface AwsJsonIamSpec {
  /** Policies per access key ID; keys without one are allowed everything. */
  readonly options?: IamOptions;
  readonly accountId: string;
  /** Must cover every operation: a call of an unmapped one fails (HTTP 500) for a key with policies. */
  readonly authorization: AuthorizationTable;
  /** The service's AccessDenied error; HTTP 400 AccessDeniedException by default. */
  readonly accessDenied?: (call: DeniedCall) => AwsError;
}

export interface AwsJsonServerSpec<State> {
  readonly targetPrefix: string;
  readonly state: State;
  readonly operations: Readonly<Record<string, OperationHandler>>;
  readonly clock: Clock;
  readonly random: Random;
  readonly port?: number;
  readonly throttleError: () => AwsError;
  readonly serverError: () => AwsError;
  readonly resourceOf?: (operation: string, input: JsonObject) => string | undefined;
  /** The response content type; AWS JSON 1.1 unless set. */
  readonly contentType?: string;
  /** Stops the state's timers; called once the listener is closed. */
  readonly onClose?: () => void;
  /** IAM enforcement; without it every call is allowed. */
  readonly iam?: AwsJsonIamSpec;
}

export async function startAwsJsonServer<State>(
  spec: AwsJsonServerSpec<State>,
): Promise<AwsJsonServer<State>> {
  const calls = new CallLog();
  const faults = new FaultInjector(spec.random);
  const iam = new IamAuthorizer(spec.iam?.options, {
    accountId: spec.iam?.accountId ?? '123456789012',
    ...(spec.iam?.accessDenied ? { accessDenied: spec.iam.accessDenied } : {}),
  });
  const table = spec.iam?.authorization;
  const handler = createJsonProtocolHandler({
    targetPrefix: spec.targetPrefix,
    operations: spec.operations,
    faults,
    calls,
    clock: spec.clock,
    random: spec.random,
    throttleError: spec.throttleError,
    serverError: spec.serverError,
    ...(spec.resourceOf ? { resourceOf: spec.resourceOf } : {}),
    ...(spec.contentType !== undefined ? { contentType: spec.contentType } : {}),
    ...(table
      ? {
          authorize: (operation: string, input: JsonObject, principal: string | undefined) =>
            iam.authorize(principal, () => {
              const of = table[operation];
              if (of === undefined) throw new Error(`envtest has no IAM mapping for ${operation}`);
              return of(input);
            }),
        }
      : {}),
  });
  const listener = await listen(handler, spec.port ?? 0);
  let closed: Promise<void> | undefined;
  return {
    url: listener.url,
    port: listener.port,
    calls,
    faults,
    state: spec.state,
    iam,
    close: () => {
      closed ??= listener.close().then(() => spec.onClose?.());
      return closed;
    },
  };
}
