/**
 * scripts/audit.sh, with a fake `npm` on PATH: it passes only when npm audit passed, warns (exit
 * 0, "NOT performed", npm's exact words) only when the audit endpoint refused or was unreachable,
 * and fails on advisories and on any other npm failure.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO } from './tools.js';

const FAKE_NPM = `#!/usr/bin/env bash
if [[ "$1" == "config" ]]; then echo "https://mirror.example/"; exit 0; fi
case "$FAKE_NPM_MODE" in
  pass) echo "found 0 vulnerabilities"; exit 0 ;;
  vulns) printf '# npm audit report\\n\\nleftpad  <1.0.0\\nSeverity: high\\n\\n1 high severity vulnerability\\n'; exit 1 ;;
  refused)
    echo "npm warn audit 405 Method Not Allowed - POST https://mirror.example/-/npm/v1/security/advisories/bulk" >&2
    echo "npm error audit endpoint returned an error" >&2
    echo "npm error A complete log of this run can be found in: /tmp/x.log" >&2
    exit 1 ;;
  offline) echo "npm error code ENOTFOUND" >&2; echo "npm error network request failed" >&2; exit 1 ;;
  broken) echo "npm error code ENOLOCK" >&2; echo "npm error audit This command requires an existing lockfile." >&2; exit 1 ;;
esac
exit 99
`;

describe('scripts/audit.sh', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-npm-'));
    writeFileSync(join(dir, 'npm'), FAKE_NPM);
    chmodSync(join(dir, 'npm'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (mode: string) => {
    const result = spawnSync('bash', [join(REPO, 'scripts/audit.sh')], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, FAKE_NPM_MODE: mode },
      encoding: 'utf8',
    });
    return { status: result.status, out: result.stdout, err: result.stderr };
  };

  it('passes when npm audit passes', () => {
    const { status, out } = run('pass');
    expect(status).to.equal(0);
    expect(out).to.include('passed');
  });

  it('fails on advisories, with npm exit code and report', () => {
    const { status, out, err } = run('vulns');
    expect(status).to.equal(1);
    expect(out).to.include('# npm audit report');
    expect(err).to.include('FAILED');
    expect(err).to.not.include('WARNING');
  });

  for (const mode of ['refused', 'offline']) {
    it(`warns, never passes, when the endpoint is ${mode}: exit 0 with npm's exact answer`, () => {
      const { status, out, err } = run(mode);
      expect(status).to.equal(0);
      expect(out).to.not.include('passed');
      expect(err).to.include('WARNING: dependency audit NOT performed');
      expect(err).to.include('registry: https://mirror.example/');
      if (mode === 'refused') {
        expect(err).to.include(
          'npm warn audit 405 Method Not Allowed - POST https://mirror.example/-/npm/v1/security/advisories/bulk',
        );
      }
    });
  }

  it('fails on any other npm error', () => {
    const { status, err } = run('broken');
    expect(status).to.equal(1);
    expect(err).to.include('ENOLOCK');
    expect(err).to.not.include('WARNING');
  });
});
