/**
 * `ecs-acl-controller cleanup`: removes from Consul everything this controller (or consul-ecs, in
 * the same formats) made for one ECS cluster, and nothing else (see planTeardown): service and
 * client tokens, v0.4 service policies, the client policy (with -secret-name-prefix), login tokens
 * of the cluster's tasks, the cluster's synthetic catalog node with its services, and its principal
 * in the shared IAM auth method (the method too when it trusts nothing else; see planTeardown). Secrets
 * Manager secrets are left to whoever created them (Terraform). `-dry-run` lists the plan.
 *
 * Exit codes: 0 done (or listed); 1 a Consul call failed (what was done is printed; run it again);
 * 2 bad flags or environment.
 */
import { arnScope, clusterNameOfArn } from '../../src/aws/arn.js';
import { type Command, UsageError } from '../../src/cli/command.js';
import { type FlagSpec, flagValue, formatFlagHelp, parseGoFlags } from '../../src/cli/go-flags.js';
import { AclApi } from '../../src/consul/acl-api.js';
import { AuthApi } from '../../src/consul/auth-api.js';
import { CatalogApi } from '../../src/consul/catalog-api.js';
import { AUTH_METHOD_NAME, boundPrincipalArn, SYNTHETIC_NODE_META } from '../domain/iam-auth-resources.js';
import { ConsulSettingsError, consulSettingsFromEnv } from '../../src/consul/consul-settings.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { EXIT_CODES } from '../../src/manager/errors.js';
import { NO_API_OBSERVER } from '../../src/metrics/api-metrics.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { asyncScheduler } from 'rxjs';
import { aclListScope } from '../adapters/acl-informers.js';
import { clientPolicyName } from '../domain/client-policy.js';
import { clusterAliases } from '../domain/cluster-aliases.js';
import { planTeardown } from '../teardown/teardown-plan.js';
import { runTeardown } from '../teardown/teardown.js';
import { TaskMetadataSource } from './aws-environment.js';

const FLAGS: readonly FlagSpec[] = [
  {
    name: 'cluster',
    kind: 'string',
    help: 'The ECS cluster (name or ARN); otherwise read from task metadata.',
  },
  {
    name: 'secret-name-prefix',
    kind: 'string',
    help: 'The prefix the acl-controller ran with: its client policy <prefix>-consul-client-policy is removed too.',
  },
  { name: 'partitions-enabled', kind: 'bool', help: 'Admin partitions and namespaces (Consul Enterprise).' },
  {
    name: 'partition',
    kind: 'string',
    help: 'The partition served; needs -partitions-enabled.',
    default: 'default',
  },
  {
    name: 'iam-role-path',
    kind: 'string',
    help: "The controller's iamRolePath: its principal is taken out of the shared IAM auth method when no other cluster of the account uses it.",
    default: '/consul-ecs/',
  },
  { name: 'dry-run', kind: 'bool', help: 'List what would be removed; change nothing.' },
];

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary:
    'Remove everything this controller made in Consul for an ECS cluster (tokens, policies, synthetic node).',
  async run(args) {
    if (args.includes('-help') || args.includes('--help') || args.includes('-h')) {
      console.log(`Usage: ecs-acl-controller cleanup [flags]\n\n${formatFlagHelp(FLAGS)}`);
      return EXIT_CODES.ok;
    }
    const flags = parseGoFlags(args, FLAGS);
    const get = (name: string) => flagValue(flags, FLAGS.find((spec) => spec.name === name) as FlagSpec);
    const bool = (name: string) => ['1', 't', 'true'].includes((get(name) ?? 'false').toLowerCase());
    const partitionsEnabled = bool('partitions-enabled');
    if (flags.has('partition') && !partitionsEnabled)
      throw new UsageError('flag -partition needs -partitions-enabled');
    const partition = partitionsEnabled ? (get('partition') as string) : undefined;
    const metadata = new TaskMetadataSource(process.env.ECS_CONTAINER_METADATA_URI_V4);
    const cluster = get('cluster') ?? (await metadata.cluster());
    const scope = arnScope((await metadata.optional())?.taskArn);
    const clusterNames = [cluster, ...clusterAliases(cluster, scope)];
    let settings;
    try {
      settings = consulSettingsFromEnv();
    } catch (error) {
      if (error instanceof ConsulSettingsError) throw new UsageError(error.message);
      throw error;
    }
    const transport = new ConsulTransport(
      settings,
      new SchedulerClock(asyncScheduler),
      NO_API_OBSERVER,
      Math.random,
    );
    const acl = new AclApi(transport);
    const auth = new AuthApi(transport);
    const catalog = new CatalogApi(transport);
    const prefix = get('secret-name-prefix');
    const policyName = prefix ? clientPolicyName(prefix) : undefined;
    const print = (line: string) => console.log(line);
    try {
      const listScope = aclListScope(partition);
      const nodeName = clusterNames.find((name) => clusterNameOfArn(name) !== undefined);
      if (nodeName === undefined)
        print(
          `the cluster's ARN is not known (give -cluster as an ARN, or run in a task): its synthetic node is not looked at`,
        );
      const nodeScope = partition ? { partition } : {};
      const node = nodeName === undefined ? undefined : await catalog.node(nodeName, nodeScope);
      const account = nodeName === undefined ? undefined : arnScope(nodeName)?.account;
      const method =
        account === undefined ? undefined : await auth.readAuthMethod(AUTH_METHOD_NAME, nodeScope);
      const plan = planTeardown({
        clusterNames,
        partition,
        clientPolicyName: policyName,
        tokens: (await acl.listTokens(listScope)).items,
        policies: (await acl.listPolicies(listScope)).items,
        ...(nodeName !== undefined && node !== undefined ? { node: { name: nodeName, value: node } } : {}),
        ...(method !== undefined && account !== undefined
          ? {
              authMethod: {
                method,
                principal: boundPrincipalArn(account, get('iam-role-path') as string),
                otherClusterNodes: (
                  await catalog.nodeNamesWithMeta(SYNTHETIC_NODE_META, 'true', nodeScope)
                ).filter((name) => name !== nodeName),
              },
            }
          : {}),
      });
      await runTeardown(
        {
          acl,
          auth,
          catalog,
          clusterNames,
          partition,
          clientPolicyName: policyName,
          dryRun: bool('dry-run'),
          print,
        },
        plan,
      );
      return EXIT_CODES.ok;
    } catch (error) {
      console.error(`cleanup stopped: ${(error as Error).message}; run it again to finish`);
      return EXIT_CODES.fatal;
    }
  },
};
