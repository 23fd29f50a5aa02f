import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect } from 'chai';

import { unreachableController } from '../helpers/controller-cli.js';

const CLI = fileURLToPath(new URL('../../controllers/cli/main.js', import.meta.url));
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

  it('refuses two clusters whose secret prefixes overlap (one is the other followed by "-"), with exit 2 naming the flag', () => {
    const result = run(
      'acl-controller',
      ...['-cluster', 'a', '-secret-name-prefix', 'prod', '-consul-client-secret-arn', 'x'],
      ...['-cluster', 'b', '-secret-name-prefix', 'prod-web', '-consul-client-secret-arn', 'y'],
    );
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('flag -secret-name-prefix: prefixes "prod" and "prod-web" overlap');
  });

  for (const [format, firstLine] of [
    ['text', /^\S+ INFO +starting acl-controller clusters=/],
    ['json', /^\{"time":"[^"]+","level":"info","msg":"starting acl-controller"/],
  ] as const) {
    it(`writes -log-format ${format} lines (the bytes, not just the flag)`, async () => {
      const { args, env } = unreachableController(['-log-format', format]);
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise((resolve) => child.once('close', resolve));
      for (let i = 0; i < 200 && !out.includes('\n'); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      child.kill('SIGKILL');
      await exited;
      expect(out.split('\n')[0]).to.match(firstLine);
    });
  }

  it('prints the package version', () => {
    const result = run('version');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.match(/^ecs-acl-controller \d+\.\d+\.\d+/);
  });
});
