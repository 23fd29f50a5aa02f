/**
 * `ecs-acl-controller envtest`: starts the envtest ECS, Secrets Manager and Consul servers on
 * 127.0.0.1, prints one JSON line with their URLs and the Consul management token, and runs
 * until SIGTERM or SIGINT. Point the AWS CLI, the SDKs and `consul` at it.
 */
import { startConsulServer } from '../envtest/consul/server.js';
import { startEcsServer } from '../envtest/ecs/server.js';
import { startSecretsManagerServer } from '../envtest/secretsmanager/server.js';
import { EXIT_CODES } from '../manager/errors.js';
import { type Command, UsageError } from './command.js';
import { type FlagSpec, flagValue, formatFlagHelp, parseGoFlags } from './go-flags.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'ecs-port', kind: 'int', help: 'Port of the ECS server; 0 picks a free one.', default: '0' },
  { name: 'secretsmanager-port', kind: 'int', help: 'Port of the Secrets Manager server.', default: '0' },
  { name: 'consul-port', kind: 'int', help: 'Port of the Consul server.', default: '0' },
  {
    name: 'consul-version',
    kind: 'string',
    help: 'Not-found behaviour: 1.14 (403) or 1.15 (404).',
    default: '1.15',
  },
  { name: 'consul-enterprise', kind: 'bool', help: 'Accept partitions and namespaces.', default: 'false' },
  { name: 'consul-token', kind: 'string', help: 'The management token (a UUID); random by default.' },
];

export const envtestCommand: Command = {
  name: 'envtest',
  summary: 'Run local ECS, Secrets Manager and Consul servers until SIGTERM.',
  async run(args) {
    if (args.includes('-help') || args.includes('--help') || args.includes('-h')) {
      console.log(`Usage: ecs-acl-controller envtest [flags]\n\n${formatFlagHelp(FLAGS)}`);
      return EXIT_CODES.ok;
    }
    const flags = parseGoFlags(args, FLAGS);
    const get = (name: string) => flagValue(flags, FLAGS.find((spec) => spec.name === name) as FlagSpec);
    const version = get('consul-version');
    if (version !== '1.14' && version !== '1.15')
      throw new UsageError('flag -consul-version must be 1.14 or 1.15');
    const [ecs, secretsManager, consul] = await Promise.all([
      startEcsServer({ port: Number(get('ecs-port')) }),
      startSecretsManagerServer({ port: Number(get('secretsmanager-port')) }),
      startConsulServer({
        port: Number(get('consul-port')),
        version,
        enterprise: get('consul-enterprise') === 'true',
        managementToken: get('consul-token'),
      }),
    ]);
    console.log(
      JSON.stringify({
        ecs: ecs.url,
        secretsmanager: secretsManager.url,
        consul: consul.url,
        consulToken: consul.managementToken,
      }),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await Promise.all([ecs.close(), secretsManager.close(), consul.close()]);
    return EXIT_CODES.ok;
  },
};
