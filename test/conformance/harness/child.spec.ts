// The process-group lifecycle the backends rely on: stop() kills the leader AND its children.
import { expect } from 'chai';
import { startProcess } from './child.js';
import { pollUntil } from './poll.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('conformance harness: startProcess', function () {
  it('stop() kills the whole process group, children included', async function () {
    const proc = startProcess({ command: 'bash', args: ['-c', 'sleep 60 & echo child=$!; wait'] });
    let child = 0;
    await pollUntil(
      async () => {
        child = Number(/child=(\d+)/.exec(proc.output())?.[1] ?? 0);
        return child > 0;
      },
      { what: 'child pid', timeoutMs: 5000, intervalMs: 20 },
    );
    expect(alive(child)).to.equal(true);
    await proc.stop();
    expect(proc.exited).to.equal(true);
    await pollUntil(async () => !alive(child), { what: 'child exit', timeoutMs: 5000, intervalMs: 20 });
  });

  it('stop() is idempotent', async function () {
    const proc = startProcess({ command: 'sleep', args: ['60'] });
    await Promise.all([proc.stop(), proc.stop()]);
    await proc.stop();
    expect(alive(proc.pid)).to.equal(false);
  });
});
