// `ecs-acl-controller version`: prints the package version.
import { readFileSync } from 'node:fs';

import { type Command } from '../../src/cli/command.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the version and exit.',
  async run() {
    const url = new URL('../../../package.json', import.meta.url);
    const { version } = JSON.parse(readFileSync(url, 'utf8')) as { version: string };
    console.log(`ecs-acl-controller ${version}`);
    return 0;
  },
};
