/**
 * JsonProtocol: the AWS JSON 1.1 wire protocol for emulated services (ECS, Secrets Manager), and
 * JSON 1.0 (SQS) through `contentType`.
 *
 * Invariants:
 * - Only `POST /` with `X-Amz-Target: <prefix>.<Operation>` is an operation call; anything else is
 *   answered with an AWS-shaped error and still recorded in the call log.
 * - Faults are decided per operation (and resource) before the handler runs: a faulted call never
 *   reaches the handler (latency excepted, which only delays it), so it never changes state. A
 *   client that hangs up during a latency fault is recorded as status 0 `ClientGone` and its
 *   call never runs.
 * - Every call is recorded exactly once in the CallLog, after its outcome is known, faults and
 *   connection resets included. Records name a resource, never a request body or secret value.
 * - Errors carry the code in both the body's `__type` and the `x-amzn-errortype` header, which is
 *   what @aws-sdk's JSON RPC protocol reads to set `error.name`.
 * - IAM (`authorize`) is checked after faults and before the handler: a denied call never runs
 *   and changes nothing; it is recorded with its AccessDenied code like any failed call.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';

import { type CallLog } from '../call-log.js';
import { type FaultInjector } from '../faults.js';
import { type RequestHandler, readBody } from '../http-listener.js';
import { type Clock, type Random, sleep } from '../../src/time/clock.js';
import { AwsError, errorBody } from './errors.js';
import { randomUuid } from './ids.js';
import { type JsonObject } from './input.js';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** One operation: decoded input in, JSON-serialisable output out (or an AwsError thrown). */
export type OperationHandler = (input: JsonObject) => unknown;

export interface JsonProtocolOptions {
  /** The `X-Amz-Target` prefix, e.g. `AmazonEC2ContainerServiceV20141113`. */
  readonly targetPrefix: string;
  readonly operations: Readonly<Record<string, OperationHandler>>;
  readonly faults: FaultInjector;
  readonly calls: CallLog;
  readonly clock: Clock;
  readonly random: Random;
  /** How the service names a throttled call. */
  readonly throttleError: () => AwsError;
  /** How the service names an internal failure (HTTP 500). */
  readonly serverError: () => AwsError;
  /** The resource a call names, for the call log (never a secret value). */
  readonly resourceOf?: (operation: string, input: JsonObject) => string | undefined;
  /** The response content type; AWS JSON 1.1 unless set (SQS answers application/x-amz-json-1.0). */
  readonly contentType?: string;
  /** Throws the service's AccessDenied error when the caller's policies do not allow the call. */
  readonly authorize?: (operation: string, input: JsonObject, principal: string | undefined) => void;
}

const UNKNOWN_OPERATION = 'UnknownOperation';

export function createJsonProtocolHandler(options: JsonProtocolOptions): RequestHandler {
  return async (req, res) => {
    const operation = operationOf(req, options.targetPrefix);
    const body = await readBody(req);
    const principal = principalOf(req);
    let resource: string | undefined;
    try {
      if (req.method !== 'POST' || operation === undefined || !Object.hasOwn(options.operations, operation)) {
        throw new AwsError('UnknownOperationException', `Unknown operation ${targetOf(req) ?? '(none)'}`);
      }
      const input = parseInput(body);
      resource = safeResource(options, operation, input);
      const fault = options.faults.decide(operation, resource);
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        record(options, operation, 0, 'ConnectionReset', resource, principal);
        return;
      }
      if (fault?.kind === 'throttle') throw options.throttleError();
      if (fault?.kind === 'server-error') throw options.serverError();
      if (fault?.kind === 'latency' && !(await delayUnlessGone(options.clock, fault.latencyMs, res))) {
        record(options, operation, 0, 'ClientGone', resource, principal);
        return;
      }
      options.authorize?.(operation, input, principal);
      const handler = options.operations[operation] as OperationHandler;
      const output = await handler(input);
      send(res, 200, JSON.stringify(output ?? {}), options);
      record(options, operation, 200, undefined, resource, principal);
    } catch (caught) {
      const error =
        caught instanceof AwsError
          ? caught
          : new AwsError(options.serverError().code, errorMessage(caught), options.serverError().status);
      send(res, error.status, errorBody(error), options, error);
      record(options, operation ?? UNKNOWN_OPERATION, error.status, error.code, resource, principal);
    }
  };
}

/** Waits `ms` on the clock; false (at once) if the client hung up meanwhile. */
async function delayUnlessGone(clock: Clock, ms: number, res: ServerResponse): Promise<boolean> {
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.on('close', onClose);
  try {
    await sleep(clock, ms, gone.signal);
    return true;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}

function targetOf(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? target : undefined;
}

function operationOf(req: IncomingMessage, prefix: string): string | undefined {
  const target = targetOf(req);
  if (target === undefined || !target.startsWith(`${prefix}.`)) return undefined;
  return target.slice(prefix.length + 1);
}

function parseInput(body: string): JsonObject {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

function safeResource(
  options: JsonProtocolOptions,
  operation: string,
  input: JsonObject,
): string | undefined {
  try {
    return options.resourceOf?.(operation, input);
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  options: JsonProtocolOptions,
  error?: AwsError,
): void {
  const headers: Record<string, string | number> = {
    'content-type': options.contentType ?? AWS_JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUuid(options.random),
  };
  if (error !== undefined) headers['x-amzn-errortype'] = error.code;
  if (error?.queryError !== undefined) headers['x-amzn-query-error'] = error.queryError;
  res.writeHead(status, headers);
  res.end(body);
}

function record(
  options: JsonProtocolOptions,
  operation: string,
  status: number,
  error: string | undefined,
  resource: string | undefined,
  principal: string | undefined,
): void {
  options.calls.record({
    operation,
    status,
    at: options.clock.now(),
    ...(error !== undefined ? { error } : {}),
    ...(resource !== undefined ? { resource } : {}),
    ...(principal !== undefined ? { principal } : {}),
  });
}

/** The access key ID of a SigV4 `Authorization` header (`Credential=<key>/<scope>`), if any. */
function principalOf(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  const match = typeof authorization === 'string' ? /Credential=([^/,\s]+)\//.exec(authorization) : null;
  return match?.[1];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
