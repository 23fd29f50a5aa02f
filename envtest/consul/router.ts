/**
 * Router: matches a request to its route, applies injected faults, runs the handler, writes the
 * answer in Consul's wire format and records the call.
 *
 * Invariants:
 * - Every request is recorded exactly once in the CallLog, after its outcome is known, with the
 *   route's operation name, the resource the handler named and the AccessorID of the request's
 *   token once resolved (never a SecretID).
 * - Faults are decided per operation before the handler runs: throttle → 429 "rate limit exceeded",
 *   server-error → 500, latency → delay on the Clock then a normal answer, reset → socket destroyed.
 * - Unknown paths answer 404 "404 page not found"; a known path with another method answers 405.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';

import { sleep } from '../../src/time/clock.js';
import { type CallLog } from '../call-log.js';
import { type FaultInjector } from '../faults.js';
import { ConsulHttpError } from './errors.js';
import { type Reply } from './http/reply.js';
import { RequestContext } from './http/request-context.js';
import { type Route, type RouteMethod } from './http/route.js';
import { type ServerRuntime } from './http/runtime.js';

export interface RouterDeps {
  readonly routes: readonly Route[];
  readonly runtime: ServerRuntime;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
}

interface Match {
  readonly method?: RouteMethod;
  readonly params: string[];
  readonly allowed: string[];
}

function match(routes: readonly Route[], method: string, path: string): Match | undefined {
  for (const route of routes) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    const params = found.slice(1).map((part) => safeDecode(part ?? ''));
    const handler = route.methods[method];
    return handler
      ? { method: handler, params, allowed: [] }
      : { params, allowed: Object.keys(route.methods) };
  }
  return undefined;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {};
  if (reply.index !== undefined) {
    headers['X-Consul-Index'] = String(reply.index);
    headers['X-Consul-KnownLeader'] = 'true';
    headers['X-Consul-LastContact'] = '0';
    headers['X-Consul-Default-ACL-Policy'] = 'deny';
  }
  let body: Buffer | string;
  if (reply.raw !== undefined) {
    body = reply.raw;
    headers['Content-Type'] =
      typeof reply.raw === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  } else {
    body = JSON.stringify(reply.json ?? null);
    headers['Content-Type'] = 'application/json';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

function writeError(
  res: ServerResponse,
  status: number,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extra });
  res.end(body);
}

function isSecret(runtime: ServerRuntime, value: string): boolean {
  if (value === runtime.state.initialManagementSecret) return true;
  for (const token of runtime.state.tokens.values()) if (token.secretId === value) return true;
  return false;
}

export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { routes, runtime, calls, faults } = deps;
  return async (req, res) => {
    const abort = new AbortController();
    const onClose = () => abort.abort();
    res.on('close', onClose);
    const shutdown = () => abort.abort();
    runtime.shutdown.addEventListener('abort', shutdown, { once: true });
    const ctx = new RequestContext(req, runtime, abort.signal);
    const method = ctx.method;
    const found = match(routes, method, ctx.url.pathname);
    let operation = 'unknown';
    const record = (status: number, error?: string) => {
      // Defence in depth: a client that put a SecretID in a URL must not get it logged.
      if (ctx.resource !== undefined && isSecret(runtime, ctx.resource)) ctx.resource = '<hidden>';
      calls.record({
        operation,
        status,
        ...(error !== undefined ? { error } : {}),
        ...(ctx.resource !== undefined && ctx.resource !== '' ? { resource: ctx.resource } : {}),
        ...(ctx.principal !== undefined ? { principal: ctx.principal } : {}),
        at: runtime.clock.now(),
      });
    };
    try {
      if (!found) {
        writeError(res, 404, '404 page not found\n');
        record(404, 'NotFound');
        return;
      }
      if (!found.method) {
        writeError(res, 405, `method ${method} not allowed`, { Allow: found.allowed.join(',') });
        record(405, 'MethodNotAllowed');
        return;
      }
      const handler = found.method;
      operation = typeof handler.operation === 'string' ? handler.operation : handler.operation(ctx);
      // Faults see the resource the URL names (its first path parameter: an AccessorID, a policy
      // ID or name, a KV key…); handlers may refine ctx.resource for the call log afterwards.
      const fault = faults.decide(operation, found.params[0]);
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        record(0, 'Reset');
        return;
      }
      if (fault?.kind === 'throttle') {
        writeError(res, 429, 'rate limit exceeded');
        record(429, 'RateLimited');
        return;
      }
      if (fault?.kind === 'server-error') {
        writeError(res, 500, 'injected server error');
        record(500, 'ServerError');
        return;
      }
      if (fault?.kind === 'latency' && fault.latencyMs > 0) {
        await sleep(runtime.clock, fault.latencyMs, abort.signal).catch(() => undefined);
      }
      const reply = await handler.handle(ctx, found.params);
      if (res.destroyed) {
        record(0, 'ClientGone');
        return;
      }
      writeReply(res, reply);
      const status = reply.status ?? 200;
      record(status, status >= 400 ? 'NotFound' : undefined);
    } catch (error) {
      if (error instanceof ConsulHttpError) {
        if (!res.headersSent) writeError(res, error.status, error.body);
        record(error.status, error.errorClass);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) writeError(res, 500, message);
      record(500, 'InternalError');
    } finally {
      res.off('close', onClose);
      runtime.shutdown.removeEventListener('abort', shutdown);
    }
  };
}
