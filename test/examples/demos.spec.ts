import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect } from 'chai';

function runNode(script: string): Promise<{ code: number | null; output: string }> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close', not 'exit': only then has all of the output been read.
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe("the demos (the README's main job)", function () {
  this.timeout(60_000);

  it('npm run demo plays the ACL story on the envtest servers, prints its timeline and exits 0', async () => {
    const { code, output } = await runNode('../../examples/acl-demo/main.js');
    expect(code, output).to.equal(0);
    for (const expected of [
      'metrics at http://127.0.0.1:',
      'created client token',
      'created service token  (service=web',
      '=> Consul now holds tokens for: api, web',
      "service token was deleted out of band; recreating it with the secret's IDs  (service=api",
      'deleted token of a service gone past the grace period  (service=api',
      '=> tokens left: web',
      'demo finished',
    ]) {
      expect(output).to.contain(expected);
    }
  });

  it('npm run example runs the framework example without Consul and exits 0', async () => {
    const { code, output } = await runNode('../../examples/task-census/main.js');
    expect(code, output).to.equal(0);
    expect(output).to.contain('final census: {"web":4}');
  });
});
