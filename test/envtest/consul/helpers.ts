// Test helpers for the Consul envtest server: a tiny HTTP client and a no-sleep wait.
import { flushMicrotasks } from '../../../src/time/index.js';
import {
  type ConsulServer,
  type ConsulServerOptions,
  startConsulServer,
} from '../../../envtest/consul/server.js';

export interface ConsulResponse {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  json<T = unknown>(): T;
  readonly index: number;
}

export interface CallOptions {
  /** Secret to send in X-Consul-Token; `null` sends none. Default: the management token. */
  readonly token?: string | null;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export function client(server: ConsulServer) {
  return async function call(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<ConsulResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const token = options.token === undefined ? server.managementToken : options.token;
    if (token !== null) headers['X-Consul-Token'] = token;
    const body =
      options.rawBody !== undefined
        ? options.rawBody
        : options.body !== undefined
          ? JSON.stringify(options.body)
          : undefined;
    const response = await fetch(server.url + path, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      headers: response.headers,
      json: <T>() => JSON.parse(text) as T,
      index: Number(response.headers.get('x-consul-index') ?? '0'),
    };
  };
}

export type Call = ReturnType<typeof client>;

export interface ConsulFixture {
  /** The server of the running test. */
  readonly server: ConsulServer;
  /** Calls the server of the running test; safe to take out of the fixture once. */
  readonly call: Call;
}

/**
 * Starts a fresh server before each test of the enclosing `describe` and closes it after.
 * `options` runs in the beforeEach hook, so it may create per-test objects such as a clock.
 */
export function useConsulServer(options: () => ConsulServerOptions = () => ({})): ConsulFixture {
  let server: ConsulServer | undefined;
  let current: Call | undefined;
  beforeEach(async () => {
    server = await startConsulServer(options());
    current = client(server);
  });
  afterEach(() => server!.close());
  return {
    get server() {
      return server!;
    },
    call: (method, path, callOptions) => current!(method, path, callOptions),
  };
}

/** Yields to the event loop until `condition` holds; never sleeps on real time. */
export async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (condition()) return;
    await flushMicrotasks();
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface TokenJson {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: { ID: string; Name: string }[];
  Roles?: { ID: string; Name: string }[];
  ServiceIdentities?: { ServiceName: string; Datacenters?: string[] }[];
  Local: boolean;
  CreateIndex: number;
  ModifyIndex: number;
  Namespace?: string;
  Partition?: string;
}

export interface PolicyJson {
  ID: string;
  Name: string;
  Rules?: string;
  Description: string;
  CreateIndex: number;
  ModifyIndex: number;
  Namespace?: string;
}

/**
 * Creates `partition` and its `namespace` on an Enterprise-mode server (writes into a missing one
 * fail, as in Consul Enterprise); an existing one is kept.
 */
export async function ensureTenancy(call: Call, partition: string, namespace: string): Promise<void> {
  if (partition !== 'default') {
    const made = await call('PUT', '/v1/partition', { body: { Name: partition } });
    if (made.status !== 200 && !made.text.includes('already exists')) throw new Error(made.text);
  }
  if (namespace !== 'default') {
    const made = await call('PUT', `/v1/namespace?partition=${partition}`, { body: { Name: namespace } });
    if (made.status !== 200 && !made.text.includes('already exists')) throw new Error(made.text);
  }
}
