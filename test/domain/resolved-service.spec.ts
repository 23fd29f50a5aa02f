import { expect } from 'chai';

import { type AclControllerConfig } from '../../controllers/domain/acl-config.js';
import { resolveService } from '../../controllers/domain/resolved-service.js';

const config = (overrides: Partial<AclControllerConfig> = {}): AclControllerConfig => ({
  cluster: 'prod',
  secretNamePrefix: 'consul',
  clientSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:consul-client',
  partitionsEnabled: false,
  gcGracePeriodMs: 0,
  resyncIntervalMs: 60_000,
  concurrency: 1,
  dryRun: false,
  createSecrets: false,
  secretRecheckMs: 60_000,
  preProvision: false,
  ecsReadRate: 10,
  ...overrides,
});

describe('resolveService', () => {
  it('resolves an unpartitioned key: empty scope, plain secret name, {service, cluster}', () => {
    expect(resolveService('web', config())).to.deep.equal({
      key: 'web',
      ref: { name: 'web' },
      scope: {},
      secretName: 'consul-web',
      owner: 'prod/web',
      context: { service: 'web', cluster: 'prod' },
      nameContext: { service: 'web', cluster: 'prod' },
    });
  });

  it('resolves a partitioned key: scoped, long secret name, partition and namespace logged', () => {
    const resolved = resolveService(
      'part-1/ns-1/web',
      config({ partitionsEnabled: true, partition: 'part-1' }),
    );
    expect(resolved).to.deep.equal({
      key: 'part-1/ns-1/web',
      ref: { partition: 'part-1', namespace: 'ns-1', name: 'web' },
      scope: { partition: 'part-1', namespace: 'ns-1' },
      secretName: 'consul-web-ns-1-part-1',
      owner: 'prod/part-1/ns-1/web',
      context: { service: 'web', cluster: 'prod', partition: 'part-1', namespace: 'ns-1' },
      nameContext: { service: 'web', cluster: 'prod' },
    });
    expect(Object.keys(resolved.context)).to.deep.equal(['service', 'cluster', 'partition', 'namespace']);
  });
});
