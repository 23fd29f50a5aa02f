#!/usr/bin/env node
/**
 * The `ecs-acl-controller` command line: a dispatcher over subcommands. This is a composition
 * root: the only place (with the commands it calls) allowed to touch process-wide state such as
 * signals, exit codes and standard streams.
 */
import 'reflect-metadata';

import { EXIT_CODES } from '../../src/manager/errors.js';
import { type Command, UsageError } from '../../src/cli/command.js';
import { COMMANDS } from './commands.js';

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: ecs-acl-controller <command> [flags]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `ecs-acl-controller <command> --help` for the flags of one command.',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(COMMANDS));
    return EXIT_CODES.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    console.error(`ecs-acl-controller: unknown command "${name}"\n\n${usage(COMMANDS)}`);
    return EXIT_CODES.usage;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`ecs-acl-controller ${name}: ${error.message}`);
      return EXIT_CODES.usage;
    }
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    console.error(`ecs-acl-controller ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return typeof exitCode === 'number' ? exitCode : EXIT_CODES.fatal;
  }
}

// Exit explicitly: idle keep-alive sockets of the HTTP clients must not hold a stopped process.
process.exit(await main(process.argv.slice(2)));
