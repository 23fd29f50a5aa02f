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

  it('refuses two clusters whose secret prefixes overlap (one is the other followed by "-"), with exit 2 naming the flag', () => {
    const result = run(
      'acl-controller',
      ...['-cluster', 'a', '-secret-name-prefix', 'prod', '-consul-client-secret-arn', 'x'],
      ...['-cluster', 'b', '-secret-name-prefix', 'prod-web', '-consul-client-secret-arn', 'y'],
    );
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('flag -secret-name-prefix: prefixes "prod" and "prod-web" overlap');
  });

  it('prints the package version', () => {
    const result = run('version');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.match(/^ecs-acl-controller \d+\.\d+\.\d+/);
  });
});

describe('ecs-acl-controller envtest', function () {
  this.timeout(20_000);

  it('prints one JSON line with working server URLs, and stops on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { ECSClient, ListClustersCommand } = await import('@aws-sdk/client-ecs');
    const child = spawn(process.execPath, [CLI, 'envtest', '-consul-version', '1.14'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.includes('\n')) resolve(buffer.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const urls = JSON.parse(line) as Record<string, string>;
    expect(Object.keys(urls).sort()).to.deep.equal(['consul', 'consulToken', 'ecs', 'secretsmanager']);
    const ecs = new ECSClient({
      endpoint: urls.ecs,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).to.deep.equal([]);
    ecs.destroy();
    const self = await fetch(`${urls.consul}/v1/acl/token/self`, {
      headers: { 'x-consul-token': urls.consulToken },
    });
    expect(self.status).to.equal(200);
    const missing = await fetch(`${urls.consul}/v1/acl/policy/name/nope`, {
      headers: { 'x-consul-token': urls.consulToken },
    });
    expect(missing.status, '1.14 flavour').to.equal(403);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});
