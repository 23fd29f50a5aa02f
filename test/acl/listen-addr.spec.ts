/**
 * `-listen-addr` through the real CLI process against envtest: an IPv6 loopback address serves
 * the ops endpoints, and a malformed value exits 2 with a message naming the flag.
 */
import { createServer } from 'node:net';

import { expect } from 'chai';

import { type ControllerProcess, spawnController } from './cli-process.js';
import { type AclWorld, useAclWorld } from './world.js';

/** Whether this machine can listen on ::1 (containers without IPv6 cannot). */
function ipv6LoopbackWorks(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

describe('-listen-addr, end to end (real CLI process)', function () {
  this.timeout(40_000);
  let world: AclWorld;
  let controller: ControllerProcess | undefined;
  useAclWorld((started) => (world = started));
  afterEach(async () => {
    if (controller && controller.child.exitCode === null && controller.child.signalCode === null) {
      controller.child.kill('SIGTERM');
      await controller.exited;
    }
    controller = undefined;
  });

  it('serves /healthz on an IPv6 loopback address ([::1]:0)', async function () {
    if (!(await ipv6LoopbackWorks())) {
      console.log('      skipped: this machine cannot listen on the IPv6 loopback address ::1');
      this.skip();
    }
    controller = spawnController(world, ['-listen-addr', '[::1]:0']);
    const url = await controller.opsUrl();
    expect(url).to.match(/^http:\/\/\[::1\]:\d+$/);
    const response = await fetch(`${url}/healthz`);
    expect(response.status, controller.output()).to.equal(200);
    expect(await response.text()).to.equal('ok\n');
  });

  it('exits 2 on a malformed value, naming the flag', async () => {
    controller = spawnController(world, ['-listen-addr', '::1:8080']);
    const code = await controller.exited;
    expect(code, controller.output()).to.equal(2);
    expect(controller.output()).to.contain('flag -listen-addr: "::1:8080"').and.contain('brackets');
  });
});
