import { expect } from 'chai';

import { UsageError } from '../../src/cli/command.js';
import { parseListenAddress } from '../../src/cli/listen-address.js';

describe('-listen-addr parsing', () => {
  it("reads host:port, [ipv6]:port and :port the way Go's SplitHostPort does", () => {
    const cases: Array<[string, string, number]> = [
      ['0.0.0.0:8080', '0.0.0.0', 8080],
      ['127.0.0.1:0', '127.0.0.1', 0],
      ['localhost:9102', 'localhost', 9102],
      ['ops.internal.example:80', 'ops.internal.example', 80],
      ['[::1]:8080', '::1', 8080],
      ['[::]:8080', '::', 8080],
      ['[fd00::10:1]:65535', 'fd00::10:1', 65535],
      [':8080', '0.0.0.0', 8080],
    ];
    for (const [value, host, port] of cases) {
      expect(parseListenAddress(value), value).to.deep.equal({ host, port });
    }
  });

  it('rejects malformed values with a usage error that names the flag and quotes the value', () => {
    const cases: Array<[string, string]> = [
      ['8080', 'flag -listen-addr: "8080" is not host:port'],
      ['::1:8080', 'flag -listen-addr: "::1:8080" is not host:port: put an IPv6 address in brackets'],
      ['[::1]', 'flag -listen-addr: "[::1]" is not host:port'],
      ['[::1]:', 'flag -listen-addr: "[::1]:" has no valid port'],
      ['0.0.0.0:http', 'flag -listen-addr: "0.0.0.0:http" has no valid port'],
      ['0.0.0.0:65536', 'flag -listen-addr: "0.0.0.0:65536" has no valid port'],
      [
        '[localhost]:80',
        'flag -listen-addr: "[localhost]:80" has "localhost" in brackets, which is not an IPv6',
      ],
      ['bad host:80', 'flag -listen-addr: "bad host:80" has an invalid host "bad host"'],
      ['[::1]:80:90', 'flag -listen-addr: "[::1]:80:90" is not host:port'],
    ];
    for (const [value, message] of cases) {
      expect(() => parseListenAddress(value), value).to.throw(UsageError, message);
    }
  });
});
