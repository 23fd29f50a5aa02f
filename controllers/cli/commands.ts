// The list of subcommands, in the order `--help` shows them.
import { type Command } from '../../src/cli/command.js';
import { aclControllerCommand } from './acl-controller-command.js';
import { cleanupCommand } from './cleanup-command.js';
import { controllerCommand } from './controller-command.js';
import { envtestCommand } from './envtest-command.js';
import { versionCommand } from './version-command.js';

export const COMMANDS: readonly Command[] = [
  aclControllerCommand,
  controllerCommand,
  cleanupCommand,
  envtestCommand,
  versionCommand,
];
