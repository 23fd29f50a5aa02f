/**
 * ConsulSettings: how to reach Consul, read from the standard Consul CLI environment.
 *
 * Invariants:
 * - `CONSUL_HTTP_ADDR` may be `host:port` or a URL; without a scheme it is http, unless
 *   `CONSUL_HTTP_SSL=true`. The default is http://127.0.0.1:8500.
 * - The token comes from `CONSUL_HTTP_TOKEN`, else from the file named by `CONSUL_HTTP_TOKEN_FILE`
 *   (trimmed). A file that cannot be read is a configuration error naming the variable.
 * - The CA comes from `CONSUL_CACERT` (a file) or `CONSUL_CACERT_PEM` (the PEM itself);
 *   `CONSUL_HTTP_SSL_VERIFY=false` turns verification off.
 */
import { readFileSync } from 'node:fs';

export interface ConsulSettings {
  readonly address: URL;
  readonly token?: string;
  readonly caPem?: string;
  readonly verifyTls: boolean;
  /** The name the server certificate is checked against (and sent as SNI); default: the host. */
  readonly tlsServerName?: string;
  /** Per-request timeout, not counting a blocking query's wait. */
  readonly timeoutMs: number;
  /** Retries after a 429, a 5xx or a connection error. */
  readonly maxRetries: number;
}

export class ConsulSettingsError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConsulSettingsError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function consulSettingsFromEnv(env: Env = process.env): ConsulSettings {
  return {
    address: parseAddress(env),
    token: readToken(env),
    caPem: readCa(env),
    verifyTls: parseBool(env, 'CONSUL_HTTP_SSL_VERIFY', true),
    timeoutMs: 30_000,
    maxRetries: 3,
  };
}

function parseAddress(env: Env): URL {
  const raw = env.CONSUL_HTTP_ADDR?.trim() || '127.0.0.1:8500';
  const ssl = parseBool(env, 'CONSUL_HTTP_SSL', false);
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `${ssl ? 'https' : 'http'}://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConsulSettingsError('CONSUL_HTTP_ADDR', `"${raw}" is not an address (use host:port or a URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConsulSettingsError(
      'CONSUL_HTTP_ADDR',
      `unsupported scheme "${url.protocol}" (use http or https)`,
    );
  }
  return url;
}

function readToken(env: Env): string | undefined {
  if (env.CONSUL_HTTP_TOKEN) return env.CONSUL_HTTP_TOKEN.trim();
  const file = env.CONSUL_HTTP_TOKEN_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConsulSettingsError(
      'CONSUL_HTTP_TOKEN_FILE',
      `cannot read ${file}: ${(error as Error).message}`,
    );
  }
}

function readCa(env: Env): string | undefined {
  if (env.CONSUL_CACERT_PEM) return env.CONSUL_CACERT_PEM;
  const file = env.CONSUL_CACERT;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConsulSettingsError('CONSUL_CACERT', `cannot read ${file}: ${(error as Error).message}`);
  }
}

function parseBool(env: Env, variable: string, fallback: boolean): boolean {
  const raw = env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 't', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'f', 'false', 'no'].includes(raw)) return false;
  throw new ConsulSettingsError(variable, `"${env[variable]}" is not a boolean`);
}
