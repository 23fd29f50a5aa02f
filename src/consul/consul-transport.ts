/**
 * ConsulTransport: one Consul HTTP call, with the request token, a timeout, retries and metrics.
 *
 * Invariants:
 * - The request token (the settings' token, or a request's own, e.g. a logout's SecretID) travels
 *   only in the `X-Consul-Token` header; it is never put in a URL, an error message or a metric.
 * - A call is retried (up to `maxRetries`, with jittered exponential backoff on the injected
 *   clock) after a connection failure, a 429, a 502/503/504, and — for GET only — a 500, since
 *   Consul also answers client mistakes with 500.
 * - A call times out after `timeoutMs`, plus the blocking wait for blocking queries.
 * - Every attempt is reported to the API observer as `consul`/<operation>/<status>.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { type ApiCallObserver, NO_API_OBSERVER } from '../metrics/api-metrics.js';
import { backoffDelay } from '../time/backoff.js';
import { type Clock, type Random, sleep } from '../time/clock.js';
import { ConsulError, ConsulUnreachableError } from './consul-error.js';
import { type ConsulSettings } from './consul-settings.js';

export type Query = Readonly<Record<string, string | undefined>>;

export interface ConsulRequest {
  readonly operation: string;
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  /** For blocking queries: the longest the server may hold the request, in ms. */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
  /** This call's `X-Consul-Token` instead of the settings' (e.g. a logout's own login token). */
  readonly token?: string;
}

export interface ConsulResponse {
  readonly status: number;
  readonly body: string;
  /** `X-Consul-Index`, when the endpoint returns one. */
  readonly index?: string;
}

export class ConsulTransport {
  constructor(
    private readonly settings: ConsulSettings,
    private readonly clock: Clock,
    private readonly observer: ApiCallObserver = NO_API_OBSERVER,
    private readonly random: Random = Math.random,
  ) {}

  /** Sends the request; resolves with a 2xx response, rejects with ConsulError otherwise. */
  async send(req: ConsulRequest): Promise<ConsulResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.once(req);
        if (response.status >= 200 && response.status < 300) return response;
        throw new ConsulError(req.operation, response.status, response.body);
      } catch (error) {
        if (attempt >= this.settings.maxRetries || !this.shouldRetry(req, error) || req.signal?.aborted)
          throw error;
        const delay = backoffDelay(
          attempt + 1,
          { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 1 },
          this.random,
        );
        await sleep(this.clock, delay, req.signal);
      }
    }
  }

  /** Sends the request and parses a JSON body. */
  async json<T>(req: ConsulRequest): Promise<{ value: T; index?: string }> {
    const response = await this.send(req);
    try {
      return { value: JSON.parse(response.body) as T, index: response.index };
    } catch {
      throw new ConsulError(req.operation, response.status, 'response is not valid JSON');
    }
  }

  private shouldRetry(req: ConsulRequest, error: unknown): boolean {
    if (error instanceof ConsulUnreachableError) return true;
    if (!(error instanceof ConsulError)) return false;
    return error.isRetryable || (req.method === 'GET' && error.status === 500);
  }

  private once(req: ConsulRequest): Promise<ConsulResponse> {
    const { address, token, caPem, verifyTls, timeoutMs, tlsServerName } = this.settings;
    const url = new URL(req.path, address);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    const requestToken = req.token ?? token;
    if (requestToken) headers['x-consul-token'] = requestToken;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const started = this.clock.now();
    const report = (code: string) =>
      this.observer.called('consul', req.operation, code, (this.clock.now() - started) / 1000);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<ConsulResponse>((resolve, reject) => {
      let settled = false;
      const request = send(url, {
        method: req.method,
        headers,
        ...(url.protocol === 'https:'
          ? {
              ca: caPem,
              rejectUnauthorized: verifyTls,
              ...(tlsServerName ? { servername: tlsServerName } : {}),
            }
          : {}),
        signal: req.signal,
      });
      // Settles once: a connection that fails after the headers arrived (reset mid-body, or a
      // body that never ends) rejects too, rather than leaving the call pending forever.
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        cancelTimeout();
        report('network');
        reject(new ConsulUnreachableError(req.operation, error));
      };
      const budget = timeoutMs + (req.waitMs ? req.waitMs + req.waitMs / 16 : 0);
      const cancelTimeout = this.clock.setTimer(budget, () => {
        const error = new Error(`no answer within ${Math.round(budget)} ms`);
        request.destroy(error);
        fail(error);
      });
      request.on('error', fail);
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('close', () => {
          if (!response.complete) fail(new Error('connection closed before the response was complete'));
        });
        response.on('end', () => {
          if (settled) return;
          settled = true;
          cancelTimeout();
          const status = response.statusCode ?? 0;
          report(String(status));
          const index = response.headers['x-consul-index'];
          resolve({
            status,
            body: Buffer.concat(chunks).toString('utf8'),
            index: typeof index === 'string' ? index : undefined,
          });
        });
      });
      request.end(payload);
    });
  }
}
