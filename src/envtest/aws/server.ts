/**
 * AwsJsonServer: an emulated AWS JSON 1.1 service listening on loopback.
 *
 * Invariants:
 * - One server owns one CallLog and one FaultInjector; nothing is shared between servers.
 * - `close()` stops the listener and then the service's own timers (via `onClose`), so no timer of
 *   a closed server ever fires into its state.
 */
import { CallLog } from '../call-log.js';
import { FaultInjector } from '../faults.js';
import { listen } from '../http-listener.js';
import { type Clock, type Random } from '../../time/clock.js';
import { type AwsError } from './errors.js';
import { type JsonObject } from './input.js';
import { createJsonProtocolHandler, type OperationHandler } from './json-protocol.js';

export interface AwsJsonServer<State> {
  readonly url: string;
  readonly port: number;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  readonly state: State;
  close(): Promise<void>;
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
}

export async function startAwsJsonServer<State>(
  spec: AwsJsonServerSpec<State>,
): Promise<AwsJsonServer<State>> {
  const calls = new CallLog();
  const faults = new FaultInjector(spec.random);
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
  });
  const listener = await listen(handler, spec.port ?? 0);
  let closed: Promise<void> | undefined;
  return {
    url: listener.url,
    port: listener.port,
    calls,
    faults,
    state: spec.state,
    close: () => {
      closed ??= listener.close().then(() => spec.onClose?.());
      return closed;
    },
  };
}
