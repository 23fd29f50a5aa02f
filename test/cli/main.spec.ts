import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect } from 'chai';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('ecs-acl-controller CLI', () => {
  it('prints usage with --help and exits 0', () => {
    const result = run('--help');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.contain('Usage: ecs-acl-controller <command> [flags]');
  });

  it('rejects an unknown command with exit code 2 and a clear message', () => {
    const result = run('bogus');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('unknown command "bogus"');
  });

  it('prints the package version', () => {
    const result = run('version');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.match(/^ecs-acl-controller \d+\.\d+\.\d+/);
  });
});
