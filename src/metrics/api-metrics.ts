/**
 * ApiMetrics: one pair of metrics for every external API the controller calls (ECS, Secrets
 * Manager, Consul, SQS): `external_api_requests_total{service,operation,code}` and
 * `external_api_request_duration_seconds{service,operation}`.
 *
 * Invariants: labels are bounded (service, operation name, and a `code` from the fixed set of
 * api-code.ts, whatever code the caller reports); never a resource name, ARN or ID.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

import { boundedApiCode } from './api-code.js';

export interface ApiCallObserver {
  /** One finished call; `code` is the HTTP status, an error name, or "network" (bounded on export). */
  called(service: string, operation: string, code: string, seconds: number): void;
}

export const NO_API_OBSERVER: ApiCallObserver = { called: () => undefined };

export class ApiMetrics implements ApiCallObserver {
  private readonly requests: Counter<'service' | 'operation' | 'code'>;
  private readonly duration: Histogram<'service' | 'operation'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'external_api_requests_total',
      help: 'Calls to external APIs (ECS, Secrets Manager, Consul, SQS) by operation and result code.',
      labelNames: ['service', 'operation', 'code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'external_api_request_duration_seconds',
      help: 'Latency of calls to external APIs, including blocking-query waits.',
      labelNames: ['service', 'operation'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 300, 600],
      registers: [registry],
    });
  }

  called(service: string, operation: string, code: string, seconds: number): void {
    this.requests.inc({ service, operation, code: boundedApiCode(code) });
    this.duration.observe({ service, operation }, seconds);
  }
}
