/**
 * parseListenAddress: the value of `-listen-addr`, read the way Go's net.SplitHostPort reads it.
 *
 * Invariants:
 * - Accepted: `host:port` (an IPv4 address or a DNS name), `[ipv6]:port` (brackets required, as
 *   in Go: `[::1]:8080`, `[::]:8080`) and `:port`, which means every IPv4 interface (`0.0.0.0`).
 *   The port is a decimal number from 0 to 65535 (0 picks a free port).
 * - The host returned carries no brackets: it is what `net.Server.listen` takes.
 * - Anything else is a UsageError naming the flag and quoting the value (exit code 2), never a
 *   lookup error at start-up.
 */
import { isIP, isIPv6 } from 'node:net';

import { UsageError } from './command.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function parseListenAddress(value: string, flag = 'listen-addr'): ListenAddress {
  const fail = (why: string) => new UsageError(`flag -${flag}: "${value}" ${why}`);
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(value);
  const plain = /^([^[\]:]*):([^:]*)$/.exec(value);
  if (!bracketed && !plain) {
    if (!value.startsWith('[') && (value.match(/:/g) ?? []).length > 1) {
      throw fail('is not host:port: put an IPv6 address in brackets, as in [::1]:8080');
    }
    throw fail('is not host:port (for example 0.0.0.0:8080, [::1]:8080 or :8080)');
  }
  const [, rawHost, rawPort] = (bracketed ?? plain) as RegExpExecArray;
  if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535) {
    throw fail('has no valid port: it must be a number from 0 to 65535');
  }
  if (bracketed) {
    if (!isIPv6(rawHost)) throw fail(`has "${rawHost}" in brackets, which is not an IPv6 address`);
  } else if (rawHost !== '' && isIP(rawHost) === 0 && !HOSTNAME.test(rawHost)) {
    throw fail(`has an invalid host "${rawHost}"`);
  }
  return { host: rawHost === '' ? '0.0.0.0' : rawHost, port: Number(rawPort) };
}
