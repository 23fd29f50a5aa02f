// A minimal Consul HTTP client for contract cases: plain fetch, nothing hidden.
// Invariants: the management token is sent unless a case passes another token or null (no
// token at all); every response exposes status, raw text and X-Consul-Index; requests time out
// after timeoutMs (default 15 s) so a stuck server fails the case instead of hanging.
export interface ConsulResponse {
  status: number;
  text: string;
  index: number | undefined;
  json<T>(): T;
}

export interface ConsulRequest {
  /** undefined: the management token; null: send no token. */
  token?: string | null;
  body?: unknown;
  timeoutMs?: number;
}

export class ConsulHttp {
  constructor(
    readonly endpoint: string,
    readonly managementToken: string,
  ) {}

  async request(method: string, path: string, options: ConsulRequest = {}): Promise<ConsulResponse> {
    const token = options.token === undefined ? this.managementToken : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers['X-Consul-Token'] = token;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.endpoint}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    const rawIndex = response.headers.get('X-Consul-Index');
    return {
      status: response.status,
      text,
      index: rawIndex === null ? undefined : Number(rawIndex),
      json<T>() {
        return JSON.parse(text) as T;
      },
    };
  }

  get(path: string, options?: ConsulRequest): Promise<ConsulResponse> {
    return this.request('GET', path, options);
  }

  put(path: string, body?: unknown, options?: ConsulRequest): Promise<ConsulResponse> {
    return this.request('PUT', path, { ...options, body });
  }

  delete(path: string, options?: ConsulRequest): Promise<ConsulResponse> {
    return this.request('DELETE', path, options);
  }
}
