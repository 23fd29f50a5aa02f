// The tenancy plugin (partitions on, envtest Enterprise mode), end to end: as consul-ecs v0.4.3 did,
// the served partition, the cross-namespace-read policy and each served namespace (with that
// policy as a default) exist; unlike it, they are kept: a tampered policy is repaired, a deleted
// namespace restored.
import { expect } from 'chai';

import { crossNamespaceRules } from '../../controllers/domain/cross-namespace-policy.js';
import { AclWorld, eventually, meshTagsIn, useAclWorld } from './world.js';

describe('tenancy: partition, cross-namespace policy and namespaces (envtest Enterprise mode)', function () {
  this.timeout(30_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started), { consul: { enterprise: true } });

  const scoped = meshTagsIn;
  const read = async <T>(path: string) => {
    const { status, json } = await world.consul<T>('GET', path);
    return status === 200 ? json : undefined;
  };
  type Policy = { ID: string; Name: string; Rules: string };
  type Namespace = { Name: string; ACLs?: { PolicyDefaults?: { Name: string }[] } };

  it('creates the partition, the policy and the served namespaces, and keeps them', async () => {
    await world.createSecret(`${world.prefix}-web-team1-team-a`);
    await world.runTasks('web', 1, scoped('team1', 'team-a'));
    expect(await read('/v1/partition/team-a')).to.equal(undefined);
    const controller = await world.startController({
      partitionsEnabled: true,
      partition: 'team-a',
      resyncIntervalMs: 1_000,
    });
    await eventually('the partition', () => read('/v1/partition/team-a'));
    const policy = await eventually('the policy', () =>
      read<Policy>('/v1/acl/policy/name/cross-namespace-read?partition=team-a&ns=default'),
    );
    expect(policy.Rules).to.equal(crossNamespaceRules('team-a'));
    const namespace = await eventually('the namespace', () =>
      read<Namespace>('/v1/namespace/team1?partition=team-a'),
    );
    expect(namespace.ACLs?.PolicyDefaults?.map((link) => link.Name)).to.deep.equal(['cross-namespace-read']);

    // Tampering: the policy made to grant writes, the namespace deleted.
    await world.consul('PUT', `/v1/acl/policy/${policy.ID}?partition=team-a&ns=default`, {
      ID: policy.ID,
      Name: 'cross-namespace-read',
      Rules: 'service_prefix "" { policy = "write" }',
    });
    await world.consul('DELETE', '/v1/namespace/team1?partition=team-a');
    await eventually('the rules repaired', async () => {
      const now = await read<Policy>('/v1/acl/policy/name/cross-namespace-read?partition=team-a&ns=default');
      return now?.Rules === crossNamespaceRules('team-a') || undefined;
    });
    await eventually('the namespace restored', () => read<Namespace>('/v1/namespace/team1?partition=team-a'));
    const metrics = await controller.metrics();
    expect(metrics).to.match(
      /acl_controller_tenancy_changes_total\{cluster="[^"]+",change="policy_repaired"\} 1/,
    );
    expect(metrics).to.match(
      /acl_controller_tenancy_changes_total\{cluster="[^"]+",change="namespace_created"\} 2/,
    );
    expect(metrics).to.match(
      /acl_controller_tenancy_changes_total\{cluster="[^"]+",change="partition_created"\} 1/,
    );
  });

  it('changes nothing in dry-run', async () => {
    await world.runTasks('web', 1, scoped('team2', 'team-b'));
    const controller = await world.startController({
      partitionsEnabled: true,
      partition: 'team-b',
      dryRun: true,
    });
    await eventually(
      'the dry-run log line',
      () =>
        controller.logs.some((line) => line.includes('dry-run: would create the admin partition')) ||
        undefined,
    );
    expect(await read('/v1/partition/team-b')).to.equal(undefined);
    expect(await read('/v1/namespace/team2?partition=team-b')).to.equal(undefined);
  });
});
