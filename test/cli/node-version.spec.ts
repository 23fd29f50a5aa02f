/**
 * The controller on the Node version it runs on (this suite runs on Node 22 in CI, and again on
 * Node 20.19.0 in CI's smoke run): on Node 22 the AWS SDK prints no NodeVersionSupportWarning; on
 * Node 20 it prints one at start, unless AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true,
 * as the README says. Through the real bin, until its first failed AWS call.
 */
import { spawn } from 'node:child_process';

import { expect } from 'chai';

import { unreachableController } from '../helpers/controller-cli.js';

const MAJOR = Number(process.versions.node.split('.')[0]);

/** The controller's stderr until its first informer warning (every endpoint refuses at once). */
function startupStderr(extraEnv: Record<string, string>): Promise<string> {
  const { args, env } = unreachableController([], extraEnv);
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('informer list/watch failed')) child.kill('SIGKILL');
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', () => resolve(stderr)));
}

describe(`the controller on Node ${process.versions.node}`, function () {
  this.timeout(30_000);

  it('prints the AWS SDK NodeVersionSupportWarning only below Node 22', async () => {
    const stderr = await startupStderr({});
    if (MAJOR >= 22) expect(stderr).to.not.contain('NodeVersionSupportWarning');
    else expect(stderr).to.contain('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)');
  });

  it('prints no warning with AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true', async () => {
    const stderr = await startupStderr({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    expect(stderr).to.not.contain('NodeVersionSupportWarning');
  });
});
