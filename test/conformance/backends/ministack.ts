// ministack (PyPI `ministack`), from the venv made by scripts/setup-backends.sh.
// Invariants:
// - bound to 127.0.0.1 (BIND_HOST; its default is 0.0.0.0) on a free port (GATEWAY_PORT);
// - only ECS, Secrets Manager and SQS are enabled; the IoT mTLS (port 8883) and SFTP listeners are
//   disabled so nothing else is bound; without the docker library RunTask only records tasks;
// - stop() kills its process group.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendUnavailable, type Backend } from '../harness/backend.js';
import { freePort } from '../harness/free-port.js';
import { launch } from '../harness/launch.js';
import { venvBin } from '../harness/paths.js';
import { tryFetch } from '../harness/poll.js';

export const ministackBackend: Backend = {
  name: 'ministack',
  async start() {
    const bin = venvBin('ministack');
    if (!existsSync(bin)) throw new BackendUnavailable(`${bin} not found; run scripts/setup-backends.sh`);
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'ministack-'));
    const proc = await launch({
      name: 'ministack',
      command: bin,
      args: [],
      cwd: dir,
      env: {
        GATEWAY_PORT: String(port),
        BIND_HOST: '127.0.0.1',
        SERVICES: 'ecs,secretsmanager,sqs',
        IOT_MTLS_ENABLED: '0',
        SFTP_ENABLED: '0',
        LOG_LEVEL: 'WARNING',
        TMPDIR: dir,
      },
      ready: async () => (await tryFetch(`${endpoint}/_ministack/health`))?.ok === true,
    });
    return {
      endpoint,
      stop: async () => {
        await proc.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
