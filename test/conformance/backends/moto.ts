// moto (getmoto/moto) in server mode, from the venv made by scripts/setup-backends.sh.
// Invariants:
// - listens on 127.0.0.1 on a free port; stop() kills its process group;
// - ECS tasks are pinned to RUNNING (state-manager transition "manual", huge "times"): by
//   default every DescribeTasks call advances lastStatus one step (RUNNING → … → STOPPED),
//   which AWS does not do; see /work/shared/reference/test-stack.md §1.3;
// - tasks use bridge networking: moto's awsvpc RunTask path crashes (AWSVPC_BROKEN); moto
//   does not enforce AWS's "FARGATE needs awsvpc" rule.
import { existsSync } from 'node:fs';
import { BackendUnavailable, type Backend } from '../harness/backend.js';
import { freePort } from '../harness/free-port.js';
import { launch } from '../harness/launch.js';
import { venvBin } from '../harness/paths.js';
import { tryFetch } from '../harness/poll.js';

const AWSVPC_BROKEN =
  'moto 5.2.5 RunTask with awsvpc fails with HTTP 500 (KeyError securityGroups when omitted; ' +
  "AttributeError 'NetworkInterface' object has no attribute 'private_dns_name' otherwise)";

export const motoBackend: Backend = {
  name: 'moto',
  async start() {
    const bin = venvBin('moto_server');
    if (!existsSync(bin)) throw new BackendUnavailable(`${bin} not found; run scripts/setup-backends.sh`);
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const proc = await launch({
      name: 'moto',
      command: bin,
      args: ['-H', '127.0.0.1', '-p', String(port)],
      ready: async () => (await tryFetch(`${endpoint}/moto-api/`))?.ok === true,
    });
    try {
      const transition = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
        method: 'POST',
        body: JSON.stringify({
          model_name: 'ecs::task',
          transition: { progression: 'manual', times: 1_000_000_000 },
        }),
      });
      if (!transition.ok) throw new Error(`set-transition failed: ${transition.status}`);
      return { endpoint, ecsNetwork: { mode: 'bridge', why: AWSVPC_BROKEN }, stop: () => proc.stop() };
    } catch (error) {
      await proc.stop();
      throw error;
    }
  },
};
