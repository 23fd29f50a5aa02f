/**
 * LoopbackCerts: a throwaway CA and a server certificate for the AWS endpoint host names, made
 * with the openssl CLI, so a TLS-terminating proxy on loopback can impersonate those endpoints
 * to a client that trusts only this CA (consul-ecs via AWS_CA_BUNDLE).
 *
 * Invariants:
 * - Everything is written to a fresh temp directory that `remove()` deletes; the CA private key
 *   never leaves it and is valid for 2 days only.
 * - The leaf certificate names exactly the given host names (subjectAltName DNS entries).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoopbackCerts {
  readonly dir: string;
  /** PEM file of the CA: the value for AWS_CA_BUNDLE. */
  readonly caFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

export function makeLoopbackCerts(hostNames: readonly string[]): LoopbackCerts {
  const dir = mkdtempSync(join(tmpdir(), 'consul-ecs-certs-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // prettier-ignore
  openssl(dir, [
    'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=ecs-acl-controller loopback test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${hostNames[0]}`]);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      `subjectAltName=${hostNames.map((name) => `DNS:${name}`).join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  // prettier-ignore
  openssl(dir, [
    'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext',
  ]);
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.pem')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
